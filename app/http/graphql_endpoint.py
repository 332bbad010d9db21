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
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    parse,
    specified_rules,
    validate,
)
from graphql.pyutils import is_awaitable
from starlette.requests import Request
from starlette.responses import Response

from app import request_context
from app import settings as limits
from app.context import Context
from app.errors import ApiError, Unauthenticated
from app.http.abandoned import finish_abandoned_resolvers
from app.http.document_cache import SizeBoundedCache
from app.http.execution import check_schema, execute_plain
from app.http.failures import RETRY_AFTER_SECONDS, SERVICE_UNAVAILABLE, unavailable_reason
from app.http.input_hygiene import StringLiteralRule, variables_problem
from app.http.query_cost import IntrospectionSizes, cost_variables, fragments_of, operation_cost
from app.http.query_limits import LIMIT_RULES
from app.http.responses import ApiJSONResponse as JSONResponse
from app.ratelimit import too_many_requests
from app.tokens import API_KEY_PREFIX
from app.viewer import Viewer, bearer_token

log = logging.getLogger("app.graphql")

VALIDATION_RULES = (*specified_rules, *LIMIT_RULES, StringLiteralRule)
_SUGGESTION = re.compile(r" ?Did you mean .*\?$", re.S)


class RequestProblem(Exception):
    """The HTTP request itself is unusable; answered before any execution."""

    def __init__(self, status: int, code: str, message: str, **extensions: Any) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.extensions = extensions


@dataclass(frozen=True, slots=True)
class Prepared:
    """A parsed and validated document, or the errors that stop it."""

    document: DocumentNode | None
    errors: tuple[dict[str, Any], ...]
    # Operation name (None for the only anonymous one) -> its type.
    operations: dict[str | None, OperationType]
    # Operation name -> its cost when no variable changes it (see app/http/query_cost.py).
    costs: dict[str | None, int | None] = field(default_factory=dict)
    # Operation names that read __schema or __type.
    introspecting: frozenset[str | None] = frozenset()

    def cost(self, schema: GraphQLSchema, sizes: IntrospectionSizes, name: str | None, variables: Any) -> int:
        if name is None and len(self.costs) == 1:
            name = next(iter(self.costs))
        known = self.costs.get(name)
        if known is not None or self.document is None:
            return known or 0
        definitions = self.document.definitions
        operation = next(
            d
            for d in definitions
            if isinstance(d, OperationDefinitionNode) and (d.name.value if d.name else None) == name
        )
        return operation_cost(schema, sizes, operation, fragments_of(definitions), variables)


def _error_dict(message: str, code: str, **extra: Any) -> dict[str, Any]:
    return {"message": message, "extensions": {"code": code, **extra}}


def _located(error: GraphQLError, code: str) -> dict[str, Any]:
    formatted = error.formatted
    extensions = dict(formatted.get("extensions") or {})
    extensions.setdefault("code", code)
    formatted["extensions"] = extensions
    return dict(formatted)


def _introspects(operation: OperationDefinitionNode, fragments: dict[str, FragmentDefinitionNode]) -> bool:
    """Whether the operation reads ``__schema`` or ``__type`` anywhere (fragments included)."""
    stack = [operation.selection_set]
    seen: set[str] = set()
    while stack:
        for selection in stack.pop().selections:
            if isinstance(selection, FieldNode):
                if selection.name.value in ("__schema", "__type"):
                    return True
                if selection.selection_set is not None:
                    stack.append(selection.selection_set)
            elif getattr(selection, "selection_set", None) is not None:
                stack.append(selection.selection_set)  # type: ignore[attr-defined]
            elif (name := selection.name.value) not in seen and name in fragments:  # type: ignore[attr-defined]
                seen.add(name)
                stack.append(fragments[name].selection_set)
    return False


