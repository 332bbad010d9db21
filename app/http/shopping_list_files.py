"""GET /shopping-lists/<id>/print and GET /shopping-lists/<id>.csv.

The same reach rules as the ``shoppingList`` query: a user with an active
membership on the list's customer number, or support staff. No token, a bad
or expired one, a bad id, a deleted list and another customer's list all get
the same 404 body, so the answer never tells them apart. An API key is
FORBIDDEN (403): lists are a storefront thing. Credentials: the
``Authorization: Bearer`` header, or a signed link from ``printUrl`` /
``csvUrl`` (see app/http/signed_links.py) for a browser that cannot send one.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from app import clock, policy
from app.db import Database
from app.http import signed_links
from app.ids import decode_id
from app.models import ShoppingList
from app.ordering.shopping_list_documents import content_disposition, render_csv, render_print
from app.resolvers.shopping_list_files import document, path_of, session_key
from app.unit_of_work import UnitOfWork
from app.viewer import ANONYMOUS, Viewer, bearer_token, resolve_viewer, session_viewer

# Private data: never stored by a browser or a proxy, never leaking the signed URL onwards.
PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff"}


def _error(request: Request, status: int, code: str, message: str) -> JSONResponse:
    request_id = request.scope.get("state", {}).get("request_id", "-")
    body: dict[str, Any] = {"errors": [{"message": message, "extensions": {"code": code, "requestId": request_id}}]}
    return JSONResponse(body, status_code=status, headers=PRIVATE)


def _not_found(request: Request) -> JSONResponse:
    return _error(request, 404, "NOT_FOUND", "No such shopping list.")


async def _viewer(request: Request, uow: UnitOfWork, list_id: int, kind: str) -> Viewer:
    token = bearer_token(request.headers.get("authorization"))
    async with uow.session() as session:
        if token is not None:
            return await resolve_viewer(session, token)
        params = signed_links.parse(dict(request.query_params))
        if params is None:
            return ANONYMOUS
        key = await session_key(session, params.session_id)
        if key is None or not signed_links.valid(key, path_of(list_id, kind), params, clock.now()):
            return ANONYMOUS
        return await session_viewer(session, key) or ANONYMOUS


def routes(database: Database) -> list[Route]:
    async def serve(request: Request, kind: str) -> Response:
        list_id = decode_id("ShoppingList", request.path_params["list_id"])
        if list_id is None:
            return _not_found(request)
        uow = UnitOfWork(database, write=False)
        try:
            viewer = await _viewer(request, uow, list_id, kind)
            if viewer.is_api_key:
                return _error(request, 403, "FORBIDDEN", "An API key cannot use storefront pages; sign in as a user.")
            async with uow.session() as session:
                found = await session.get(ShoppingList, list_id)
                if found is None or not policy.reaches(viewer, found.customer_id):
                    return _not_found(request)
                shown = await document(session, found)
        finally:
            await uow.close()
        if kind == "csv":
            headers = {**PRIVATE, "Content-Disposition": content_disposition(shown.title, "csv")}
            return Response(render_csv(shown), media_type="text/csv; charset=utf-8", headers=headers)
        return HTMLResponse(render_print(shown, clock.now()), headers=PRIVATE)

    async def print_page(request: Request) -> Response:
        return await serve(request, "print")

    async def csv_file(request: Request) -> Response:
        return await serve(request, "csv")

    return [
        Route("/shopping-lists/{list_id}/print", print_page, methods=["GET"]),
        Route("/shopping-lists/{list_id}.csv", csv_file, methods=["GET"]),
    ]
