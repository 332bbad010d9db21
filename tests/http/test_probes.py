"""/readyz: ready only with a reachable database at this code's migration head."""

from __future__ import annotations

import httpx
from sqlalchemy import text

from app.db import Database
from app.http.probes import head_revisions
from app.main import create_app
from app.settings import Settings
from tests.helpers.smtp import free_port


async def test_ready_on_a_migrated_database(client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "revision": sorted(head_revisions())}


async def test_not_ready_while_migrations_are_behind(client: httpx.AsyncClient, database: Database) -> None:
    (head,) = head_revisions()
    async with database.engine.begin() as connection:
        await connection.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    try:
        response = await client.get("/readyz")
        assert response.status_code == 503
        body = response.json()
        assert body["status"] == "unavailable" and "commerce db upgrade" in body["reason"]
        assert body["database"] == ["0001"] and body["code"] == [head]
        assert (await client.get("/healthz")).status_code == 200  # alive, just not ready
    finally:
        async with database.engine.begin() as connection:
            await connection.execute(text("UPDATE alembic_version SET version_num = :head"), {"head": head})
    assert (await client.get("/readyz")).status_code == 200


async def test_not_ready_while_the_database_is_unreachable() -> None:
    nobody = f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/nothing"
    app = create_app(Settings(database_url=nobody, mail_worker=False))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://shop.test") as client:
        response = await client.get("/readyz")
        assert response.status_code == 503
        assert response.json()["status"] == "unavailable"
        assert "Traceback" not in response.text