def make_preparer(schema: GraphQLSchema) -> Callable[[str], Prepared]:
    sizes = IntrospectionSizes(schema)
    cache: SizeBoundedCache[Prepared] = SizeBoundedCache(limits.MAX_CACHED_QUERY_CHARS)

    def make(query: str) -> Prepared:
        try:
            document = parse(query, max_tokens=limits.MAX_TOKENS)
        except GraphQLError as error:
            return Prepared(None, (_located(error, "GRAPHQL_PARSE_FAILED"),), {})
        errors = validate(schema, document, VALIDATION_RULES, max_errors=20)
        if errors:
            return Prepared(None, tuple(_located(e, "GRAPHQL_VALIDATION_FAILED") for e in errors), {})
        fragments = fragments_of(document.definitions)
        nodes = {
            (node.name.value if node.name else None): node
            for node in document.definitions
            if isinstance(node, OperationDefinitionNode)
        }
        return Prepared(
            document,
            (),
            {name: node.operation for name, node in nodes.items()},
            {
                name: None if cost_variables(node, fragments) else operation_cost(schema, sizes, node, fragments)
                for name, node in nodes.items()
            },
            frozenset(name for name, node in nodes.items() if _introspects(node, fragments)),
        )

    entries = cache.entries

    def valid(prepared: Prepared) -> bool:
        return prepared.document is not None

    def prepare(query: str) -> Prepared:
        # The hit path inline: it runs on every request.
        if (hit := entries.get(query)) is not None:
            entries.move_to_end(query)
            return hit
        return cache.get_or_make(query, make, valid)

    prepare.cache = cache  # type: ignore[attr-defined]
    prepare.sizes = sizes  # type: ignore[attr-defined]
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


def _checked_params(params: dict[str, Any]) -> tuple[str, dict[str, Any] | None, str | None]:
    """The query, variables and operation name of a request, refused (400) when malformed."""
    query = params.get("query")
    variables = params.get("variables")
    operation_name = params.get("operationName")
    if not isinstance(query, str) or not query.strip():
        raise RequestProblem(400, "INVALID_INPUT", "The request has no query string.")
    if variables is not None and not isinstance(variables, dict):
        raise RequestProblem(400, "INVALID_INPUT", "variables must be a JSON object.")
    if operation_name is not None and not isinstance(operation_name, str):
        raise RequestProblem(400, "INVALID_INPUT", "operationName must be a string.")
    if variables and (problem := variables_problem(variables)) is not None:
        raise RequestProblem(400, "INVALID_INPUT", problem)
    return query, variables, operation_name


def _check_transport(operation: OperationType, method: str) -> None:
    """Mutations only over POST; subscriptions only over WebSocket."""
    if operation is OperationType.MUTATION and method == "GET":
        raise RequestProblem(405, "METHOD_NOT_ALLOWED", "Mutations are accepted only over POST.")
    if operation is OperationType.SUBSCRIPTION:
        raise RequestProblem(
            400, "INVALID_INPUT", "Subscriptions run over WebSocket (graphql-transport-ws) on /graphql."
        )


