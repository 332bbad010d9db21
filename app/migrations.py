"""Alembic, driven from Python: the only way a database gets its schema."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path
from typing import TextIO

from alembic.config import Config

from alembic import command

ROOT = Path(__file__).resolve().parent.parent


def alembic_config(database_url: str, stdout: TextIO | None = None) -> Config:
    config = Config(str(ROOT / "alembic.ini"), stdout=stdout) if stdout else Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "alembic"))
    config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Upgrade; several processes starting at once take turns (see alembic/env.py)."""
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str) -> None:
    command.downgrade(alembic_config(database_url), revision)


def current(database_url: str) -> str:
    out = io.StringIO()
    command.current(alembic_config(database_url, stdout=out))
    return out.getvalue().strip()


# Databases a script must never drop: the shared test database and the maintenance one.
PROTECTED_DATABASES = frozenset({"test", "postgres", "template0", "template1"})


def recreate_postgres(database_url: str) -> None:
    """Drop and re-create an empty PostgreSQL database, then migrate it (for benchmarks)."""
    from sqlalchemy import text

    from app.db import Database

    base, _, name = database_url.rpartition("/")
    if name in PROTECTED_DATABASES:
        raise ValueError(f"refusing to recreate the database {name!r}")

    async def recreate() -> None:
        admin = Database(f"{base}/postgres")
        try:
            async with admin.engine.connect() as connection:
                await connection.execution_options(isolation_level="AUTOCOMMIT")
                await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                await connection.execute(text(f'CREATE DATABASE "{name}"'))
        finally:
            await admin.dispose()

    asyncio.run(recreate())
    upgrade(database_url)
