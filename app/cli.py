"""The ``commerce`` command line (see the contract's cli.md)."""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import click
from sqlalchemy.ext.asyncio import AsyncSession

from app import logs, migrations
from app import settings as settings_module
from app.admin import AdminError
from app.db import Database
from app.models import Role
from app.settings import Settings

T = TypeVar("T")


def _settings(ctx: click.Context) -> Settings:
    return ctx.find_object(Settings) or Settings.from_env()


def _in_transaction(settings: Settings, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    async def run() -> T:
        database = Database(settings.database_url)
        try:
            async with database.writer() as session, session.begin():
                return await work(session)
        finally:
            await database.dispose()

    try:
        return asyncio.run(run())
    except AdminError as error:
        raise click.ClickException(str(error)) from None


@click.group()
@click.option("--database-url", envvar="COMMERCE_DATABASE_URL", help="SQLAlchemy async URL.")
@click.option("--mail-url", envvar="COMMERCE_MAIL_URL", help="smtp://host:port or file://DIR.")
@click.option("--log-level", envvar="COMMERCE_LOG_LEVEL")
@click.pass_context
def main(ctx: click.Context, database_url: str | None, mail_url: str | None, log_level: str | None) -> None:
    """B2B commerce GraphQL API: serve it, migrate it, and bootstrap it."""
    settings = Settings.from_env().with_overrides(database_url=database_url, mail_url=mail_url, log_level=log_level)
    logs.configure(settings.log_level)
    ctx.obj = settings


def _reachable(host: str) -> str:
    """The address a browser on this machine uses for a server bound to ``host``."""
    return {"0.0.0.0": "127.0.0.1", "::": "[::1]"}.get(host, f"[{host}]" if ":" in host else host)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64))
@click.option("--demo", is_flag=True, help="Load the demo data first when the database is empty.")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, workers: int, demo: bool) -> None:
    """Migrate the database to the newest revision, then serve the API."""
    settings = _settings(ctx)
    migrations.upgrade(settings.database_url)
    # Links in emails lead to this server unless a public URL says otherwise.
    public_url = os.environ.get("COMMERCE_PUBLIC_URL") or f"http://{_reachable(host)}:{port}"
    if demo:
        from app.demo.accounts import demo_banner, is_empty
        from app.demo.seed import seed_demo

        async def seed_if_empty(session: AsyncSession) -> bool:
            return bool(await seed_demo(session)) if await is_empty(session) else False

        click.echo(demo_banner(_in_transaction(settings, seed_if_empty), public_url))
    # Workers are separate processes: they read their settings from the environment.
    os.environ.update(
        COMMERCE_DATABASE_URL=settings.database_url,
        COMMERCE_MAIL_URL=settings.mail_url,
        COMMERCE_LOG_LEVEL=settings.log_level,
        COMMERCE_PUBLIC_URL=public_url,
    )
    metrics_dir = _metrics_dir(workers)
    click.echo(f"Serving GraphQL on http://{host}:{port}/graphql", err=True)
    try:
        _run_uvicorn(host, port, workers)
    finally:
        if metrics_dir is not None:
            shutil.rmtree(metrics_dir, ignore_errors=True)


