"""nginx in front of Rasa and the demo page: the config `make run` writes to build/run/nginx.

    python -m scripts.serving.nginx_config --dir build/run/nginx   # ports from the environment

nginx is the only process listening beyond this machine. It checks every request before
Rasa's web server (Sanic 21.12) sees it: a malformed request such as `Content-Length: -1`,
which sends Sanic into a loop at 100% CPU, gets a 400 from nginx and never reaches it.
Bodies are held to 1 MB and slow clients are cut off. It proxies the public ports
(RASA_PORT, WEB_PORT) to Rasa and the demo page on 127.0.0.1 (RASA_INTERNAL_PORT,
WEB_INTERNAL_PORT), the socket.io path with the websocket upgrade.

Nothing that can hold a secret or a message is logged: no access log (a client may still
put a token in the query string, which Rasa refuses), no bodies, and the error log only at
`crit`, because nginx's error lines quote the whole request line, query string included.
nginx's workers never touch the disk (bodies stay in memory, responses are not spooled),
so when nginx is started as root its workers can run as `nobody` whatever the project
directory's rights.
Standard library only.
"""

from __future__ import annotations

import argparse
import grp
import os
import pwd
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

CONF_NAME = "nginx.conf"
HEALTH_PATH = "/nginx-health"
# The unprivileged user nginx's workers switch to when nginx is started as root.
WORKER_USER = "nobody"


@dataclass(frozen=True)
class Ports:
    listen_host: str = "0.0.0.0"
    rasa_port: int = 5005
    rasa_internal_port: int = 5105
    web_port: int = 8080
    web_internal_port: int = 8180

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Ports:
        return cls(
            listen_host=env.get("LISTEN_HOST") or cls.listen_host,
            rasa_port=int(env.get("RASA_PORT") or cls.rasa_port),
            rasa_internal_port=int(env.get("RASA_INTERNAL_PORT") or cls.rasa_internal_port),
            web_port=int(env.get("WEB_PORT") or cls.web_port),
            web_internal_port=int(env.get("WEB_INTERNAL_PORT") or cls.web_internal_port),
        )


def address(host: str, port: int) -> str:
    """host:port as nginx's `listen` and URLs write it (IPv6 in brackets)."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def connect_host(listen_host: str) -> str:
    """Where this machine reaches a server listening on `listen_host`."""
    return {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(listen_host, listen_host)


def health_url(ports: Ports) -> str:
    """nginx's own health check: answered by nginx, whatever the state of Rasa."""
    return f"http://{address(connect_host(ports.listen_host), ports.rasa_port)}{HEALTH_PATH}"


def worker_user() -> str | None:
    """`user` and group for the workers when nginx starts as root; None otherwise (nginx
    warns about the directive when it cannot switch user)."""
    if os.geteuid() != 0:
        return None
    entry = pwd.getpwnam(WORKER_USER)
    return f"{entry.pw_name} {grp.getgrgid(entry.pw_gid).gr_name}"


def _proxy_headers(indent: str) -> str:
    # proxy_set_header in a block replaces every inherited one: each location sets all.
    lines = [
        # As the client sent it, port included: the socket channel's origin check compares
        # the browser's Origin header (passed through unchanged) with the allowed origins.
        "proxy_set_header Host $http_host;",
        "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
        "proxy_set_header X-Forwarded-Proto $scheme;",
        "proxy_set_header X-Real-IP $remote_addr;",
    ]
    return "\n".join(indent + line for line in lines)


