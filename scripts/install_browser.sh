#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests (Playwright's own browser download
# cannot work offline). Does nothing when it is already there.
set -euo pipefail

CHROMIUM=/usr/bin/chromium
[ -x "$CHROMIUM" ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "error: $CHROMIUM is missing and there is no apt-get to install it." >&2
  echo "Install Chromium so that $CHROMIUM exists, then rerun." >&2
  exit 1
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "error: $CHROMIUM is missing; installing it needs root (run: apt-get install chromium)." >&2
    exit 1
  fi
  sudo=(sudo)
fi

echo "Installing Debian's chromium for the browser tests"
export DEBIAN_FRONTEND=noninteractive
# A fresh machine may have no package lists yet; an old list may name removed versions.
if ! "${sudo[@]}" apt-get install -y --no-install-recommends chromium; then
  "${sudo[@]}" apt-get update
  "${sudo[@]}" apt-get install -y --no-install-recommends chromium || {
    echo "error: could not install chromium with apt-get; browser tests need $CHROMIUM." >&2
    exit 1
  }
fi
[ -x "$CHROMIUM" ] || { echo "error: chromium installed but $CHROMIUM is missing." >&2; exit 1; }
