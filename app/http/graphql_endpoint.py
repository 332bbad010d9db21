"""The GraphQL endpoint: a thin Starlette handler around graphql-core.

Strawberry builds the schema; execution goes straight to graphql-core with
parsed and validated documents cached by query text, which is what keeps the
endpoint's overhead small (see bench/http.py). Rules enforced here:

* POST bodies are JSON objects only (no forms, so no cross-site mutation; no
  batched lists), at most ``MAX_BODY_BYTES``.
* GET runs queries only; mutations over GET are refused with 405.
* Errors carry ``extensions.code``; unexpected exceptions become ``INTERNAL``
  with the request id, and the traceback goes only to the log.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    GraphQLError,
    GraphQLSchema,
    OperationType,
    execute,
    parse,
    specified_rules,
    validate,
)
from graphql.pyutils import is_awaitable
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from app import settings as limits
from app.context import Context
from app.errors import ApiError, Unauthenticated
from app.http.query_limits import LIMIT_RULES
from app.tokens import API_KEY_PREFIX
from app.viewer import bearer_token

log = logging.getLogger("app.graphql")

VALIDATION_RULES = (*specified_rules, *LIMIT_RULES)


class RequestProblem(Exception):
    """The HTTP request itself is unusable; answered before any execution."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


@dataclass(frozen=True, slots=True)
class Prepared:
    """A parsed and validated document, or the errors that stop it."""

    document: DocumentNode | None
    errors: tuple[dict[str, Any], ...]
    # Operation name (None for the only anonymous one) -> its type.
    operations: dict[str | None, OperationType]


def _error_dict(message: str, code: str, **extra: Any) -> dict[str, Any]:
    return {"message": message, "extensions": {"code": code, **extra}}


def _located(error: GraphQLError, code: str) -> dict[str, Any]:
    formatted = error.formatted
    extensions = dict(formatted.get("extensions") or {})
    extensions.setdefault("code", code)
    formatted["extensions"] = extensions
    return dict(formatted)


def make_preparer(schema: GraphQLSchema) -> Callable[[str], Prepared]:
    @lru_cache(maxsize=2048)
    def prepare(query: str) -> Prepared:
        try:
            document = parse(query, max_tokens=limits.MAX_TOKENS)
        except GraphQLError as error:
            return Prepared(None, (_located(error, "GRAPHQL_PARSE_FAILED"),), {})
        errors = validate(schema, document, VALIDATION_RULES, max_errors=20)
        if errors:
            return Prepared(None, tuple(_located(e, "GRAPHQL_VALIDATION_FAILED") for e in errors), {})
        operations = {
            (node.name.value if node.name else None): node.operation
            for node in document.definitions
            if hasattr(node, "operation")
        }
        return Prepared(document, (), operations)

    return prepare


def _operation_type(prepared: Prepared, operation_name: str | None) -> OperationType:
    ops = prepared.operations
    if operation_name is None:
        if len(ops) != 1:
            raise RequestProblem(
                400, "INVALID_INPUT", "The document has several operations: name one in operationName."
            )
        return next(iter(ops.values()))
    if operation_name not in ops:
        raise RequestProblem(400, "INVALID_INPUT", f"No operation named '{operation_name}' in the document.")
    return ops[operation_name]


