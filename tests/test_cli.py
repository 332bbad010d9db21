"""The `commerce` command line, run in-process with click's runner."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from app.cli import main
from app.db import Database
from app.models import ApiKey, Customer, Membership, Role, User
from app.tokens import hash_token


@pytest.fixture
def cli_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"


def run(url: str, *args: str) -> str:
    result = CliRunner().invoke(main, ["--database-url", url, *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def fails(url: str, *args: str) -> str:
    result = CliRunner().invoke(main, ["--database-url", url, *args])
    assert result.exit_code != 0
    return result.output


def query(url: str, statement):  # type: ignore[no-untyped-def]
    async def go():  # type: ignore[no-untyped-def]
        database = Database(url)
        try:
            async with database.reader() as session:
                return (await session.execute(statement)).all()
        finally:
            await database.dispose()

    return asyncio.run(go())


def test_db_commands(cli_url: str) -> None:
    assert "none" in run(cli_url, "db", "current")
    run(cli_url, "db", "upgrade")
    assert "(head)" in run(cli_url, "db", "current")
    run(cli_url, "db", "downgrade", "base")
    assert "none" in run(cli_url, "db", "current")


def test_customer_and_user_create(cli_url: str) -> None:
    run(cli_url, "db", "upgrade")
    run(cli_url, "customer", "create", "--number", "20001", "--name", "Testklinikken")
    assert "exists" in fails(cli_url, "customer", "create", "--number", "20001", "--name", "Igjen")
    run(
        cli_url,
        "user",
        "create",
        "--email",
        "Kari@Example.test",
        "--name",
        "Kari",
        "--password",
        "long-enough-pw",
        "--customer",
        "20001",
        "--role",
        "PURCHASER",
    )
    rows = query(cli_url, select(User.email, User.email_key, Membership.role).join(Membership))
    assert rows == [("Kari@Example.test", "kari@example.test", Role.PURCHASER)]
    assert "exists" in fails(
        cli_url, "user", "create", "--email", "kari@example.test", "--name", "K", "--password", "long-enough-pw"
    )
    assert "10 to 256" in fails(cli_url, "user", "create", "--email", "a@b.c", "--name", "A", "--password", "short")
    assert "no customer" in fails(
        cli_url,
        "user",
        "create",
        "--email",
        "a@b.c",
        "--name",
        "A",
        "--password",
        "long-enough-pw",
        "--customer",
        "99999",
        "--role",
        "ASSISTANT",
    )


def test_api_key_create_prints_the_key_once_and_stores_its_hash(cli_url: str) -> None:
    run(cli_url, "db", "upgrade")
    key = run(
        cli_url, "api-key", "create", "--name", "erp", "--scope", "orders:read", "--scope", "catalog:write"
    ).strip()
    assert key.startswith("ck_") and len(key) > 40
    rows = query(cli_url, select(ApiKey.key_hash, ApiKey.scopes))
    assert rows == [(hash_token(key), "catalog:write orders:read")]
    assert "unknown scope" in fails(cli_url, "api-key", "create", "--name", "x", "--scope", "admin")
    run(cli_url, "api-key", "revoke", "--name", "erp")
    assert "no live API key" in fails(cli_url, "api-key", "revoke", "--name", "erp")


def test_seed_demo_twice_changes_nothing(cli_url: str) -> None:
    run(cli_url, "db", "upgrade")
    first = run(cli_url, "seed", "demo")
    assert "main@demo.test" in first
    run(cli_url, "seed", "demo")
    counts = query(cli_url, select(func.count(User.id)))[0][0], query(cli_url, select(func.count(Customer.id)))[0][0]
    assert counts == (4, 2)
    memberships = query(cli_url, select(func.count(Membership.id)))[0][0]
    assert memberships == 4


def test_schema_export_writes_the_sdl(tmp_path: Path) -> None:
    from app.schema.schema import export_sdl

    target = tmp_path / "schema.graphql"
    CliRunner().invoke(main, ["schema", "export", "--output", str(target)], catch_exceptions=False)
    assert target.read_text() == export_sdl()
