#!/usr/bin/env bash
# The whole suite: lint, then pytest (unit, Rasa validation and story tests, NLU
# thresholds on the held-out set, end-to-end against the real servers).
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/ruff check .
.venv/bin/python -m pytest "$@"
