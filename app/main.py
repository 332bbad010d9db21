"""The ASGI application: routes, middleware, and what lives for the process."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

from sqlalchemy import text
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles

from app import metrics, request_context, tracing
from app.context import Context
from app.db import Database
from app.http import shopping_list_files
from app.http.graphql_endpoint import GraphQLEndpoint
from app.http.middleware import RequestLogMiddleware
from app.http.pages import STATIC, Pages
from app.http.probes import probe_routes
from app.http.subscriptions import LiveEndpoint
from app.live.hub import Hub
from app.loaders import Loaders
from app.mail.sender import MailSender, MailWorker
from app.mail.transport import transport_from_url
from app.ratelimit.app_limits import AppLimits
from app.schema.schema import schema
from app.settings import Settings
from app.unit_of_work import UnitOfWork
from app.viewer import ANONYMOUS, Viewer, bearer_token, resolve_viewer, viewer_and_user
from app.webhooks.worker import WebhookWorker

log = logging.getLogger("app")


class _Senders:
    """The mail and webhook senders of a process that runs them (``settings.mail_worker``)."""

    def __init__(self) -> None:
        self.mail: MailWorker | None = None
        self.webhooks: WebhookWorker | None = None

    def start(self, db: Database, settings: Settings) -> None:
        if settings.mail_worker:
            self.mail = MailWorker(MailSender(db, transport_from_url(settings.mail_url), settings.mail_from))
            self.mail.start()
            self.webhooks = WebhookWorker.start_for(db, settings)

    def wake(self) -> None:
        # Mail and webhook events are written by the same mutations; both senders start at once.
        for background in (self.mail, self.webhooks):
            if background is not None:
                background.wake()

    async def stop(self) -> None:
        if self.mail is not None:
            await self.mail.stop()
        if self.webhooks is not None:
            await self.webhooks.stop()


async def _request_viewer(uow: UnitOfWork, loaders: Loaders, token: str | None, write: bool) -> Viewer:
    """The request's viewer, looked up on the request's own connection: one connection per request, not two."""
    if token is None:
        return ANONYMOUS
    if not write:
        # The user's row comes with the lookup: `me` needs no statement of its own. Only for queries:
        # a mutation changes its rows in its own transaction, not in the lookup's.
        async with uow.connection() as connection:
            viewer, loaders.viewer_user = await viewer_and_user(connection, token)
        request_context.set_viewer(viewer)
        return viewer
    async with uow.session() as session:
        viewer, _user = await viewer_and_user(session, token)
        request_context.set_viewer(viewer)
        if uow.database.is_sqlite:
            # SQLite: a mutation's writes start from fresh data, and the write lock is not held meanwhile.
            # PostgreSQL: the mutation's transaction carries on from the lookup (app/unit_of_work.py).
            await session.commit()
    return viewer


def _healthz(db: Database) -> Callable[[Request], Awaitable[Response]]:
    async def healthz(_request: Request) -> Response:
        try:
            async with db.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception:
            log.exception("health check failed")
            return JSONResponse({"status": "unavailable"}, status_code=503)
        return JSONResponse({"status": "ok"})

    return healthz


def create_app(settings: Settings | None = None, database: Database | None = None) -> Starlette:
    """The service. A ``database`` passed in is used as is and left open (tests)."""
    settings = settings or Settings.from_env()
    owns_database = database is None
    db = database or Database(settings.database_url)
    metrics.instrument_engine(db.engine)
    rate_limits = AppLimits(settings)
    senders = _Senders()

    async def make_context(request: Request, request_id: str, write: bool) -> Context:
        uow = UnitOfWork(db, write=write)
        loaders = Loaders(uow)
        try:
            viewer = await _request_viewer(uow, loaders, bearer_token(request.headers.get("authorization")), write)
        except BaseException:
            await uow.close()  # no context, so nobody else would: the lookup's connection goes back to the pool
            raise
        return Context(
            request_id=request_id,
            settings=settings,
            database=db,
            viewer=viewer,
            uow=uow,
            loaders=loaders,
            rate_limits=rate_limits.for_request(request),
            mail_queued=senders.wake,
        )

    pages = Pages(schema._schema, settings.graphiql)

    async def identify(token: str) -> Viewer:
        async with db.reader() as session:
            return await resolve_viewer(session, token)

    endpoint = GraphQLEndpoint(
        schema._schema,
        pages.graphiql if settings.graphiql else None,
        make_context,
        identify,
    )
    hub = Hub(db.url)
    live = LiveEndpoint(schema._schema, endpoint.prepare, db, settings, hub, rate_limits)

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        senders.start(db, settings)
        try:
            yield
        finally:
            await senders.stop()
            await hub.close()
            if owns_database:
                await db.dispose()
            metrics.process_exiting()

    return Starlette(
        routes=[
            Route("/graphql", endpoint.handle, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", live.handle),
            Route("/healthz", _healthz(db), methods=["GET"]),
            *shopping_list_files.routes(db),
            Route("/reset-password", pages.reset_password, methods=["GET"]),
            *probe_routes(db),
            Mount("/static", StaticFiles(directory=STATIC), name="static"),
        ],
        middleware=[*tracing.middleware(db), Middleware(RequestLogMiddleware)],
        lifespan=lifespan,
    )
