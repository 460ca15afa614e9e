#!/usr/bin/env bash
# Refreshes the chat widget's vendored browser files from the npm registry and records
# their versions and sha256 in web/vendor/VERSIONS. Node and npm are needed only here:
# the files are committed, so running and testing the project needs neither.
#
#   bash scripts/vendor_web.sh            # the pinned version below
#   bash scripts/vendor_web.sh 4.8.5      # another socket.io-client 4.x
set -euo pipefail
cd "$(dirname "$0")/.."

# socket.io-client 4.x speaks Socket.IO protocol 5 over Engine.IO 4, as python-socketio
# 5.x (the server side, pinned in requirements.lock) does. 2.x and 5.x would not connect.
VERSION=${1:-4.8.4}
case "$VERSION" in
  4.*) ;;
  *) echo "error: socket.io-client $VERSION does not speak the server's protocol (use 4.x)." >&2; exit 1 ;;
esac

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "socket.io-client@$VERSION" >/dev/null && tar xzf socket.io-client-*.tgz)
integrity=$(cd "$tmp" && npm view "socket.io-client@$VERSION" dist.integrity)

install -m 644 "$tmp/package/dist/socket.io.min.js" web/vendor/socket.io.min.js
install -m 644 "$tmp/package/LICENSE" web/vendor/socket.io-client.LICENSE
sha=$(sha256sum web/vendor/socket.io.min.js | cut -d' ' -f1)
cat > web/vendor/VERSIONS <<INFO
# Vendored browser files: refresh with 'make vendor-web' (scripts/vendor_web.sh).
# file	package	sha256	npm tarball integrity
socket.io.min.js	socket.io-client@$VERSION	$sha	$integrity
INFO
echo "web/vendor/socket.io.min.js: socket.io-client@$VERSION sha256 $sha"
