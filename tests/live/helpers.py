"""Talking graphql-transport-ws to a server as a client does (with the ``websockets`` package)."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import uvicorn
import websockets
from starlette.applications import Starlette

from tests.helpers.smtp import free_port

PROTOCOL = "graphql-transport-ws"
WAIT = 15.0  # generous: the machine is shared; a live event normally arrives in milliseconds

CART_CHANGED = """subscription CartChanged($cartId: ID!) {
  cartChanged(cartId: $cartId) {
    id name status version
    updatedBy { name }
    lines { id quantity product { sku name } }
    total { amount }
  }
}"""

CUSTOMER_CARTS_CHANGED = """subscription CustomerCartsChanged($customerNumber: String!) {
  customerCartsChanged(customerNumber: $customerNumber) {
    kind cartId
    cart { id name version status lineCount }
  }
}"""


@dataclass
class LiveClient:
    ws: websockets.ClientConnection

    @property
    def served_by(self) -> str:
        """The pid of the worker that took the connection (the x-served-by header)."""
        assert self.ws.response is not None
        return self.ws.response.headers["x-served-by"]

    async def send(self, message: dict[str, Any]) -> None:
        await self.ws.send(json.dumps(message))

    async def receive(self, timeout: float = WAIT) -> dict[str, Any]:
        """The next message other than a ping (pings are answered)."""
        while True:
            raw = await asyncio.wait_for(self.ws.recv(), timeout)
            message = json.loads(raw)
            if message.get("type") == "ping":
                await self.send({"type": "pong"})
                continue
            return message

    async def subscribe(self, operation_id: str, query: str, variables: dict[str, Any]) -> None:
        await self.send({"id": operation_id, "type": "subscribe", "payload": {"query": query, "variables": variables}})

    async def next_data(self, operation_id: str, timeout: float = WAIT) -> dict[str, Any]:
        message = await self.receive(timeout)
        assert message.get("type") == "next" and message.get("id") == operation_id, message
        assert "errors" not in message["payload"], message
        return message["payload"]["data"]

    async def closed_with(self, timeout: float = WAIT) -> tuple[int | None, str]:
        """The close code and reason the server ended the connection with."""
        with contextlib.suppress(websockets.ConnectionClosed):
            while True:
                await asyncio.wait_for(self.ws.recv(), timeout)
        assert self.ws.close_code is not None
        return self.ws.close_code, self.ws.close_reason or ""


def error_codes(message: dict[str, Any]) -> list[str]:
    assert message.get("type") == "error", message
    return [error["extensions"]["code"] for error in message["payload"]]


@contextlib.asynccontextmanager
async def open_client(url: str, token: str | None, *, init: bool = True) -> AsyncIterator[LiveClient]:
    async with websockets.connect(url, subprotocols=[PROTOCOL], open_timeout=WAIT) as ws:
        client = LiveClient(ws)
        if init:
            await client.send({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
            ack = await client.receive()
            assert ack == {"type": "connection_ack"}, ack
        yield client


@contextlib.asynccontextmanager
async def serving(app: Starlette) -> AsyncIterator[str]:
    """The app on a real uvicorn server in this event loop; yields its ws:// URL of /graphql."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    task = asyncio.create_task(server.serve())
    for _ in range(200):
        if server.started:
            break
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    try:
        yield f"ws://127.0.0.1:{port}/graphql"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 15)
