"""Subscriptions on /graphql over WebSocket: the graphql-transport-ws protocol on graphql-core.

The protocol (github.com/enisdenjo/graphql-ws, PROTOCOL.md) is eight small
messages; implementing them here on graphql-core's ``subscribe`` keeps one
execution path with the HTTP endpoint (same cached parse and validation, same
limits, same error format) instead of a second Strawberry view with its own
context. What the server enforces:

* the subprotocol ``graphql-transport-ws`` (else close 4406);
* ``connection_init`` within ``LIVE_INIT_TIMEOUT_SECONDS`` (else 4408), once
  (a second is 4429), carrying a user's token (else 4403, reason UNAUTHENTICATED
  or FORBIDDEN); ``subscribe`` before the ack is 4401;
* text messages of at most ``LIVE_MAX_MESSAGE_BYTES`` (else 1009), valid JSON
  with a known type (else 4400); a reused operation id is 4409;
* at most ``LIVE_MAX_SUBSCRIPTIONS_PER_CONNECTION`` operations (the next gets an
  ``error`` with TOO_MANY_SUBSCRIPTIONS; the connection stays);
* only subscriptions: queries and mutations go over HTTP;
* a ping every ``LIVE_PING_SECONDS``; a client silent for
  ``LIVE_IDLE_SECONDS`` is closed (4408).

An operation that ends on its own sends ``complete``; one refused or ended by
the server (reach lost, SLOW_CONSUMER) sends ``error`` with ``extensions.code``,
which also ends it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import time
from collections.abc import AsyncGenerator, Callable
from contextlib import aclosing
from typing import Any, cast

from graphql import ExecutionResult, GraphQLError, GraphQLSchema, OperationType, subscribe
from graphql.pyutils import is_awaitable
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from app import request_context
from app import settings as limits
from app.db import Database
from app.errors import ApiError
from app.http.graphql_endpoint import Prepared, format_error
from app.live.context import LiveContext
from app.live.hub import Hub
from app.loaders import Loaders
from app.ratelimit.app_limits import AppLimits
from app.settings import Settings
from app.unit_of_work import UnitOfWork
from app.viewer import ANONYMOUS, Viewer, bearer_token, resolve_viewer

log = logging.getLogger("app.live")

PROTOCOL = "graphql-transport-ws"
MAX_OPERATION_ID_CHARS = 128


class CloseConnection(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


def _error(message: str, code: str, **extra: Any) -> dict[str, Any]:
    return {"message": message, "extensions": {"code": code, **extra}}


class LiveEndpoint:
    """The WebSocket side of /graphql."""

    def __init__(
        self,
        schema: GraphQLSchema,
        prepare: Callable[[str], Prepared],
        database: Database,
        settings: Settings,
        hub: Hub,
        rate_limits: AppLimits,
    ) -> None:
        self.schema = schema
        self.prepare = prepare
        self.database = database
        self.settings = settings
        self.hub = hub
        self.rate_limits = rate_limits

    async def handle(self, websocket: WebSocket) -> None:
        if PROTOCOL not in websocket.scope.get("subprotocols", []):
            await websocket.accept()
            await websocket.close(4406, f"Subprotocol not acceptable: use {PROTOCOL}.")
            return
        # Which worker took the connection: operators (and the tests) can tell the processes apart.
        await websocket.accept(subprotocol=PROTOCOL, headers=[(b"x-served-by", str(os.getpid()).encode())])
        await _Connection(self, websocket).run()


class _Connection:
    def __init__(self, endpoint: LiveEndpoint, websocket: WebSocket) -> None:
        self.endpoint = endpoint
        self.websocket = websocket
        self.request_id = request_context.new_request_id()
        self.token: str | None = None
        self.operations: dict[str, asyncio.Task[None]] = {}
        self.send_lock = asyncio.Lock()
        self.last_heard = time.monotonic()

    async def run(self) -> None:
        keepalive: asyncio.Task[None] | None = None
        try:
            try:
                first = await asyncio.wait_for(self._receive(), limits.LIVE_INIT_TIMEOUT_SECONDS)
            except TimeoutError:
                raise CloseConnection(4408, "Connection initialisation timeout") from None
            await self._init(first)
            keepalive = asyncio.create_task(self._keepalive())
            while True:
                await self._handle(await self._receive())
        except CloseConnection as close:
            await self._close(close.code, close.reason)
        except WebSocketDisconnect:
            pass
        finally:
            if keepalive is not None:
                keepalive.cancel()
            for task in list(self.operations.values()):
                task.cancel()
            if self.operations:
                await asyncio.gather(*self.operations.values(), return_exceptions=True)

    # --- messages in -----------------------------------------------------------------------

    async def _receive(self) -> dict[str, Any]:
        message = await self.websocket.receive()
        if message["type"] == "websocket.disconnect":
            raise WebSocketDisconnect(message.get("code", 1000))
        self.last_heard = time.monotonic()
        text = message.get("text")
        if text is None:
            raise CloseConnection(4400, "Send text messages (JSON), not binary.")
        if len(text) > limits.LIVE_MAX_MESSAGE_BYTES or len(text.encode()) > limits.LIVE_MAX_MESSAGE_BYTES:
            raise CloseConnection(1009, f"Message larger than {limits.LIVE_MAX_MESSAGE_BYTES:,} bytes.")
        try:
            parsed = json.loads(text)
        except ValueError:
            raise CloseConnection(4400, "The message is not valid JSON.") from None
        if not isinstance(parsed, dict) or not isinstance(parsed.get("type"), str):
            raise CloseConnection(4400, "A message is a JSON object with a type.")
        return parsed

    async def _init(self, message: dict[str, Any]) -> None:
        kind = message["type"]
        if kind == "subscribe":
            raise CloseConnection(4401, "Unauthorized: send connection_init first.")
        if kind != "connection_init":
            raise CloseConnection(4400, "The first message must be connection_init.")
        payload = message.get("payload") or {}
        if not isinstance(payload, dict):
            raise CloseConnection(4400, "connection_init's payload must be an object.")
        authorization = payload.get("Authorization", payload.get("authorization"))
        self.token = bearer_token(authorization) if isinstance(authorization, str) else None
        viewer = await self._viewer()
        if viewer.is_api_key:
            raise CloseConnection(4403, "FORBIDDEN: an API key cannot use storefront subscriptions.")
        if not viewer.is_user:
            raise CloseConnection(4403, 'UNAUTHENTICATED: send {"Authorization": "Bearer <token>"} in the payload.')
        await self._send({"type": "connection_ack"})

    async def _viewer(self) -> Viewer:
        if self.token is None:
            return ANONYMOUS
        async with self.endpoint.database.reader() as session:
            return await resolve_viewer(session, self.token)

    async def _handle(self, message: dict[str, Any]) -> None:
        kind = message["type"]
        if kind == "ping":
            await self._send({"type": "pong"})
        elif kind == "pong":
            pass
        elif kind == "subscribe":
            await self._subscribe(message)
        elif kind == "complete":
            task = self.operations.get(str(message.get("id")))
            if task is not None:
                task.cancel()
        elif kind == "connection_init":
            raise CloseConnection(4429, "Too many initialisation requests")
        else:
            raise CloseConnection(4400, f"Unknown message type {kind[:40]!r}.")

    async def _subscribe(self, message: dict[str, Any]) -> None:
        operation_id = message.get("id")
        payload = message.get("payload")
        if not isinstance(operation_id, str) or not operation_id or len(operation_id) > MAX_OPERATION_ID_CHARS:
            raise CloseConnection(
                4400, f"subscribe needs an id (a string of 1 to {MAX_OPERATION_ID_CHARS} characters)."
            )
        if not isinstance(payload, dict):
            raise CloseConnection(4400, "subscribe needs a payload {query, variables, operationName}.")
        if operation_id in self.operations:
            raise CloseConnection(4409, f"Subscriber for {operation_id} already exists")
        errors = self._refusal(payload)
        if errors is not None:
            await self._send({"type": "error", "id": operation_id, "payload": errors})
            return
        listening = asyncio.Event()
        task = asyncio.create_task(self._operation(operation_id, payload, listening))
        self.operations[operation_id] = task
        # The next message is read only once the subscription listens (or has ended): a client that
        # subscribes and then acts, or pings, must not act before it listens. Starting it may wait for
        # the hub's LISTEN connection (at most LIVE_LISTEN_CONNECT_SECONDS); under load the change
        # came first, was missed, and only the periodic re-check ended the stream.
        listened = asyncio.ensure_future(listening.wait())
        await asyncio.wait({task, listened}, return_when=asyncio.FIRST_COMPLETED)
        listened.cancel()

    def _refusal(self, payload: dict[str, Any]) -> list[dict[str, Any]] | None:
        """Why this subscribe cannot start, as the payload of an ``error`` message; None when it can."""
        if len(self.operations) >= limits.LIVE_MAX_SUBSCRIPTIONS_PER_CONNECTION:
            return [
                _error(
                    f"At most {limits.LIVE_MAX_SUBSCRIPTIONS_PER_CONNECTION} subscriptions per connection; "
                    "complete one first.",
                    "TOO_MANY_SUBSCRIPTIONS",
                )
            ]
        query, variables, name = payload.get("query"), payload.get("variables"), payload.get("operationName")
        if not isinstance(query, str) or not query.strip():
            return [_error("The payload has no query string.", "INVALID_INPUT")]
        if variables is not None and not isinstance(variables, dict):
            return [_error("variables must be a JSON object.", "INVALID_INPUT")]
        if name is not None and not isinstance(name, str):
            return [_error("operationName must be a string.", "INVALID_INPUT")]
        prepared = self.endpoint.prepare(query)
        if prepared.document is None:
            return list(prepared.errors)
        operations = prepared.operations
        if name is None and len(operations) != 1:
            return [_error("The document has several operations: name one in operationName.", "INVALID_INPUT")]
        operation = operations.get(name) if name is not None else next(iter(operations.values()))
        if operation is None:
            return [_error(f"No operation named '{name}' in the document.", "INVALID_INPUT")]
        if operation is not OperationType.SUBSCRIPTION:
            return [
                _error(
                    "Only subscriptions run over WebSocket; send queries and mutations over HTTP POST.", "INVALID_INPUT"
                )
            ]
        return None

    # --- one operation ---------------------------------------------------------------------

    async def _operation(self, operation_id: str, payload: dict[str, Any], listening: asyncio.Event) -> None:
        endpoint = self.endpoint
        uow = UnitOfWork(endpoint.database)
        context = LiveContext(
            request_id=self.request_id,
            settings=endpoint.settings,
            database=endpoint.database,
            viewer=ANONYMOUS,
            uow=uow,
            loaders=Loaders(uow),
            rate_limits=endpoint.rate_limits.for_request(self.websocket),
            token=self.token,
            hub=endpoint.hub,
            listening=listening,
        )
        prepared = endpoint.prepare(payload["query"])
        try:
            result = subscribe(
                endpoint.schema,
                prepared.document,  # type: ignore[arg-type]  # checked in _refusal
                context_value=context,
                variable_values=payload.get("variables"),
                operation_name=payload.get("operationName"),
            )
            if is_awaitable(result):
                result = await result
            if isinstance(result, ExecutionResult):
                errors = [format_error(error, self.request_id) for error in result.errors or []]
                await self._send({"type": "error", "id": operation_id, "payload": errors})
                return
            async with aclosing(cast("AsyncGenerator[ExecutionResult, None]", result)) as stream:
                async for item in stream:
                    await self._send({"type": "next", "id": operation_id, "payload": self._result(item)})
            await self._send({"type": "complete", "id": operation_id})
        except asyncio.CancelledError:
            raise
        except Exception as error:  # noqa: BLE001 - every failure ends the operation with a coded error
            await self._send_failure(operation_id, error)
        finally:
            self.operations.pop(operation_id, None)
            await context.uow.close()

    def _result(self, item: ExecutionResult) -> dict[str, Any]:
        body: dict[str, Any] = {"data": item.data}
        if item.errors:
            body["errors"] = [format_error(error, self.request_id) for error in item.errors]
        return body

    async def _send_failure(self, operation_id: str, error: Exception) -> None:
        original = error.original_error if isinstance(error, GraphQLError) else error
        if isinstance(original, ApiError):
            errors = [_error(str(original), original.code)]
        elif isinstance(error, GraphQLError) and original is None:
            errors = [format_error(error, self.request_id)]
        else:
            log.error(
                "live operation failed",
                exc_info=(type(original), original, original.__traceback__) if original else None,
                extra={"request_id": self.request_id},
            )
            errors = [
                _error(
                    f"Internal server error. Quote request id {self.request_id} to support.",
                    "INTERNAL",
                    requestId=self.request_id,
                )
            ]
        with contextlib.suppress(Exception):
            await self._send({"type": "error", "id": operation_id, "payload": errors})

    # --- messages out ----------------------------------------------------------------------

    async def _send(self, message: dict[str, Any]) -> None:
        async with self.send_lock:
            await self.websocket.send_text(json.dumps(message, separators=(",", ":"), default=str))

    async def _keepalive(self) -> None:
        while True:
            await asyncio.sleep(limits.LIVE_PING_SECONDS)
            if time.monotonic() - self.last_heard > limits.LIVE_IDLE_SECONDS:
                await self._close(4408, f"Idle: nothing heard for {limits.LIVE_IDLE_SECONDS:g} s (answer pings).")
                return
            with contextlib.suppress(Exception):
                await self._send({"type": "ping"})

    async def _close(self, code: int, reason: str) -> None:
        if self.websocket.application_state is WebSocketState.CONNECTED:
            with contextlib.suppress(Exception):
                await self.websocket.close(code, reason)
