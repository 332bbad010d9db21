"""The committed schema.graphql is exactly what `commerce schema export` writes."""

from __future__ import annotations

from pathlib import Path

from app.schema.schema import export_sdl

COMMITTED = Path(__file__).resolve().parent.parent / "schema.graphql"


def test_committed_schema_is_current() -> None:
    assert COMMITTED.read_text(encoding="utf-8") == export_sdl(), (
        "schema.graphql is stale: run `make schema` (commerce schema export) and commit it"
    )
