#!/usr/bin/env bash
# The whole suite: lint and type checks, then pytest (unit, Rasa validation and story tests, NLU
# thresholds on the held-out set, end-to-end against the real servers).
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/ruff check .
.venv/bin/mypy
.venv/bin/python -m pytest "$@"
