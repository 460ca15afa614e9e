"""The demo page server (scripts/serving/serve_demo.py): page, files it serves, security headers."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator

import pytest
import requests

from addons.content.loader import load_content
from scripts.serving.serve_demo import WEB_ROOT, make_server, render_page, security_headers
from tests.servers import free_port

pytestmark = pytest.mark.unit

CONTENT = load_content()
BOT = "http://localhost:5999"


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    port = free_port()
    server = make_server(port, BOT)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    server.server_close()


def widget_config(page: str) -> dict:
    block = re.search(
        r'<script type="application/json" id="clinic-chat-config">(.*?)</script>', page, re.S
    )
    assert block, "the page has no widget configuration"
    return json.loads(block.group(1))


def test_page_is_filled_from_content() -> None:
    page = render_page(BOT).decode()
    assert "$" not in re.sub(r"<script type=\"application/json\".*?</script>", "", page, flags=re.S)
    assert CONTENT.clinic["clinic_phone"] in page
    assert CONTENT.clinic["clinic_hours"] in page
    assert f'href="{CONTENT.resources[0].link}"' in page


def test_widget_configuration() -> None:
    config = widget_config(render_page(BOT).decode())
    assert config["server"] == BOT
    assert config["title"] == CONTENT.clinic["clinic_name"]
    assert config["open"] is True and config["topics"]
    assert CONTENT.reminder in config["greeting"]
    # Shown when the assistant cannot be reached: every crisis line, as a tap link.
    for resource in CONTENT.resources:
        assert f"[{resource.text}]({resource.link})" in config["offlineNotice"]


def test_configuration_cannot_close_its_script_element(monkeypatch: pytest.MonkeyPatch) -> None:
    hostile = "</script><script>alert(1)</script>"
    monkeypatch.setattr("scripts.serving.serve_demo.TOPICS", [hostile])
    page = render_page(BOT).decode()
    assert hostile not in page
    assert widget_config(page)["topics"] == [hostile]


def test_csp_allows_only_own_files_and_the_assistant() -> None:
    csp = security_headers("https://bot.example.org")["Content-Security-Policy"]
    directives = dict(d.split(" ", 1) for d in csp.split("; "))
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["connect-src"] == "https://bot.example.org wss://bot.example.org"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["require-trusted-types-for"] == "'script'"
    assert "unsafe" not in csp and "*" not in csp


@pytest.mark.parametrize("bad", ["localhost:5005", "javascript:alert(1)", "ftp://x.example"])
def test_bot_url_must_be_http(bad: str) -> None:
    with pytest.raises(ValueError):
        make_server(free_port(), bad)


def test_every_response_has_the_security_headers(site: str) -> None:
    expected = security_headers(BOT)
    for path in ["/", "/clinic-chat.js", "/vendor/socket.io.min.js", "/nothing-here"]:
        response = requests.get(site + path, timeout=10)
        for name, value in expected.items():
            assert response.headers.get(name) == value, (path, name)


@pytest.mark.parametrize(
    "path,kind",
    [
        ("/", "text/html; charset=utf-8"),
        ("/clinic-chat.js", "text/javascript; charset=utf-8"),
        ("/clinic-chat.css", "text/css; charset=utf-8"),
        ("/vendor/socket.io.min.js", "text/javascript; charset=utf-8"),
        ("/demo/demo.css", "text/css; charset=utf-8"),
    ],
)
def test_serves_the_page_and_widget_files(site: str, path: str, kind: str) -> None:
    response = requests.get(site + path, timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == kind
    if path != "/":
        assert response.content == (WEB_ROOT / path.lstrip("/")).read_bytes()


@pytest.mark.parametrize(
    "path",
    [
        "/vendor/",
        "/vendor/VERSIONS",
        "/demo/index.html",
        "/../README.md",
        "/%2e%2e/scripts/serving/serve_demo.py",
        "/%2e%2e/credentials.yml",
        "//etc/passwd",
    ],
)
def test_serves_nothing_else(site: str, path: str) -> None:
    response = requests.get(site + path, timeout=10)
    assert response.status_code == 404


def test_refuses_other_methods(site: str) -> None:
    assert requests.post(site + "/", data="x", timeout=10).status_code == 501
