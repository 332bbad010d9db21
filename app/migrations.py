"""Alembic, driven from Python: the only way a database gets its schema."""

from __future__ import annotations

import io
from pathlib import Path

from alembic.config import Config

from alembic import command

ROOT = Path(__file__).resolve().parent.parent


def alembic_config(database_url: str, stdout: io.TextIOBase | None = None) -> Config:
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