class GraphQLEndpoint:
    """Holds the schema and turns requests into execution results."""

    def __init__(
        self,
        schema: GraphQLSchema,
        graphiql_html: str | None,
        make_context: Callable[[Request, str, bool], Any],
    ) -> None:
        self.schema = schema
        self.graphiql_html = graphiql_html
        self.prepare = make_preparer(schema)
        self.make_context = make_context

    async def handle(self, request: Request) -> Response:
        request_id: str = request.scope.get("state", {}).get("request_id", "-")
        try:
            if request.method == "POST":
                params = await self._post_params(request)
            elif request.method == "GET":
                if "query" not in request.query_params:
                    return self._ide_or_hint(request)
                params = self._get_params(request)
            else:
                raise RequestProblem(405, "METHOD_NOT_ALLOWED", "Use POST (or GET for queries).")
            return await self._run(request, request_id, params)
        except RequestProblem as problem:
            return JSONResponse(
                {"errors": [_error_dict(str(problem), problem.code)]},
                status_code=problem.status,
                headers={"Allow": "GET, POST"} if problem.status == 405 else None,
            )

    def _ide_or_hint(self, request: Request) -> Response:
        if self.graphiql_html is not None and "text/html" in request.headers.get("accept", ""):
            return HTMLResponse(self.graphiql_html)
        raise RequestProblem(400, "INVALID_INPUT", "Send a query: POST a JSON body {query, variables, operationName}.")

    async def _post_params(self, request: Request) -> dict[str, Any]:
        content_type = request.headers.get("content-type", "")
        if content_type.split(";", 1)[0].strip().lower() != "application/json":
            raise RequestProblem(415, "UNSUPPORTED_MEDIA_TYPE", "POST a JSON body with Content-Type: application/json.")
        body = await read_limited_body(request, body_limit(request.headers.get("authorization")))
        try:
            params = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            raise RequestProblem(400, "INVALID_JSON", "The body is not valid JSON.") from None
        if isinstance(params, list):
            raise RequestProblem(
                400, "BATCH_NOT_SUPPORTED", "Batched requests are not supported: send one operation per request."
            )
        if not isinstance(params, dict):
            raise RequestProblem(
                400, "INVALID_INPUT", "The body must be a JSON object {query, variables, operationName}."
            )
        return params

    def _get_params(self, request: Request) -> dict[str, Any]:
        query_params = request.query_params
        params: dict[str, Any] = {
            "query": query_params.get("query"),
            "operationName": query_params.get("operationName"),
        }
        if raw := query_params.get("variables"):
            try:
                params["variables"] = json.loads(raw)
            except ValueError:
                raise RequestProblem(400, "INVALID_JSON", "The variables parameter is not valid JSON.") from None
        return params

    async def _run(self, request: Request, request_id: str, params: dict[str, Any]) -> Response:
        query = params.get("query")
        variables = params.get("variables")
        operation_name = params.get("operationName")
        if not isinstance(query, str) or not query.strip():
            raise RequestProblem(400, "INVALID_INPUT", "The request has no query string.")
        if variables is not None and not isinstance(variables, dict):
            raise RequestProblem(400, "INVALID_INPUT", "variables must be a JSON object.")
        if operation_name is not None and not isinstance(operation_name, str):
            raise RequestProblem(400, "INVALID_INPUT", "operationName must be a string.")

        prepared = self.prepare(query)
        if prepared.document is None:
            return JSONResponse({"errors": list(prepared.errors)}, status_code=400)
        operation = _operation_type(prepared, operation_name)
        if operation is OperationType.MUTATION and request.method == "GET":
            raise RequestProblem(405, "METHOD_NOT_ALLOWED", "Mutations are accepted only over POST.")
        if operation is OperationType.SUBSCRIPTION:
            raise RequestProblem(
                400, "INVALID_INPUT", "Subscriptions run over WebSocket (graphql-transport-ws) on /graphql."
            )
        request.scope.setdefault("state", {})["operation"] = operation_name

        context: Context = await self.make_context(request, request_id, operation is OperationType.MUTATION)
        try:
            result = execute(
                self.schema,
                prepared.document,
                context_value=context,
                variable_values=variables,
                operation_name=operation_name,
            )
            if is_awaitable(result):
                result = await result
        finally:
            await context.uow.close()
        assert isinstance(result, ExecutionResult)
        return self._respond(result, request_id)

    def _respond(self, result: ExecutionResult, request_id: str) -> Response:
        body: dict[str, Any] = {}
        status = 200
        if result.errors:
            body["errors"] = [format_error(error, request_id) for error in result.errors]
            if any(isinstance(error.original_error, Unauthenticated) for error in result.errors):
                # The contract: without a valid token a protected operation answers data null.
                return JSONResponse({"errors": body["errors"], "data": None})
            if result.data is None and all(error.path is None for error in result.errors):
                # Variables did not coerce: nothing executed.
                status = 400
        if result.data is not None or status == 200:
            body["data"] = result.data
        return JSONResponse(body, status_code=status)


def format_error(error: GraphQLError, request_id: str) -> dict[str, Any]:
    original = error.original_error
    if isinstance(original, ApiError):
        formatted = dict(error.formatted)
        formatted["message"] = str(original)
        formatted["extensions"] = {"code": original.code}
        return formatted
    if error.path is None:
        # Raised while coercing the request's variables: the caller's input.
        return _located(error, "INVALID_INPUT")
    log.error(
        "unexpected error in %s",
        ".".join(str(p) for p in error.path),
        exc_info=(type(original), original, original.__traceback__) if original else None,
        extra={"request_id": request_id, "error": error.message},
    )
    return {
        "message": f"Internal server error. Quote request id {request_id} to support.",
        "locations": error.formatted.get("locations"),
        "path": error.path,
        "extensions": {"code": "INTERNAL", "requestId": request_id},
    }


def body_limit(authorization: str | None) -> int:
    """1 MB for everyone; more for a request carrying an API key (ERP batches)."""
    token = bearer_token(authorization)
    if token is not None and token.startswith(API_KEY_PREFIX):
        return limits.MAX_INTEGRATION_BODY_BYTES
    return limits.MAX_BODY_BYTES


async def read_limited_body(request: Request, limit: int) -> bytes:
    """The request body, refusing (413) anything over ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            if int(declared) > limit:
                raise _too_large(limit)
        except ValueError:
            raise RequestProblem(400, "INVALID_INPUT", "Content-Length is not a number.") from None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(limit: int) -> RequestProblem:
    return RequestProblem(413, "PAYLOAD_TOO_LARGE", f"The body is larger than {limit:,} bytes; send less at once.")
