#!/usr/bin/env bash
# Starts the action server and the Rasa server (REST + socket.io), or `rasa shell`
# with --shell. Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."

RASA_PORT=${RASA_PORT:-5005}
ACTIONS_PORT=${ACTIONS_PORT:-5055}
# Web pages allowed to call the assistant from a browser (space-separated).
ALLOWED_ORIGINS=${CLINIC_ALLOWED_ORIGINS:-http://localhost:8080}
MODEL=${MODEL:-models/clinic.tar.gz}

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM

.venv/bin/rasa run actions --actions actions --port "$ACTIONS_PORT" &
pids+=($!)

if [ "${1:-}" = "--shell" ]; then
  .venv/bin/rasa shell --model "$MODEL" --endpoints endpoints.yml
  exit
fi

api_args=()
if [ -n "${RASA_AUTH_TOKEN:-}" ]; then
  # The HTTP API exposes conversations: only ever with a token.
  api_args=(--enable-api --auth-token "$RASA_AUTH_TOKEN")
fi

cat <<INFO
Starting the assistant:
  REST webhook:  http://localhost:${RASA_PORT}/webhooks/rest/webhook
  socket.io:     http://localhost:${RASA_PORT}/socket.io  (allowed origins: ${ALLOWED_ORIGINS})
  action server: http://localhost:${ACTIONS_PORT}/webhook
INFO

# shellcheck disable=SC2086
.venv/bin/rasa run --model "$MODEL" --endpoints endpoints.yml --credentials credentials.yml \
  --port "$RASA_PORT" --cors $ALLOWED_ORIGINS "${api_args[@]}" &
pids+=($!)
wait -n "${pids[@]}"
