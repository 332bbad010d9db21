"""ASGI middleware: a request id for every request and one JSON log line each."""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import metrics, request_context

log = logging.getLogger("app.request")


class RequestLogMiddleware:
    """Gives each request an id (``X-Request-ID``) and logs it when it ends.

    A plain ASGI middleware rather than ``BaseHTTPMiddleware``: it adds no
    task or stream wrapping to the hot path.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_context.new_request_id()
        state: dict[str, Any] = scope.setdefault("state", {})
        state["request_id"] = request_id
        context = request_context.RequestContext(request_id)
        # Reset at the end: a caller running the app in its own task (tests) must not keep it.
        context_token = request_context.current.set(context)
        started = time.perf_counter()
        status = 500
        responded = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, responded
            if message["type"] == "http.response.start":
                responded = True
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            # Whatever escaped the routes still answers JSON with a code and the
            # request id (Starlette's own 500 is plain text without either).
            log.exception("unhandled error", extra={"request_id": request_id})
            if responded:
                raise
            await _internal_error(send_with_id, request_id)
        finally:
            seconds = time.perf_counter() - started
            if scope["path"] == "/graphql":
                _observe(context, status, seconds)
            if log.isEnabledFor(logging.INFO):
                log.info(
                    "request",
                    extra={
                        "request_id": request_id,
                        "method": scope["method"],
                        "path": scope["path"],
                        "operation": state.get("operation"),
                        "status": status,
                        "duration_ms": round(seconds * 1000, 2),
                    },
                )
            request_context.current.reset(context_token)


def _observe(context: request_context.RequestContext, status: int, seconds: float) -> None:
    outcome = context.outcome
    if outcome is None:
        if status < 400:
            return  # GraphiQL's page, not a GraphQL request
        outcome = "internal" if status >= 500 else "rejected"
    metrics.observe_request(context.operation, outcome, seconds, context.statements)


async def _internal_error(send: Send, request_id: str) -> None:
    message = f"Internal server error. Quote request id {request_id} to support."
    body = json.dumps({"errors": [{"message": message, "extensions": {"code": "INTERNAL", "requestId": request_id}}]})
    await send({"type": "http.response.start", "status": 500, "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": body.encode()})
