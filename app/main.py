"""The ASGI application: routes, middleware, and what lives for the process."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator

from sqlalchemy import text
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from strawberry.http.ides import get_graphql_ide_html

from app.context import Context
from app.db import Database
from app.http.graphql_endpoint import GraphQLEndpoint
from app.http.middleware import RequestLogMiddleware
from app.http.subscriptions import LiveEndpoint
from app.live.hub import Hub
from app.loaders import Loaders
from app.mail.sender import MailSender, MailWorker
from app.mail.transport import transport_from_url
from app.schema.schema import schema
from app.settings import Settings
from app.unit_of_work import UnitOfWork
from app.viewer import ANONYMOUS, bearer_token, resolve_viewer

log = logging.getLogger("app")


def create_app(settings: Settings | None = None, database: Database | None = None) -> Starlette:
    """The service. A ``database`` passed in is used as is and left open (tests)."""
    settings = settings or Settings.from_env()
    owns_database = database is None
    db = database or Database(settings.database_url)
    worker: MailWorker | None = None

    async def make_context(request: Request, request_id: str, write: bool) -> Context:
        token = bearer_token(request.headers.get("authorization"))
        uow = UnitOfWork(db, write=write)
        viewer = ANONYMOUS
        if token is not None:
            # On the request's own session: one connection per request, not two.
            async with uow.session() as session:
                viewer = await resolve_viewer(session, token)
                if write:
                    # A mutation's writes start from fresh data, and SQLite's write lock is not held meanwhile.
                    await session.commit()
        return Context(
            request_id=request_id,
            settings=settings,
            database=db,
            viewer=viewer,
            uow=uow,
            loaders=Loaders(uow),
            mail_queued=worker.wake if worker is not None else (lambda: None),
        )

    endpoint = GraphQLEndpoint(
        schema._schema,
        get_graphql_ide_html() if settings.graphiql else None,
        make_context,
    )
    hub = Hub(db.url)
    live = LiveEndpoint(schema._schema, endpoint.prepare, db, settings, hub)

    async def healthz(_request: Request) -> Response:
        try:
            async with db.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception:
            log.exception("health check failed")
            return JSONResponse({"status": "unavailable"}, status_code=503)
        return JSONResponse({"status": "ok"})

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        nonlocal worker
        if settings.mail_worker:
            sender = MailSender(db, transport_from_url(settings.mail_url), settings.mail_from)
            worker = MailWorker(sender)
            worker.start()
        try:
            yield
        finally:
            if worker is not None:
                await worker.stop()
            await hub.close()
            if owns_database:
                await db.dispose()

    return Starlette(
        routes=[
            Route("/graphql", endpoint.handle, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", live.handle),
            Route("/healthz", healthz, methods=["GET"]),
        ],
        middleware=[Middleware(RequestLogMiddleware)],
        lifespan=lifespan,
    )
