"""Settings every PostgreSQL connection gets at connect (app.db)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from app.db import Database


async def test_postgres_connections_compile_no_plans(database: Database) -> None:
    # A large catalogue's search estimates pass jit_above_cost: compiling cost more than running.
    if database.engine.dialect.name != "postgresql":
        pytest.skip("a PostgreSQL setting")
    async with database.reader() as session:
        assert await session.scalar(text("SHOW jit")) == "off"
