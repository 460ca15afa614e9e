#!/usr/bin/env bash
# Starts the assistant under scripts/serving/supervise.py: the action server and Rasa (REST +
# socket.io) on 127.0.0.1, the demo page with the chat widget, and nginx in front of Rasa
# and the page; or, with --shell, the action server and `rasa shell`. Ctrl-C stops them all.
set -euo pipefail
cd "$(dirname "$0")/.."

# Rasa reports usage and errors to its own servers unless told not to: not for a health service.
export RASA_TELEMETRY_ENABLED=false
# Public ports (nginx, on LISTEN_HOST) and internal ones (127.0.0.1 only); README "Two commands".
export LISTEN_HOST=${LISTEN_HOST:-0.0.0.0}
export RASA_PORT=${RASA_PORT:-5005}
export WEB_PORT=${WEB_PORT:-8080}
export RASA_INTERNAL_PORT=${RASA_INTERNAL_PORT:-5105}
export WEB_INTERNAL_PORT=${WEB_INTERNAL_PORT:-8180}
export ACTIONS_PORT=${ACTIONS_PORT:-5055}
# Web pages allowed to call the assistant from a browser (space-separated): CORS and the
# chat socket (addons/channels/web_chat.py reads the variable).
ALLOWED_ORIGINS=${CLINIC_ALLOWED_ORIGINS:-http://localhost:${WEB_PORT}}
export CLINIC_ALLOWED_ORIGINS="$ALLOWED_ORIGINS"

# Serve only checked content: the working tree if it passes `make check` and trains,
# otherwise the last published version (docs/staff-guide.md).
.venv/bin/python -m scripts.publishing.publish --for-run
export CLINIC_CONTENT_DIR="$PWD/published/current/content"

# Secrets, each made once into .secrets/ (git-ignored, mode 600) unless its variable is set.
secret() {
  if [ ! -s ".secrets/$1" ]; then
    (umask 077 && mkdir -p .secrets && .venv/bin/python -c \
      'import secrets; print(secrets.token_hex(32))' > ".secrets/$1")
  fi
  cat ".secrets/$1"
}
# Rasa's HTTP API (conversations, and model swaps by `make publish`) is only ever on with it.
[ -n "${RASA_AUTH_TOKEN:-}" ] || RASA_AUTH_TOKEN=$(secret api-token)
# Rasa sends it to the action server, which answers nothing without it.
[ -n "${CLINIC_ACTION_TOKEN:-}" ] || CLINIC_ACTION_TOKEN=$(secret action-token)
# The socket channel signs session ids with it.
[ -n "${CLINIC_SESSION_SECRET:-}" ] || CLINIC_SESSION_SECRET=$(secret session-secret)
# Integrations allowed on the REST webhook, space-separated name:token pairs; each sends
# `Authorization: Bearer <token>`.
[ -n "${CLINIC_REST_TOKENS:-}" ] || CLINIC_REST_TOKENS="local:$(secret rest-token)"
# The supervisor hands each secret only to the process that needs it, in its environment:
# a command line is visible to every local user (ps).
export RASA_AUTH_TOKEN CLINIC_ACTION_TOKEN CLINIC_SESSION_SECRET CLINIC_REST_TOKENS

if [ "${1:-}" = "--shell" ]; then
  exec .venv/bin/python -m scripts.serving.supervise --shell
fi

cat <<INFO
Starting the assistant (nginx on ${LISTEN_HOST}; Rasa and the action server on 127.0.0.1 only):
  REST webhook:  http://localhost:${RASA_PORT}/webhooks/rest/webhook  (Authorization: Bearer <token in .secrets/rest-token>)
  socket.io:     http://localhost:${RASA_PORT}/socket.io  (allowed origins: ${ALLOWED_ORIGINS})
  demo page:     http://localhost:${WEB_PORT}  (clinic page with the chat widget)
  Rasa itself:   http://127.0.0.1:${RASA_INTERNAL_PORT}  (internal, behind nginx)
  action server: http://127.0.0.1:${ACTIONS_PORT}/webhook  (internal, needs .secrets/action-token)
Rasa takes a minute or two to load its model; the supervisor logs "rasa: healthy" when it answers.
INFO

# Each process is restarted on its own if it dies or hangs (scripts/serving/supervise.py).
exec .venv/bin/python -m scripts.serving.supervise
