"""Rasa's exits while serving, the action timeout, and the API token in a header."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import aiohttp
import pytest
import rasa.core.actions.action
import rasa.server
import rasa.shared.utils.cli
from sanic import Sanic, response

from addons.channels import hardening
from tests.servers import free_port

pytestmark = pytest.mark.unit


@pytest.fixture
def restored() -> Iterator[None]:
    exit_function = rasa.shared.utils.cli.print_error_and_exit
    timeout = rasa.core.actions.action.DEFAULT_REQUEST_TIMEOUT
    yield
    rasa.shared.utils.cli.print_error_and_exit = exit_function
    rasa.core.actions.action.DEFAULT_REQUEST_TIMEOUT = timeout  # type: ignore[attr-defined]


def test_custom_actions_get_a_short_timeout(
    restored: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    hardening.harden_rasa()
    assert rasa.core.actions.action.DEFAULT_REQUEST_TIMEOUT == 5.0
    monkeypatch.setenv(hardening.ACTION_TIMEOUT_ENV, "2.5")
    hardening.harden_rasa()
    assert rasa.core.actions.action.DEFAULT_REQUEST_TIMEOUT == 2.5


async def test_once_serving_rasas_exits_raise_instead(restored: None) -> None:
    with pytest.raises(SystemExit):
        rasa.shared.utils.cli.print_error_and_exit("before start-up it still exits")
    await hardening.stop_exits_after_start()
    with pytest.raises(hardening.ExitRefused):
        rasa.shared.utils.cli.print_error_and_exit("schema not found")


TOKEN = "-api-token-0123456789"


@pytest.fixture
async def api() -> Any:
    Sanic.test_mode = True
    app = Sanic(f"hardening{free_port()}")
    requires_auth = hardening.header_auth(rasa.server.requires_auth)

    @app.get("/conversations")
    @requires_auth(app, TOKEN)
    async def conversations(request: Any) -> Any:
        return response.json({"ok": True})

    port = free_port()
    server = await app.create_server(
        host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False
    )
    assert server is not None
    await server.startup()
    async with aiohttp.ClientSession() as http:

        async def get(params: dict[str, str] | None = None, **headers: str) -> int:
            async with http.get(
                f"http://127.0.0.1:{port}/conversations", params=params, headers=headers
            ) as r:
                return r.status

        yield get
    await server.close()


@pytest.mark.parametrize(
    "headers,status",
    [
        ({"Authorization": f"Bearer {TOKEN}"}, 200),
        ({"X-Api-Token": TOKEN}, 200),
        ({"Authorization": "Bearer wrong"}, 401),
        ({"Authorization": TOKEN}, 401),
        ({}, 401),
    ],
)
async def test_the_api_token_is_read_from_a_header(
    api: Any, headers: dict[str, str], status: int
) -> None:
    assert await api(**headers) == status


async def test_a_token_in_the_url_is_refused_even_when_right(api: Any) -> None:
    assert await api({"token": TOKEN}) == 401
    assert await api({"token": TOKEN}, Authorization=f"Bearer {TOKEN}") == 401


def test_rasa_builds_its_app_with_the_header_check(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rasa.server, "requires_auth", rasa.server.requires_auth)
    hardening.api_token_in_header()
    patched = rasa.server.requires_auth
    hardening.api_token_in_header()
    assert rasa.server.requires_auth is patched and patched._clinic_header_auth
