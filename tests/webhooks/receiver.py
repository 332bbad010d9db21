"""A real HTTP receiver on a free loopback port that verifies Standard Webhooks signatures.

A plain asyncio server speaking just enough HTTP/1.1 (one request per
connection): each request takes the next answer from ``plan`` (200 when it
is empty): a status code, ``HANG`` (never answers), or ``Redirect(url)``.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

from standardwebhooks import Webhook

from tests.helpers.smtp import free_port

HANG = "hang"


@dataclass(frozen=True)
class Redirect:
    location: str


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]
    body: bytes
    payload: dict[str, Any] | None  # None when the signature did not verify

    @property
    def webhook_id(self) -> str:
        return self.headers["webhook-id"]


@dataclass
class Receiver:
    secret: str | None = None
    plan: list[int | str | Redirect] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    port: int = 0
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    _server: asyncio.Server | None = None
    _release: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    async def start(self) -> Receiver:
        self.port = free_port()
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", self.port)
        return self

    async def stop(self) -> None:
        self._release.set()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    def verified(self) -> list[dict[str, Any]]:
        assert all(r.payload is not None for r in self.received), "a request's signature did not verify"
        return [r.payload for r in self.received if r.payload is not None]

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            headers = {}
            for line in lines[1:]:
                if ":" in line:
                    name, _, value = line.partition(":")
                    headers[name.strip().lower()] = value.strip()
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            payload = None
            if self.secret is not None:
                try:
                    payload = Webhook(self.secret).verify(body, headers)
                except Exception:
                    payload = None
            self.received.append(Received(headers, body, payload))
            self.arrived.set()
            answer = self.plan.pop(0) if self.plan else 200
            if answer == HANG:
                await self._release.wait()
                return
            extra = ""
            if isinstance(answer, Redirect):
                status, extra = 302, f"Location: {answer.location}\r\n"
            else:
                status = int(answer)
            text = json.dumps({"ok": status < 300}).encode()
            writer.write(
                f"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {len(text)}\r\n"
                f"{extra}Connection: close\r\n\r\n".encode()
                + text
            )
            await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()
