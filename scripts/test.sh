#!/usr/bin/env bash
# The whole suite, fast layers first: lint, types and the unit layer while the model
# trains (if its inputs changed), then the model, servers and browser layers on two
# pytest-xdist workers (pyproject.toml's markers; README "Tests").
set -euo pipefail
cd "$(dirname "$0")/.."
# Two pytest workers (and the training beside the unit layer) already fill the 2 cores:
# BLAS threads on top oversubscribe them, and two processes encoding at once measured
# 20 ms a message with one thread each against 70-120 ms with OpenBLAS's default.
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
mkdir -p build
make --no-print-directory train >build/train.log 2>&1 &
training=$!
# The training job must not outlive a failed fast layer.
trap 'kill "$training" 2>/dev/null || true' EXIT
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/python -m pytest -m unit -q "$@"
if ! wait "$training"; then
  tail -n 40 build/train.log
  echo "make test: training the model failed (build/train.log)." >&2
  exit 1
fi
trap - EXIT
# One file's tests stay on one worker (tests/conftest.py groups them), so module fixtures
# start their servers once.
.venv/bin/python -m pytest -m "not unit" -n 2 --dist loadgroup "$@"