def _metrics_dir(workers: int) -> str | None:
    """With several workers, Prometheus values go through files in one folder, emptied at each start.

    Returns a folder made here (removed at exit); one given in PROMETHEUS_MULTIPROC_DIR is
    emptied but kept.
    """
    given = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if given:
        Path(given).mkdir(parents=True, exist_ok=True)
        for stale in Path(given).glob("*.db"):
            stale.unlink()
        return None
    if workers == 1:
        return None
    made = tempfile.mkdtemp(prefix="commerce-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = made
    return made


def _run_uvicorn(host: str, port: int, workers: int) -> None:
    import uvicorn

    uvicorn.run(
        "app.asgi:app",
        host=host,
        port=port,
        workers=workers,
        loop="uvloop" if sys.platform != "win32" else "asyncio",
        http="httptools",
        log_config=None,
        access_log=False,
        lifespan="on",
        # WebSocket frames past the live endpoint's limit are refused (1009) before they are buffered.
        ws_max_size=settings_module.LIVE_MAX_MESSAGE_BYTES,
    )


@main.group()
def db() -> None:
    """Database migrations (Alembic)."""


@db.command("upgrade")
@click.argument("revision", default="head")
@click.pass_context
def db_upgrade(ctx: click.Context, revision: str) -> None:
    """Upgrade to REVISION (default: the newest)."""
    migrations.upgrade(_settings(ctx).database_url, revision)


@db.command("downgrade")
@click.argument("revision")
@click.pass_context
def db_downgrade(ctx: click.Context, revision: str) -> None:
    """Downgrade to REVISION (``base`` removes everything)."""
    migrations.downgrade(_settings(ctx).database_url, revision)


@db.command("current")
@click.pass_context
def db_current(ctx: click.Context) -> None:
    """Print the database's revision."""
    click.echo(migrations.current(_settings(ctx).database_url) or "(none: run `commerce db upgrade`)")


@main.group()
def user() -> None:
    """Users."""


def _parse_memberships(customers: tuple[str, ...], roles: tuple[str, ...]) -> list[tuple[str, Role]]:
    if len(customers) != len(roles):
        raise click.UsageError("give --customer and --role in pairs")
    return [(number, Role(role)) for number, role in zip(customers, roles, strict=True)]


@user.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--password", required=True)
@click.option("--support", is_flag=True, help="Support staff: sees every customer.")
@click.option("--customer", "customers", multiple=True, help="Customer number; pairs with --role.")
@click.option("--role", "roles", multiple=True, type=click.Choice([r.value for r in Role]))
@click.pass_context
def user_create(
    ctx: click.Context,
    email: str,
    name: str,
    password: str,
    support: bool,
    customers: tuple[str, ...],
    roles: tuple[str, ...],
) -> None:
    """Make a user directly, for bootstrapping."""
    from app.admin import create_user

    memberships = _parse_memberships(customers, roles)
    made = _in_transaction(
        _settings(ctx),
        lambda s: create_user(s, email=email, name=name, password=password, support=support, memberships=memberships),
    )
    click.echo(f"user {made.email} created")


@main.group()
def customer() -> None:
    """Customers."""


@customer.command("create")
@click.option("--number", required=True)
@click.option("--name", required=True)
@click.pass_context
def customer_create(ctx: click.Context, number: str, name: str) -> None:
    """Make a customer directly, for bootstrapping."""
    from app.admin import create_customer

    made = _in_transaction(_settings(ctx), lambda s: create_customer(s, number, name))
    click.echo(f"customer {made.number} created")


@main.group("api-key")
def api_key() -> None:
    """API keys for ERP integrations."""


@api_key.command("create")
@click.option("--name", required=True)
@click.option("--scope", "scopes", multiple=True, required=True)
@click.pass_context
def api_key_create(ctx: click.Context, name: str, scopes: tuple[str, ...]) -> None:
    """Print a new API key once; only its hash is stored."""
    from app.admin import create_api_key

    key = _in_transaction(_settings(ctx), lambda s: create_api_key(s, name, list(scopes)))
    click.echo(key)


@api_key.command("revoke")
@click.option("--name", required=True)
@click.pass_context
def api_key_revoke(ctx: click.Context, name: str) -> None:
    """Revoke a key: it stops working at once."""
    from app.admin import revoke_api_key

    _in_transaction(_settings(ctx), lambda s: revoke_api_key(s, name))
    click.echo(f"API key {name} revoked")


@main.group()
def schema() -> None:
    """The GraphQL schema."""


@schema.command("export")
@click.option("--output", default="schema.graphql", show_default=True, help="File to write; - for stdout.")
def schema_export(output: str) -> None:
    """Write the SDL; the committed schema.graphql must equal it."""
    from app.schema.schema import export_sdl

    sdl = export_sdl()
    if output in {"-", "/dev/stdout"}:
        click.echo(sdl, nl=False)
    else:
        Path(output).write_text(sdl, encoding="utf-8")


@main.group()
def mail() -> None:
    """The email outbox."""


@mail.command("send-pending")
@click.pass_context
def mail_send_pending(ctx: click.Context) -> None:
    """Deliver queued email once and exit."""
    from app.mail.sender import MailSender
    from app.mail.transport import transport_from_url

    settings = _settings(ctx)

    async def run() -> tuple[int, int]:
        database = Database(settings.database_url)
        try:
            report = await MailSender(
                database, transport_from_url(settings.mail_url), settings.mail_from
            ).deliver_pending()
            return report.sent, report.failed
        finally:
            await database.dispose()

    sent, failed = asyncio.run(run())
    click.echo(f"sent {sent}, failed {failed}")


@main.group()
def seed() -> None:
    """Demo data."""


@seed.command("demo")
@click.option(
    "--products",
    default=2000,
    show_default=True,
    type=click.IntRange(0, 1_000_000),
    help="Demo products wanted; the ones missing are added, none are removed.",
)
@click.pass_context
def seed_demo_command(ctx: click.Context, products: int) -> None:
    """Load the demo data: customers, users, delivery addresses and schedules, and the catalogue."""
    from app.demo.accounts import DEMO_PASSWORD
    from app.demo.seed import load_demo

    demo = _in_transaction(_settings(ctx), lambda session: load_demo(session, products))
    click.echo(demo.catalog.summary())
    click.echo(f"Demo logins (password {DEMO_PASSWORD}): {', '.join(demo.logins)}")


from app.webhooks.cli import webhook  # noqa: E402 - the group lives with the webhooks

main.add_command(webhook)

if __name__ == "__main__":
    main()
