"""Shared fixtures: a clean database per backend per test, the app, an SMTP server.

Every test that asks for ``database`` (or anything built on it) runs twice:
on SQLite and on PostgreSQL. PostgreSQL comes from COMMERCE_TEST_POSTGRES_URL
(default: the local server's ``test`` database). In CI (CI=true) an
unreachable PostgreSQL fails the run; elsewhere its tests are skipped with
a reason, so a developer without PostgreSQL still gets the SQLite run.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import create_async_engine

from app import clock, migrations
from app.catalog import synonyms
from app.db import Database
from app.main import create_app
from app.settings import RateLimits, Settings
from tests.helpers.db import truncate_postgres
from tests.helpers.smtp import SmtpSink

CONFIGURED_POSTGRES_URL = os.environ.get(
    "COMMERCE_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
# Under pytest-xdist (`make test` runs two workers) every worker truncates and migrates
# its own database, named after the configured one ("test_gw0", "test_gw1"), made on first
# use; a single process uses the configured database itself.
_XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER")
POSTGRES_URL = (
    make_url(CONFIGURED_POSTGRES_URL)
    .set(database=f"{make_url(CONFIGURED_POSTGRES_URL).database}_{_XDIST_WORKER}")
    .render_as_string(hide_password=False)
    if _XDIST_WORKER
    else CONFIGURED_POSTGRES_URL
)
IN_CI = os.environ.get("CI", "").lower() == "true"

BACKENDS = ["sqlite", "postgres"]


async def _create_worker_database() -> None:
    """Make this xdist worker's database next to the configured one, when it is missing."""
    name = make_url(POSTGRES_URL).database
    engine = create_async_engine(CONFIGURED_POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            exists = await connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name})
            if not exists:
                await connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        await engine.dispose()


def _postgres_problem() -> str | None:
    async def probe() -> None:
        if POSTGRES_URL != CONFIGURED_POSTGRES_URL:
            await _create_worker_database()
        engine = create_async_engine(POSTGRES_URL)
        try:
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        finally:
            await engine.dispose()

    try:
        asyncio.run(asyncio.wait_for(probe(), timeout=5))
    except Exception as error:  # any failure to connect means "not reachable"
        return f"PostgreSQL at {POSTGRES_URL} is not reachable: {error!r}"
    return None


def _reset_postgres() -> None:
    """Drop whatever the database holds and migrate it to head."""

    async def drop() -> None:
        engine = create_async_engine(POSTGRES_URL)
        try:
            async with engine.begin() as connection:
                await connection.execute(text("DROP SCHEMA public CASCADE"))
                await connection.execute(text("CREATE SCHEMA public"))
        finally:
            await engine.dispose()

    asyncio.run(drop())
    migrations.upgrade(POSTGRES_URL)


@pytest.fixture(scope="session")
def postgres_ready() -> str | None:
    """None when PostgreSQL is migrated and ready; else why it is skipped."""
    problem = _postgres_problem()
    if problem is not None:
        if IN_CI:
            pytest.exit(f"CI needs PostgreSQL: {problem}", returncode=3)
        return problem
    _reset_postgres()
    return None


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file that each test copies instead of migrating again."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    migrations.upgrade(f"sqlite+aiosqlite:///{path}")
    # Tests start with no search synonyms, as PostgreSQL's do after TRUNCATE (the starter list is data).
    connection = sqlite3.connect(path)
    with connection:
        connection.execute("DELETE FROM search_synonym_terms")
        connection.execute("DELETE FROM search_synonyms")
        connection.execute("DELETE FROM search_synonym_state")
    connection.close()  # the last connection: the WAL goes into the file that tests copy
    return path


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if backend == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "commerce.db"
        shutil.copyfile(template, path)
        return f"sqlite+aiosqlite:///{path}"
    problem = request.getfixturevalue("postgres_ready")
    if problem is not None:
        pytest.skip(problem)
    return POSTGRES_URL


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    db = Database(database_url)
    if not db.is_sqlite:
        await truncate_postgres(db)
    try:
        yield db
    finally:
        await db.dispose()


@pytest.fixture
def mail_dir(tmp_path: Path) -> Path:
    return tmp_path / "mail"


@pytest.fixture
def settings(database_url: str, mail_dir: Path) -> Settings:
    return Settings(
        database_url=database_url,
        mail_url=f"file://{mail_dir}",
        public_url="http://shop.test",
        support_email="support@shop.test",
        mail_worker=False,
        # Tests about other things send many logins and resets; tests/ratelimit/ use the real limits.
        rate_limits=RateLimits(enabled=False),
    )


@pytest.fixture
async def client(settings: Settings, database: Database) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, database)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://shop.test") as http:
        yield http


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    sink = SmtpSink()
    sink.start()
    try:
        yield sink
    finally:
        sink.stop()


@pytest.fixture(autouse=True)
def _release_clock() -> Iterator[None]:
    yield
    clock.set_now(None)


@pytest.fixture(autouse=True)
def _no_synonyms_in_this_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test's database starts with no synonyms (token ""): so does this process's copy of them.

    Otherwise a test that changed synonyms earlier in the same worker leaves a copy with another
    token, and the next search reloads it: two statements more than a statement-count test pins.
    """
    monkeypatch.setattr(synonyms, "_copy", synonyms.Expansions())


@pytest.fixture
async def pg_database(postgres_ready: str | None) -> AsyncIterator[Database]:
    """PostgreSQL only: for what several processes share (row locks, workers)."""
    if postgres_ready is not None:
        pytest.skip(postgres_ready)
    db = Database(POSTGRES_URL)
    await truncate_postgres(db)
    try:
        yield db
    finally:
        await db.dispose()
