"""A stand-in for the assistant's socket channel that sends whatever a test scripts.

The widget's rendering must hold against any server content (markup, odd links, unknown
fields), which the real assistant never sends; this speaks the same socket.io events.
"""

from __future__ import annotations

import asyncio
import threading
import uuid
from typing import Any

import socketio
from aiohttp import web

from tests.servers import free_port


class FakeBot:
    def __init__(self, page_origin: str) -> None:
        self.port = free_port()
        self.replies: dict[str, list[dict[str, Any]]] = {}
        self.delay = 0.0
        self.received: list[dict[str, Any]] = []
        self.sio = socketio.AsyncServer(async_mode="aiohttp", cors_allowed_origins=[page_origin])
        self.app = web.Application()
        self.sio.attach(self.app)
        self.sio.on("session_request", self._session_request)
        self.sio.on("user_uttered", self._user_uttered)
        self.loop = asyncio.new_event_loop()
        self.runner = web.AppRunner(self.app)
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://localhost:{self.port}"

    async def _session_request(self, sid: str, data: Any) -> None:
        session_id = (data or {}).get("session_id") or uuid.uuid4().hex
        await self.sio.emit("session_confirm", session_id, room=sid)

    async def _user_uttered(self, sid: str, data: dict[str, Any]) -> None:
        self.received.append(data)
        await asyncio.sleep(self.delay)
        for message in self.replies.get(data.get("message", ""), []):
            await self.sio.emit("bot_uttered", message, room=sid)

    def start(self) -> FakeBot:
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self._serve(), self.loop).result(timeout=10)
        return self

    async def _serve(self) -> None:
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._close(), self.loop).result(timeout=10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)

    async def _close(self) -> None:
        await self.sio.eio.shutdown()
        await self.runner.cleanup()
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
