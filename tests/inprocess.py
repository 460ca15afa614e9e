"""The assistant's channels served in the test's own process and event loop.

Sanic's real HTTP server on a free loopback port, with the channels' blueprints and either
a scripted assistant (`on_new_message`) or a real Agent, as `rasa run` would set them up.
No subprocess, so unit and fuzz tests stay fast and see the channels' exact behaviour.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import pytest
import rasa.shared.utils.cli
from rasa.core.channels.channel import InputChannel, UserMessage, register
from sanic import Sanic

from tests.servers import free_port

_names = itertools.count()

Handler = Callable[[UserMessage], Awaitable[Any]]


class ScriptedAgent:
    """Stands in for rasa's Agent: the channels call `handle_message` on app.ctx.agent."""

    def __init__(self, on_new_message: Handler, domain: Any = None) -> None:
        self.on_new_message = on_new_message
        self.domain = domain

    async def handle_message(self, message: UserMessage) -> Any:
        return await self.on_new_message(message)


@asynccontextmanager
async def serve(
    channels: list[InputChannel], agent: Any, port: int | None = None
) -> AsyncIterator[str]:
    """The base URL of a server with `channels` mounted by Rasa's own `register`."""
    # Sanic rewrites its protocol classes at each start; in test mode it starts again from
    # the originals, so several apps can start in one process (as sanic-testing does).
    Sanic.test_mode = True
    app = Sanic(f"inprocess{next(_names)}")
    app.ctx.agent = agent
    register(channels, app, route="/webhooks/")
    # The channels make Rasa's exits raise once serving; put them back for other tests.
    rasa_exit = rasa.shared.utils.cli.print_error_and_exit
    port = port or free_port()
    server = await app.create_server(
        host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False
    )
    assert server is not None
    await server.startup()
    await server.before_start()
    await server.after_start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await server.before_stop()
        await server.close()
        await server.after_stop()
        rasa.shared.utils.cli.print_error_and_exit = rasa_exit


class BackgroundServer:
    """`serve` on an event loop of its own thread, for synchronous clients (hypothesis)."""

    def __init__(self, channels: list[InputChannel], agent: Any, port: int | None = None) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._context = serve(channels, agent, port)
        self.url = ""

    def __enter__(self) -> BackgroundServer:
        self.thread.start()
        self.url = self.run(self._context.__aenter__())
        return self

    def __exit__(self, *exc: Any) -> None:
        self.run(self._context.__aexit__(None, None, None))
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)

    def run(self, coroutine: Awaitable[Any], timeout: float = 60) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)  # type: ignore[arg-type]


@contextmanager
def both_channels(
    agent: Any, rest_token: str, port: int | None = None
) -> Iterator[BackgroundServer]:
    """REST (one integration, `fuzz`) and socket.io (the demo page's origin) in the background,
    with a fresh turn gate, as `rasa run` would mount them."""
    from addons.channels import gate, rest
    from addons.channels.web_chat import CheckedSocketIOInput

    patch = pytest.MonkeyPatch()
    patch.setenv(rest.REST_TOKENS_ENV, f"fuzz:{rest_token}")
    gate.turn_gate.cache_clear()
    try:
        channels = [
            rest.CheckedRestInput(),
            CheckedSocketIOInput([DEMO_PAGE], session_persistence=True),
        ]
        with BackgroundServer(channels, agent, port) as running:
            yield running
    finally:
        patch.undo()
        gate.turn_gate.cache_clear()


DEMO_PAGE = "http://localhost:8080"
