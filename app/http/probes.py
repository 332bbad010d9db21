"""Operators' endpoints: ``/readyz`` (send traffic here?) and ``/metrics`` (Prometheus).

``/healthz`` says the process answers and reaches its database; ``/readyz``
also says the database's schema is the one this code needs: a server started
against a database whose migrations are behind (or ahead, mid-rollback)
answers 503 until ``commerce db upgrade`` has run, so a load balancer sends
it nothing meanwhile.
"""

from __future__ import annotations

import functools
import logging

from alembic.script import ScriptDirectory
from sqlalchemy import text
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from app import metrics
from app.db import Database
from app.migrations import alembic_config

log = logging.getLogger("app.probes")


@functools.cache
def head_revisions() -> frozenset[str]:
    """The revisions this code's migrations end at (read once: they do not change while it runs)."""
    return frozenset(ScriptDirectory.from_config(alembic_config("")).get_heads())


def probe_routes(db: Database) -> list[Route]:
    heads = head_revisions()

    async def readyz(_request: Request) -> Response:
        try:
            async with db.engine.connect() as connection:
                current = frozenset(
                    (await connection.execute(text("SELECT version_num FROM alembic_version"))).scalars()
                )
        except Exception as error:  # unreachable, or never migrated (no alembic_version)
            log.warning("not ready: %s", error.__class__.__name__, extra={"error": str(error)[:300]})
            return JSONResponse({"status": "unavailable", "reason": "database unreachable or not migrated"}, 503)
        if current != heads:
            return JSONResponse(
                {
                    "status": "unavailable",
                    "reason": "database migrations are not at this version's head: run `commerce db upgrade`",
                    "database": sorted(current),
                    "code": sorted(heads),
                },
                503,
            )
        return JSONResponse({"status": "ready", "revision": sorted(current)})

    async def metrics_endpoint(_request: Request) -> Response:
        return Response(await metrics.exposition(db.engine), media_type=metrics.CONTENT_TYPE_LATEST)

    return [
        Route("/readyz", readyz, methods=["GET"]),
        Route("/metrics", metrics_endpoint, methods=["GET"]),
    ]