class GraphQLEndpoint:
    """Holds the schema and turns requests into execution results."""

    def __init__(
        self,
        schema: GraphQLSchema,
        graphiql_page: Callable[[], Response] | None,
        make_context: Callable[[Request, str, bool], Any],
        identify: Callable[[str], Awaitable[Viewer]] | None = None,
    ) -> None:
        check_schema(schema)
        finish_abandoned_resolvers(schema)
        self.schema = schema
        self.graphiql_page = graphiql_page
        self.prepare = make_preparer(schema)
        self.make_context = make_context
        # Resolves a bearer token on its own session: to verify an API key before
        # its larger body allowance, and to know who gets validation suggestions.
        self.identify = identify

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
            headers = {"Allow": "GET, POST"} if problem.status == 405 else None
            if problem.status == 503:
                headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
            return JSONResponse(
                {"errors": [_error_dict(str(problem), problem.code, **problem.extensions, requestId=request_id)]},
                status_code=problem.status,
                headers=headers,
            )
        except Exception as error:
            # Anything unforeseen still answers JSON with a code and the request id.
            if (reason := unavailable_reason(error)) is not None:
                log.warning("database unavailable: %s", reason, extra={"request_id": request_id, "error": repr(error)})
                body = _error_dict(f"Try again shortly: {reason}.", SERVICE_UNAVAILABLE, requestId=request_id)
                return JSONResponse(
                    {"errors": [body]}, status_code=503, headers={"Retry-After": str(RETRY_AFTER_SECONDS)}
                )
            log.exception("unexpected error in the endpoint", extra={"request_id": request_id})
            message = f"Internal server error. Quote request id {request_id} to support."
            return JSONResponse({"errors": [_error_dict(message, "INTERNAL", requestId=request_id)]}, status_code=500)

    def _ide_or_hint(self, request: Request) -> Response:
        if self.graphiql_page is not None and "text/html" in request.headers.get("accept", ""):
            return self.graphiql_page()
        raise RequestProblem(400, "INVALID_INPUT", "Send a query: POST a JSON body {query, variables, operationName}.")

    async def _post_params(self, request: Request) -> dict[str, Any]:
        content_type = request.headers.get("content-type", "")
        if content_type.split(";", 1)[0].strip().lower() != "application/json":
            raise RequestProblem(415, "UNSUPPORTED_MEDIA_TYPE", "POST a JSON body with Content-Type: application/json.")
        body = await read_limited_body(request, self._larger_allowance(request.headers.get("authorization")))
        params = _load_json(body, "The body is not valid JSON.")
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
            params["variables"] = _load_json(raw, "The variables parameter is not valid JSON.")
        return params

    def _larger_allowance(self, authorization: str | None) -> Callable[[], Awaitable[bool]] | None:
        """For an API key's request: whether it may send more than a user (checked only when it does)."""
        token = bearer_token(authorization)
        if token is None or not token.startswith(API_KEY_PREFIX) or self.identify is None:
            return None
        identify = self.identify

        async def verified() -> bool:
            try:
                return (await identify(token)).is_api_key
            except Exception as error:
                if (reason := unavailable_reason(error)) is not None:
                    raise RequestProblem(503, SERVICE_UNAVAILABLE, f"Try again shortly: {reason}.") from None
                raise

        return verified

    async def _hides_suggestions(self, request: Request) -> bool:
        """'Did you mean ...' names the schema's fields: anonymous callers get none without GraphiQL."""
        if self.graphiql_page is not None:
            return False
        token = bearer_token(request.headers.get("authorization"))
        if token is None or self.identify is None:
            return True
        try:
            return (await self.identify(token)).is_anonymous
        except Exception:
            return True

    async def _run(self, request: Request, request_id: str, params: dict[str, Any]) -> Response:
        query, variables, operation_name = _checked_params(params)
        prepared = self.prepare(query)
        if prepared.document is None:
            return await self._invalid(request, prepared)
        operation = _operation_type(prepared, operation_name)
        self._check_cost(prepared, operation_name, variables)
        _check_transport(operation, request.method)
        # The operation's own name when the request does not repeat it (logs, metrics).
        named = operation_name if operation_name is not None else next(iter(prepared.operations))
        request.scope.setdefault("state", {})["operation"] = named
        request_context.set_operation(named)

        context = await self._context(request, request_id, operation is OperationType.MUTATION)
        hide_suggestions = self.graphiql_page is None and context.viewer.is_anonymous
        if (
            hide_suggestions
            and prepared.introspecting
            and (operation_name in prepared.introspecting or operation_name is None)
        ):
            await context.uow.close()
            raise RequestProblem(
                400, "GRAPHQL_VALIDATION_FAILED", "Introspection is available to signed-in callers only."
            )
        try:
            if (refusal := await context.rate_limits.admit(context.viewer)) is not None:
                return too_many_requests(refusal, request_id)
            result = execute_plain(self.schema, prepared.document, context, variables, operation_name)
            if is_awaitable(result):
                result = await result
            assert isinstance(result, ExecutionResult)
            # Fields abandoned in the background may still add errors: answer with those known now.
            result = ExecutionResult(result.data, list(result.errors) if result.errors else None)
        finally:
            await context.uow.close()
        assert isinstance(result, ExecutionResult)
        return self._respond(result, request_id, hide_suggestions)

    async def _invalid(self, request: Request, prepared: Prepared) -> Response:
        """A document that did not parse or validate: its errors, without suggestions for whom they are hidden."""
        errors = list(prepared.errors)
        if any("Did you mean" in e["message"] for e in errors) and await self._hides_suggestions(request):
            errors = [{**e, "message": _SUGGESTION.sub("", e["message"])} for e in errors]
        return JSONResponse({"errors": errors}, status_code=400)

    def _check_cost(self, prepared: Prepared, operation_name: str | None, variables: dict[str, Any] | None) -> None:
        cost = prepared.costs.get(operation_name)
        if cost is None:
            cost = prepared.cost(self.schema, self.prepare.sizes, operation_name, variables)  # type: ignore[attr-defined]
        if cost > limits.MAX_QUERY_COST:
            raise RequestProblem(
                400,
                "QUERY_TOO_COSTLY",
                f"The operation's cost is {cost:,} points; the limit is {limits.MAX_QUERY_COST:,}. "
                "Ask for smaller pages (first) or fewer nested lists.",
                cost={"requested": cost, "limit": limits.MAX_QUERY_COST},
            )

    async def _context(self, request: Request, request_id: str, write: bool) -> Context:
        """The request's context; a database that cannot be reached answers 503."""
        try:
            context: Context = await self.make_context(request, request_id, write)
        except Exception as error:
            if (reason := unavailable_reason(error)) is None:
                raise
            log.warning("request set-up failed: %s", reason, extra={"request_id": request_id, "error": repr(error)})
            raise RequestProblem(503, SERVICE_UNAVAILABLE, f"Try again shortly: {reason}.") from None
        return context

    def _respond(self, result: ExecutionResult, request_id: str, hide_suggestions: bool = False) -> Response:
        body: dict[str, Any] = {}
        status = 200
        request_context.set_outcome("ok")
        if result.errors:
            body["errors"] = [format_error(error, request_id) for error in result.errors]
            if hide_suggestions:
                for error in body["errors"]:
                    error["message"] = _SUGGESTION.sub("", error["message"])
            internal = any(error["extensions"]["code"] == "INTERNAL" for error in body["errors"])
            request_context.set_outcome("internal" if internal else "error")
            if any(error["extensions"]["code"] == SERVICE_UNAVAILABLE for error in body["errors"]):
                body["data"] = result.data
                return JSONResponse(body, status_code=503, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
            if any(isinstance(error.original_error, Unauthenticated) for error in result.errors):
                # The contract: without a valid token a protected operation answers data null.
                return JSONResponse({"errors": body["errors"], "data": None})
            if result.data is None and all(error.path is None for error in result.errors):
                # Variables did not coerce: nothing executed.
                status = 400
                request_context.set_outcome("rejected")
        if result.data is not None or status == 200:
            body["data"] = result.data
        return JSONResponse(body, status_code=status)


def format_error(error: GraphQLError, request_id: str) -> dict[str, Any]:
    original = error.original_error
    if isinstance(original, ApiError):
        formatted = dict(error.formatted)
        formatted["message"] = str(original)
        formatted["extensions"] = {"code": original.code, **getattr(original, "extensions", {})}
        return formatted
    if error.path is None:
        # Raised while coercing the request's variables: the caller's input.
        return _located(error, "INVALID_INPUT")
    if (reason := unavailable_reason(original)) is not None:
        log.warning(
            "database unavailable in %s: %s",
            ".".join(str(p) for p in error.path),
            reason,
            extra={"request_id": request_id, "error": repr(original)},
        )
        return {
            "message": f"Try again shortly: {reason}.",
            "locations": error.formatted.get("locations"),
            "path": error.path,
            "extensions": {"code": SERVICE_UNAVAILABLE, "requestId": request_id},
        }
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


def _load_json(raw: bytes | str, message: str) -> Any:
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        # RecursionError: arrays or objects nested thousands deep (a "JSON bomb").
        raise RequestProblem(400, "INVALID_JSON", message) from None


async def read_limited_body(request: Request, larger_allowance: Callable[[], Awaitable[bool]] | None) -> bytes:
    """The request body, refusing (413) anything over its allowance.

    1 MB for everyone; up to 16 MB for a verified API key (ERP batches). The key
    is looked up only when a request would need the larger allowance, so an
    unknown token that merely looks like a key never gets it.
    """
    limit = limits.MAX_BODY_BYTES
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            declared_size = int(declared)
        except ValueError:
            raise RequestProblem(400, "INVALID_INPUT", "Content-Length is not a number.") from None
        if declared_size > limit:
            if larger_allowance is None or not await larger_allowance():
                raise _too_large(limit)
            larger_allowance, limit = None, limits.MAX_INTEGRATION_BODY_BYTES
            if declared_size > limit:
                raise _too_large(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            if larger_allowance is None or not await larger_allowance():
                raise _too_large(limit)
            larger_allowance, limit = None, limits.MAX_INTEGRATION_BODY_BYTES
            if size > limit:
                raise _too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(limit: int) -> RequestProblem:
    return RequestProblem(413, "PAYLOAD_TOO_LARGE", f"The body is larger than {limit:,} bytes; send less at once.")
