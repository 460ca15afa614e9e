#!/usr/bin/env bash
# Installs the system programs `make run` needs besides Python: nginx (the public edge in
# front of Rasa and the demo page) and systemd-analyze (the test of deploy/*.service).
# Uses Debian's packages with apt-get; does nothing when they are already there.
set -euo pipefail

packages=()
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
  packages+=(nginx)
fi
if ! command -v systemd-analyze >/dev/null 2>&1; then
  packages+=(systemd)
fi
[ ${#packages[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "error: missing ${packages[*]} and there is no apt-get to install it." >&2
  echo "Install nginx (and systemd for systemd-analyze), then rerun." >&2
  exit 1
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "error: missing ${packages[*]}; installing needs root (run: apt-get install ${packages[*]})." >&2
    exit 1
  fi
  sudo=(sudo)
fi

export DEBIAN_FRONTEND=noninteractive
has_candidate() {
  local c
  c=$(apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ {print $2}')
  [ -n "$c" ] && [ "$c" != "(none)" ]
}
# A fresh machine may have no package lists yet: update once if apt knows no candidate.
if { [[ " ${packages[*]} " == *" nginx "* ]] && ! has_candidate nginx-light && ! has_candidate nginx; } ||
   { [[ " ${packages[*]} " == *" systemd "* ]] && ! has_candidate systemd; }; then
  "${sudo[@]}" apt-get update
fi
wanted=()
for package in "${packages[@]}"; do
  # nginx-light (Debian 11, 12) is nginx with fewer modules; later releases only have nginx.
  if [ "$package" = nginx ] && has_candidate nginx-light; then package=nginx-light; fi
  wanted+=("$package")
done

echo "Installing Debian's ${wanted[*]} for make run"
# An old package list may name versions the mirror no longer has: update and retry once.
if ! "${sudo[@]}" apt-get install -y --no-install-recommends "${wanted[@]}"; then
  "${sudo[@]}" apt-get update
  "${sudo[@]}" apt-get install -y --no-install-recommends "${wanted[@]}" || {
    echo "error: could not install ${wanted[*]} with apt-get." >&2
    exit 1
  }
fi
if [[ " ${packages[*]} " == *" nginx "* ]]; then
  command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || {
    echo "error: nginx installed but not found on PATH or at /usr/sbin/nginx." >&2
    exit 1
  }
  # The package enables a system-wide nginx with a default site on port 80. make run starts
  # its own instance (scripts/serving/nginx_config.py) and needs none of that: turn it off.
  if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
    echo "Disabling the package's system nginx service (port 80); make run starts its own."
    "${sudo[@]}" systemctl disable --now nginx || true
  fi
fi
