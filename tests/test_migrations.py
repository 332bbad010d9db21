"""Migrations are the only way a database gets its schema, and they match the models."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from app import migrations
from app.db import create_engine
from app.models import Base
from tests.conftest import POSTGRES_URL


def _diff(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


async def _run(url: str, check: object) -> object:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(check)  # type: ignore[arg-type]
    finally:
        await engine.dispose()


def _url_for(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    if backend == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
    problem = request.getfixturevalue("postgres_ready")
    if problem is not None:
        pytest.skip(problem)
    return POSTGRES_URL


def test_upgrade_gives_exactly_the_models_and_downgrade_removes_them(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = _url_for(backend, tmp_path, request)
    # PostgreSQL's shared test database is at head; go down first so both start empty.
    migrations.downgrade(url, "base")
    assert asyncio.run(_run(url, _tables)) <= {"alembic_version"}

    migrations.upgrade(url)
    assert asyncio.run(_run(url, _diff)) == []
    assert set(Base.metadata.tables) <= asyncio.run(_run(url, _tables))
    assert "(head)" in migrations.current(url)

    migrations.downgrade(url, "base")
    assert asyncio.run(_run(url, _tables)) <= {"alembic_version"}
    # Leave the shared database as the other tests expect it.
    migrations.upgrade(url)