def render(directory: Path, ports: Ports, user: str | None = None) -> str:
    """The whole nginx.conf; `directory` holds its pid file and temporary directories."""
    d = directory.resolve()
    listen_rasa = address(ports.listen_host, ports.rasa_port)
    listen_web = address(ports.listen_host, ports.web_port)
    rasa = f"http://127.0.0.1:{ports.rasa_internal_port}"
    web = f"http://127.0.0.1:{ports.web_internal_port}"
    headers = _proxy_headers(" " * 12)
    user_line = f"user {user};\n" if user else ""
    return f"""\
# Written by scripts/serving/nginx_config.py for make run (scripts/run.sh); changes are overwritten.
daemon off;
master_process on;
worker_processes 1;
{user_line}pid {d}/nginx.pid;
# crit: nginx's error lines quote the request line, query string (any token in it) too.
error_log stderr crit;

events {{
    worker_connections 1024;
}}

http {{
    # No access log: URLs can carry Rasa's API token.
    access_log off;
    server_tokens off;
    default_type text/plain;

    client_body_temp_path {d}/temp/client_body;
    proxy_temp_path {d}/temp/proxy;
    fastcgi_temp_path {d}/temp/fastcgi;
    uwsgi_temp_path {d}/temp/uwsgi;
    scgi_temp_path {d}/temp/scgi;

    # A message is a few KB; a body is held in memory up to the limit, never written to
    # disk, and a response is never spooled to disk either (the workers need no files).
    client_max_body_size 1m;
    client_body_buffer_size 1m;
    proxy_max_temp_file_size 0;
    large_client_header_buffers 4 8k;

    # Slow or idle clients are cut off.
    client_header_timeout 10s;
    client_body_timeout 10s;
    send_timeout 30s;
    keepalive_timeout 30s;
    reset_timedout_connection on;

    proxy_connect_timeout 5s;
    proxy_send_timeout 30s;
    # A reply can wait for the model (and for a custom action, up to Rasa's own timeout).
    proxy_read_timeout 60s;

    map $http_upgrade $connection_upgrade {{
        default upgrade;
        "" close;
    }}

    # The assistant: REST webhook, socket.io, Rasa's HTTP API (which needs its token).
    # CORS headers come from Rasa (--cors); nginx adds none.
    server {{
        listen {listen_rasa};

        location = {HEALTH_PATH} {{
            return 200 "ok\\n";
        }}

        location /socket.io/ {{
            proxy_pass {rasa};
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
{headers}
            # An open chat socket is idle between messages; socket.io pings every 25 s.
            proxy_read_timeout 1h;
            proxy_send_timeout 1h;
            proxy_buffering off;
        }}

        # make publish swaps the model (PUT /model): loading one takes a minute or more.
        location = /model {{
            proxy_pass {rasa};
{headers}
            proxy_read_timeout 600s;
        }}

        location / {{
            proxy_pass {rasa};
{headers}
        }}
    }}

    # The demo page with the chat widget.
    server {{
        listen {listen_web};

        location = {HEALTH_PATH} {{
            return 200 "ok\\n";
        }}

        location / {{
            proxy_pass {web};
{headers}
        }}
    }}
}}
"""


def write(directory: Path, ports: Ports, user: str | None = None) -> Path:
    """Writes nginx.conf and the directories it names; returns the config's path."""
    (directory / "temp").mkdir(parents=True, exist_ok=True)
    conf = directory / CONF_NAME
    conf.write_text(render(directory, ports, user))
    return conf


def nginx_binary() -> str:
    # Debian puts it in /usr/sbin, which is not on a normal user's PATH.
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")
    if not found:
        raise SystemExit("nginx is missing: run 'make install' (scripts/install_services.sh).")
    return found


def command(conf: Path) -> list[str]:
    """nginx in the foreground on `conf`, its prefix the config's directory; `-e stderr`
    keeps it from opening the system's /var/log/nginx/error.log before reading the config."""
    directory = conf.resolve().parent
    return [nginx_binary(), "-p", f"{directory}/", "-c", str(conf.resolve()), "-e", "stderr"]


def main() -> None:
    parser = argparse.ArgumentParser(description="Write nginx's config for make run.")
    parser.add_argument("--dir", type=Path, default=Path("build/run/nginx"))
    args = parser.parse_args()
    print(write(args.dir, Ports.from_env(os.environ), worker_user()))


if __name__ == "__main__":
    main()
