#!/usr/bin/env bash
# The whole suite, fast layers first: lint, types, the unit layer, then the layers with
# the model, real servers and the browser (pyproject.toml's markers; README "Tests").
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/python -m pytest -m unit -q "$@"
.venv/bin/python -m pytest -m "not unit" "$@"
