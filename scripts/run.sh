#!/usr/bin/env bash
# Starts the action server, the Rasa server (REST + socket.io) and the demo page with the
# chat widget, or `rasa shell` with --shell. Ctrl-C stops them all.
set -euo pipefail
cd "$(dirname "$0")/.."

# Rasa reports usage and errors to its own servers unless told not to: not for a health service.
export RASA_TELEMETRY_ENABLED=false
RASA_PORT=${RASA_PORT:-5005}
ACTIONS_PORT=${ACTIONS_PORT:-5055}
WEB_PORT=${WEB_PORT:-8080}
# Web pages allowed to call the assistant from a browser (space-separated): CORS and the
# chat socket (addons/socketio_channel.py reads the variable).
ALLOWED_ORIGINS=${CLINIC_ALLOWED_ORIGINS:-http://localhost:${WEB_PORT}}
export CLINIC_ALLOWED_ORIGINS="$ALLOWED_ORIGINS"

# Serve only checked content: the working tree if it passes `make check` and trains,
# otherwise the last published version (docs/staff-guide.md).
.venv/bin/python -m scripts.publish --for-run
MODEL=published/current/clinic.tar.gz
export CLINIC_CONTENT_DIR="$PWD/published/current/content"

# endpoints.yml names the action server on its default port; follow ACTIONS_PORT.
mkdir -p build/run
sed "s#localhost:5055/#localhost:${ACTIONS_PORT}/#" endpoints.yml > build/run/endpoints.yml
ENDPOINTS=build/run/endpoints.yml

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM

.venv/bin/rasa run actions --actions actions --port "$ACTIONS_PORT" &
pids+=($!)

if [ "${1:-}" = "--shell" ]; then
  .venv/bin/rasa shell --model "$MODEL" --endpoints "$ENDPOINTS"
  exit
fi

# The HTTP API (conversations, and model swaps by `make publish`) is only ever on with a
# token: RASA_AUTH_TOKEN, or one generated once into .secrets/api-token (git-ignored).
if [ -z "${RASA_AUTH_TOKEN:-}" ]; then
  if [ ! -s .secrets/api-token ]; then
    (umask 077 && mkdir -p .secrets && .venv/bin/python -c \
      'import secrets; print(secrets.token_hex(32))' > .secrets/api-token)
  fi
  RASA_AUTH_TOKEN=$(< .secrets/api-token)
fi

cat <<INFO
Starting the assistant:
  REST webhook:  http://localhost:${RASA_PORT}/webhooks/rest/webhook
  socket.io:     http://localhost:${RASA_PORT}/socket.io  (allowed origins: ${ALLOWED_ORIGINS})
  action server: http://localhost:${ACTIONS_PORT}/webhook
  demo page:     http://localhost:${WEB_PORT}  (clinic page with the chat widget)
INFO

# The token goes in the environment (scripts/rasa_server.py): on the command line, ps shows it.
# shellcheck disable=SC2086
RASA_AUTH_TOKEN="$RASA_AUTH_TOKEN" .venv/bin/python -m scripts.rasa_server --model "$MODEL" --endpoints "$ENDPOINTS" \
  --credentials credentials.yml --port "$RASA_PORT" --cors $ALLOWED_ORIGINS --enable-api &
pids+=($!)

.venv/bin/python -m scripts.serve_demo --port "$WEB_PORT" --bot-url "http://localhost:${RASA_PORT}" &
pids+=($!)
wait -n "${pids[@]}"
