"""Issue 12's table: the real server on PostgreSQL under wrk, query by query, with its CPU, SQL and memory.

Prepares a PostgreSQL database with the checkout's own commands (``commerce db
upgrade``, ``commerce seed demo --products N``; 2,016 by default, as in the
issue's measurements), starts ``commerce serve`` (one uvicorn worker by default, the
production log level) and a bare Starlette app beside it, signs in as the
purchaser of customer 10001 and drives, with wrk (8 connections, rounds that
interleave the targets), each of:

* page20: ``products(first: 20)`` with name, sku, category name, thumbnail and
  the customer's price;
* first100: ``products(first: 100)``, light (id, name, sku);
* search20: a search answering 20 products with the customer's price;
* product: one product by SKU with the customer's price;
* SearchProducts: the contract's operation (../shared/contract/storefront-catalog.graphql),
  totalCount and facets included, the first page of the whole catalogue;
* me: ``{ me { id } }``, and bare-me: a bare Starlette route doing the same
  session lookup (the same SQL through SQLAlchemy on asyncpg, one autocommit
  statement as the service's readers do), answering the same JSON;
* typename: ``{ __typename }`` without a token, and bare-json: a bare route answering JSON.

Every answer under load is checked (status 200 and no "errors"); the first
answer of each is checked in full. Printed per target: req/s, p50 and p99
under load (medians of the rounds), unloaded p50 (requests one after another
on one connection), SQL statements per request (the server's own
``commerce_sql_statements_per_request`` histogram on /metrics, read before and
after each run: nothing is added to responses), server CPU µs per request
(utime + stime of the worker processes from /proc, before and after each
run: the figure to judge by on a busy machine) and the workers' RSS.

Rate limits stay on: every request is counted against its token (or client
address) by the same code as in production. Only the allowance per token and
per anonymous client is raised, with the operator settings
COMMERCE_RATE_LIMIT_REQUESTS_PER_TOKEN and
COMMERCE_RATE_LIMIT_REQUESTS_PER_ANONYMOUS_CLIENT, so wrk's one token is not
refused; the login limits keep their production values.

``--soak 600``: ten minutes of mixed load instead (page, search, product and
cart reads under wrk; beside it, a line added to a cart every second and a
sign-in every 10 s), the workers' RSS printed every minute; target at most
120 MB and flat over the last five minutes.

Usage: .venv/bin/python bench/compare.py [--tree PATH] [--products 2016] [--workers 1[,2]]
       [--rounds 3] [--duration 10] [--warmup 2] [--connections 8] [--only page20,me,...]
       [--soak SECONDS] [--postgres postgresql+asyncpg://postgres@127.0.0.1:5432/bench_compare_<tree>]
       [--keep-database] [--reuse-database]
"""

from __future__ import annotations

import os
import sys

# bench/http.py would shadow the standard library's ``http``: keep this folder off sys.path.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]
sys.path.insert(0, os.path.dirname(_HERE))

import argparse  # noqa: E402
import asyncio  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from bench import loadgen  # noqa: E402
from bench.loadgen import Call, Result  # noqa: E402

ROOT = loadgen.ROOT
CUSTOMER = "10001"
PURCHASER = "purchaser@demo.test"
DEMO_PASSWORD = "demo-password-1"  # app/demo.py
SEARCH_TERM = "hansker"
UNLIMITED = "1000000000/second"  # an allowance the load never reaches: counted, never refused

PAGE = (
    "{ products(first: 20) { edges { node { id name sku category { name } thumbnailUrl "
    'price(customerNumber: "10001") { amount currency } } } } }'
)
FIRST_100 = "{ products(first: 100) { edges { node { id name sku } } } }"
SEARCH = (
    "query Search($search: String!) { products(search: $search, first: 20) { edges { node { id name sku "
    'thumbnailUrl price(customerNumber: "10001") { amount currency } } } } }'
)
PRODUCT = (
    "query Product($sku: String!) { product(sku: $sku) { id sku name unit thumbnailUrl "
    'price(customerNumber: "10001") { amount currency } } }'
)
ME = "{ me { id } }"
TYPENAME = "{ __typename }"
LOGIN = "mutation Login($email: String!, $password: String!) { login(email: $email, password: $password) { token errors { code } } }"
CREATE_CART = (
    "mutation CreateCart($customerNumber: String!) { createCart(customerNumber: $customerNumber) "
    "{ cart { id } errors { code message } } }"
)
ADD_TO_CART = (
    "mutation AddToCart($cartId: ID!, $lines: [CartLineInput!]!) { addToCart(cartId: $cartId, lines: $lines) "
    "{ cart { id version } errors { code message } } }"
)

BARE_APP = '''
"""The bare routes: JSON, and the session lookup of app/viewer.py as plain SQL, without GraphQL or middleware."""
import base64, hashlib, os
from datetime import datetime, timezone
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

# Autocommit, as the service's readers: the lookup is one statement, no BEGIN or ROLLBACK.
engine = create_async_engine(
    os.environ["BARE_DATABASE_URL"], pool_size=10, max_overflow=10, isolation_level="AUTOCOMMIT",
    connect_args={"server_settings": {"statement_timeout": "10000"}},
)
LOOKUP = text(
    "SELECT user_sessions.id, users.id, users.is_support, memberships.customer_id, memberships.role, customers.number "
    "FROM user_sessions JOIN users ON users.id = user_sessions.user_id "
    "LEFT OUTER JOIN memberships ON memberships.user_id = users.id AND memberships.status = 'ACTIVE' "
    "LEFT OUTER JOIN customers ON customers.id = memberships.customer_id "
    "WHERE user_sessions.token_hash = :token_hash AND user_sessions.revoked_at IS NULL "
    "AND user_sessions.expires_at > :now"
)

async def plain(request: Request) -> JSONResponse:
    await request.body()
    return JSONResponse({"data": {"__typename": "Query"}})

async def me(request: Request) -> JSONResponse:
    await request.body()
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token_hash = hashlib.sha256(token.strip().encode()).hexdigest()
    async with engine.connect() as connection:
        rows = (await connection.execute(LOOKUP, {"token_hash": token_hash, "now": datetime.now(timezone.utc)})).all()
    if not rows:
        return JSONResponse({"data": {"me": None}})
    user_id = base64.urlsafe_b64encode(f"User:{rows[0][1]}".encode()).decode().rstrip("=")
    return JSONResponse({"data": {"me": {"id": user_id}}})

app = Starlette(routes=[Route("/plain", plain, methods=["POST"]), Route("/me", me, methods=["POST"])])
'''


@dataclass
class Target:
    name: str
    label: str
    call: Call
    check: Callable[[dict[str, Any]], str | None]  # what is wrong with a full answer, or None
    bare: bool = False  # served by the bare app


@dataclass
class Measured:
    results: list[Result] = field(default_factory=list)
    cpu_us: list[float] = field(default_factory=list)
    statements: list[float] = field(default_factory=list)
    unloaded_ms: float = float("nan")


# --- preparing ----------------------------------------------------------------


def python_of(tree: Path) -> str:
    """The checkout's own interpreter when it has one (its locked dependencies), else this one."""
    own = tree / ".venv" / "bin" / "python"
    return str(own) if own.exists() else sys.executable


def tree_env(tree: Path, url: str, workdir: Path, log_level: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COMMERCE_", "PROMETHEUS_"))}
    env.update(
        PYTHONPATH=str(tree),
        COMMERCE_DATABASE_URL=url,
        COMMERCE_MAIL_URL=f"file://{workdir / 'mail'}",
        COMMERCE_LOG_LEVEL=log_level,
        COMMERCE_GRAPHIQL="false",
        COMMERCE_RATE_LIMIT_REQUESTS_PER_TOKEN=UNLIMITED,
        COMMERCE_RATE_LIMIT_REQUESTS_PER_ANONYMOUS_CLIENT=UNLIMITED,
    )
    return env


async def _admin(url: str, *statements: str) -> list[Any]:
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        answers = []
        async with engine.connect() as connection:
            for statement in statements:
                result = await connection.execute(text(statement))
                answers.append(result.all() if result.returns_rows else None)
        return answers
    finally:
        await engine.dispose()


def prepare_database(tree: Path, url: str, products: int, workdir: Path) -> None:
    base, _, name = url.rpartition("/")
    if name in {"test", "postgres", "template0", "template1"} or not re.fullmatch(r"[a-z0-9_]+", name):
        sys.exit(f"refusing to recreate the database {name!r}")
    asyncio.run(
        _admin(f"{base}/postgres", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')
    )
    env = tree_env(tree, url, workdir, "warning")
    started = time.perf_counter()
    for command in (["db", "upgrade"], ["seed", "demo", "--products", str(products)]):
        subprocess.run(
            [python_of(tree), "-m", "app.cli", *command], cwd=tree, env=env, check=True, stdout=subprocess.DEVNULL
        )
    # Statistics and the visibility map, as autovacuum leaves them soon after a bulk load.
    asyncio.run(_admin(url, "VACUUM ANALYZE"))
    print(f"seeded in {time.perf_counter() - started:.0f} s", flush=True)


def catalogue_facts(url: str) -> tuple[int, int, str]:
    """Products, active products, and the SKU the product target asks for."""
    (counts,), (sku,) = asyncio.run(
        _admin(
            url,
            "SELECT count(*), count(*) FILTER (WHERE active) FROM products",
            "SELECT sku FROM products WHERE active ORDER BY id LIMIT 1",
        )
    )
    return counts[0], counts[1], sku[0]


def contract_operation(name: str) -> str:
    """The operation ``name`` as the contract's file has it (braces balanced from its first line)."""
    for folder in (ROOT.parent / "shared" / "contract", Path("/work/shared/contract")):
        if (path := folder / "storefront-catalog.graphql").exists():
            text = path.read_text()
            break
    else:
        sys.exit("the contract (../shared/contract/storefront-catalog.graphql) is not there")
    start = text.index(f"query {name}")
    depth = 0
    for index in range(start, len(text)):
        if text[index] == "{":
            depth += 1
        elif text[index] == "}":
            depth -= 1
            if depth == 0:
                return text[start : index + 1]
    raise ValueError(f"unbalanced operation {name}")


# --- calls --------------------------------------------------------------------


def body(query: str, variables: dict[str, Any] | None = None, operation: str | None = None) -> bytes:
    payload: dict[str, Any] = {"query": query}
    if variables:
        payload["variables"] = variables
    if operation:
        payload["operationName"] = operation
    return json.dumps(payload).encode()


def signed(path: str, data: bytes, token: str) -> Call:
    return Call(path, data, (("Content-Type", "application/json"), ("Authorization", f"Bearer {token}")))


def _edges(count: int, *, priced: bool) -> Callable[[dict[str, Any]], str | None]:
    def check(answer: dict[str, Any]) -> str | None:
        edges = answer["data"]["products"]["edges"]
        if len(edges) != count:
            return f"{len(edges)} edges, expected {count}"
        if priced and any(edge["node"]["price"] is None for edge in edges):
            return "a product without the customer's price"
        return None

    return check


def targets(token: str, sku: str) -> list[Target]:
    def me_check(answer: dict[str, Any]) -> str | None:
        return None if (answer["data"]["me"] or {}).get("id") else "me is null"

    def product_check(answer: dict[str, Any]) -> str | None:
        product = answer["data"]["product"]
        return None if product and product["sku"] == sku and product["price"] else f"product {sku} without price"

    def contract_check(answer: dict[str, Any]) -> str | None:
        products = answer["data"]["products"]
        if len(products["edges"]) != 20 or not products["totalCount"] or not products["facets"]:
            return "expected 20 edges, a totalCount and facets"
        return None

    search_products = contract_operation("SearchProducts")
    return [
        Target("page20", "page of 20 (priced)", signed("/graphql", body(PAGE), token), _edges(20, priced=True)),
        Target("first100", "first 100, light", signed("/graphql", body(FIRST_100), token), _edges(100, priced=False)),
        Target(
            "search20",
            f"search {SEARCH_TERM!r}, 20",
            signed("/graphql", body(SEARCH, {"search": SEARCH_TERM}), token),
            _edges(20, priced=True),
        ),
        Target("product", "one product, priced", signed("/graphql", body(PRODUCT, {"sku": sku}), token), product_check),
        Target(
            "SearchProducts",
            "contract SearchProducts",
            signed("/graphql", body(search_products, {"customerNumber": CUSTOMER, "first": 20}), token),
            contract_check,
        ),
        Target("me", "{ me { id } }", signed("/graphql", body(ME), token), me_check),
        Target("bare-me", "bare route, same lookup", signed("/me", body(ME), token), me_check, bare=True),
        Target("typename", "{ __typename } anonymous", Call("/graphql", body(TYPENAME)), lambda a: None),
        Target("bare-json", "bare route, JSON", Call("/plain", body(TYPENAME)), lambda a: None, bare=True),
    ]


def check_answer(base_url: str, target: Target) -> None:
    status, raw = loadgen.post(base_url + target.call.path, target.call.body, dict(target.call.headers[1:]))
    answer = json.loads(raw)
    problem = f"status {status}" if status != 200 else None
    problem = problem or ("errors: " + json.dumps(answer["errors"])[:500] if "errors" in answer else None)
    problem = problem or target.check(answer)
    if problem:
        sys.exit(f"{target.name}: wrong answer ({problem}): {raw[:500]!r}")


def sign_in(base_url: str) -> str:
    status, raw = loadgen.post(base_url + "/graphql", body(LOGIN, {"email": PURCHASER, "password": DEMO_PASSWORD}))
    answer = json.loads(raw)
    token = (answer.get("data") or {}).get("login", {}).get("token")
    if status != 200 or not token:
        sys.exit(f"could not sign in as {PURCHASER}: {raw[:500]!r}")
    return str(token)


# --- servers ------------------------------------------------------------------


@dataclass
class Servers:
    api: subprocess.Popen[bytes]
    bare: subprocess.Popen[bytes]
    api_url: str
    bare_url: str
    api_log: Path

    def pids(self, bare: bool) -> list[int]:
        return loadgen.worker_pids((self.bare if bare else self.api).pid)

    def stop(self) -> None:
        loadgen.stop(self.api)
        loadgen.stop(self.bare)


def start_servers(tree: Path, url: str, workers: int, workdir: Path, log_level: str) -> Servers:
    api_port, bare_port = loadgen.free_port(), loadgen.free_port()
    api_log, bare_log = workdir / f"api-{workers}.log", workdir / "bare.log"
    api = loadgen.start(
        [
            python_of(tree),
            "-m",
            "app.cli",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(api_port),
            "--workers",
            str(workers),
        ],
        tree_env(tree, url, workdir, log_level),
        api_log,
        cwd=tree,
    )
    (workdir / "bare_app.py").write_text(BARE_APP)
    bare_env = {k: v for k, v in os.environ.items() if not k.startswith("COMMERCE_")}
    bare_env["BARE_DATABASE_URL"] = url
    bare = loadgen.start(
        [sys.executable, "-m", "uvicorn", "bare_app:app", "--app-dir", str(workdir), "--host", "127.0.0.1",
         "--port", str(bare_port), "--workers", "1", "--loop", "uvloop", "--http", "httptools",
         "--no-access-log", "--log-level", "warning", "--lifespan", "on"],
        bare_env,
        bare_log,
    )  # fmt: skip
    servers = Servers(api, bare, f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{bare_port}", api_log)
    loadgen.wait_ready(api, servers.api_url + "/healthz", api_log)
    loadgen.wait_ready(bare, servers.bare_url + "/plain", bare_log, body(TYPENAME), {"data": {"__typename": "Query"}})
    if workers > 1:  # every worker up, or the first seconds measure fewer
        deadline = time.monotonic() + 30
        while len(servers.pids(False)) < workers and time.monotonic() < deadline:
            time.sleep(0.2)
    return servers


# --- measuring ----------------------------------------------------------------


def measure(
    servers: Servers, chosen: list[Target], args: argparse.Namespace, drive: loadgen.Driver, workdir: Path
) -> tuple[dict[str, Measured], list[float]]:
    measured = {target.name: Measured() for target in chosen}
    rss_after_round: list[float] = []
    for round_ in range(args.rounds):
        for target in chosen:
            base = servers.bare_url if target.bare else servers.api_url
            pids = servers.pids(target.bare)
            if round_ == 0 and args.warmup > 0:
                drive(base, [target.call], args.connections, args.warmup, workdir)
            statements_before = None if target.bare else loadgen.statement_totals(base)
            cpu_before = loadgen.cpu_seconds(pids)
            result = drive(base, [target.call], args.connections, args.duration, workdir)
            cpu = loadgen.cpu_seconds(pids) - cpu_before
            entry = measured[target.name]
            entry.results.append(result)
            entry.cpu_us.append(cpu / max(1, result.requests) * 1e6)
            if statements_before is not None:
                total, count = loadgen.statement_totals(base)
                if count > statements_before[1]:
                    entry.statements.append((total - statements_before[0]) / (count - statements_before[1]))
            if result.errors:
                print(
                    f"  {target.name}: {result.errors} wrong answers under load, first: {result.first_error}",
                    flush=True,
                )
            print(
                f"  round {round_ + 1} {target.name:<15}{result.rps:>9.0f} req/s {result.p50_ms:>7.2f} ms p50 "
                f"{entry.cpu_us[-1]:>8.0f} µs CPU/req",
                flush=True,
            )
        rss_after_round.append(max(loadgen.rss_mb(pid) for pid in servers.pids(False)))
    for target in chosen:
        base = servers.bare_url if target.bare else servers.api_url
        measured[target.name].unloaded_ms = loadgen.unloaded_p50_ms(base, target.call)
    return measured, rss_after_round


def print_table(title: str, chosen: list[Target], measured: dict[str, Measured], rss: list[float]) -> None:
    print(f"\n{title}")
    header = f"{'target':<15}{'what':<27}{'req/s':>8}{'p50 ms':>8}{'p99 ms':>8}{'unl.p50':>8}{'SQL/req':>8}{'CPU µs':>8}{'errors':>7}"
    print(header)
    print("-" * len(header))
    for target in chosen:
        entry = measured[target.name]
        rps = statistics.median(r.rps for r in entry.results)
        p50 = statistics.median(r.p50_ms for r in entry.results)
        p99 = statistics.median(r.p99_ms for r in entry.results)
        statements = f"{statistics.median(entry.statements):.1f}" if entry.statements else "-"
        cpu = statistics.median(entry.cpu_us)
        errors = sum(r.errors for r in entry.results)
        print(
            f"{target.name:<15}{target.label:<27}{rps:>8.0f}{p50:>8.2f}{p99:>8.2f}{entry.unloaded_ms:>8.2f}"
            f"{statements:>8}{cpu:>8.0f}{errors:>7}"
        )
    if "me" in measured and "bare-me" in measured:
        me = statistics.median(r.rps for r in measured["me"].results)
        bare = statistics.median(r.rps for r in measured["bare-me"].results)
        me_cpu, bare_cpu = statistics.median(measured["me"].cpu_us), statistics.median(measured["bare-me"].cpu_us)
        print(
            f"{{ me {{ id }} }} vs the bare route doing the same lookup: {100 * me / bare:.0f}% of its req/s, "
            f"{100 * bare_cpu / me_cpu:.0f}% by CPU per request (target >= 50%)"
        )
    print("API worker RSS after each round (MB, largest worker): " + ", ".join(f"{mb:.1f}" for mb in rss))


# --- soak -------------------------------------------------------------------------


def soak(servers: Servers, token: str, sku: str, seconds: float, args: argparse.Namespace, workdir: Path) -> None:
    cart = json.loads(
        loadgen.post(
            servers.api_url + "/graphql",
            body(CREATE_CART, {"customerNumber": CUSTOMER}),
            {"Authorization": f"Bearer {token}"},
        )[1]
    )["data"]["createCart"]
    if cart["errors"]:
        sys.exit(f"createCart failed: {cart['errors']}")
    cart_id = cart["cart"]["id"]
    cart_read = body(
        "query Cart($id: ID!) { cart(id: $id) { id version lines { quantity product { sku } } total { amount } } }",
        {"id": cart_id},
    )
    calls = [
        signed("/graphql", body(PAGE), token),
        signed("/graphql", body(SEARCH, {"search": SEARCH_TERM}), token),
        signed("/graphql", body(PRODUCT, {"sku": sku}), token),
        signed("/graphql", cart_read, token),
    ]
    skus = [edge["node"]["sku"] for edge in json.loads(loadgen.post(
        servers.api_url + "/graphql", body(FIRST_100), {"Authorization": f"Bearer {token}"})[1])["data"]["products"]["edges"]]  # fmt: skip
    stop = threading.Event()
    side_errors: list[str] = []
    side_counts = {"addToCart": 0, "login": 0}

    def side() -> None:
        """A line added every second, a sign-in every 10 s (within the production login limits)."""
        rng = random.Random(7)
        tick = 0
        while not stop.wait(1.0):
            tick += 1
            lines = [{"sku": rng.choice(skus), "quantity": 1}]
            status, raw = loadgen.post(
                servers.api_url + "/graphql", body(ADD_TO_CART, {"cartId": cart_id, "lines": lines}),
                {"Authorization": f"Bearer {token}"},
            )  # fmt: skip
            answer = json.loads(raw)
            if status != 200 or "errors" in answer or answer["data"]["addToCart"]["errors"]:
                side_errors.append(f"addToCart: {raw[:300]!r}")
            side_counts["addToCart"] += 1
            if tick % 10 == 0:
                sign_in(servers.api_url)
                side_counts["login"] += 1

    result: list[Result] = []
    load = threading.Thread(
        target=lambda: result.append(loadgen.run_wrk(servers.api_url, calls, args.connections, seconds, workdir))
    )
    helper = threading.Thread(target=side, daemon=True)
    started = time.monotonic()
    cpu_before = loadgen.cpu_seconds(servers.pids(False))
    load.start()
    helper.start()
    rss: list[float] = []
    print(f"soak: {seconds:.0f} s mixed load (page, search, product, cart under wrk; addToCart 1/s, login every 10 s)")
    minute = 1
    while load.is_alive():
        load.join(timeout=max(0.0, started + 60 * minute - time.monotonic()))
        if time.monotonic() >= started + 60 * minute or not load.is_alive():
            rss.append(max(loadgen.rss_mb(pid) for pid in servers.pids(False)))
            print(f"  minute {minute}: RSS {rss[-1]:.1f} MB", flush=True)
            minute += 1
    stop.set()
    helper.join(timeout=30)
    (run,) = result
    cpu = loadgen.cpu_seconds(servers.pids(False)) - cpu_before
    print(
        f"soak: {run.rps:.0f} req/s, p50 {run.p50_ms:.2f} ms, p99 {run.p99_ms:.2f} ms, {run.errors} wrong answers, "
        f"{cpu / max(1, run.requests) * 1e6:.0f} µs CPU/req; {side_counts['addToCart']} addToCart, "
        f"{side_counts['login']} logins, {len(side_errors)} failed"
        + (f" (first: {side_errors[0]})" if side_errors else "")
    )
    last = rss[-6:] if len(rss) >= 6 else rss
    print(
        f"soak: RSS at the end {rss[-1]:.1f} MB (target <= 120), over the last {len(last) - 1} minutes "
        f"{last[-1] - last[0]:+.1f} MB (target: flat)"
    )


# --- main ---------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tree", type=Path, default=ROOT, help="the checkout to serve (default: this one)")
    parser.add_argument("--products", type=int, default=2_016, help="demo products to seed")
    parser.add_argument("--workers", default="1", help="uvicorn workers; 1,2 measures both in turn")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per target per round")
    parser.add_argument("--warmup", type=float, default=2.0, help="unmeasured seconds per target before round 1")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--generator", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument("--only", default="", help="comma-separated target names")
    parser.add_argument("--soak", type=float, default=0, help="seconds of mixed load instead of the table")
    parser.add_argument("--log-level", default="info", help="the server's (production default: info)")
    parser.add_argument("--postgres", help="default: postgresql+asyncpg://postgres@127.0.0.1:5432/bench_compare_<tree>")
    parser.add_argument("--reuse-database", action="store_true", help="serve the database as seeded before, no seeding")
    parser.add_argument("--keep-database", action="store_true", help="do not drop the database at the end")
    args = parser.parse_args()
    tree = args.tree.resolve()
    # One database per checkout: two benchmarks of different trees may run at once.
    name = re.sub(r"[^a-z0-9_]", "_", tree.name.lower())
    args.postgres = args.postgres or f"postgresql+asyncpg://postgres@127.0.0.1:5432/bench_compare_{name}"
    drive, generator = loadgen.driver(args.generator)
    worker_counts = [int(n) for n in args.workers.split(",")]

    with tempfile.TemporaryDirectory(prefix="commerce-compare-") as tmp:
        workdir = Path(tmp)
        commit = subprocess.run(["git", "-C", str(tree), "log", "-1", "--format=%h %s"], capture_output=True, text=True)
        print(f"tree: {tree} ({commit.stdout.strip()[:80]})")
        if not args.reuse_database:
            prepare_database(tree, args.postgres, args.products, workdir)
        products, active, sku = catalogue_facts(args.postgres)
        print(
            f"PostgreSQL, {products:,} products ({active:,} active); load generator: {generator}, {args.connections} connections, "
            f"{args.rounds} interleaved rounds of {args.duration:g} s (warm-up {args.warmup:g} s); "
            f"server log level {args.log_level}; rate limits on (allowance per token/client raised); {os.cpu_count()} cores"
        )
        for workers in worker_counts:
            servers = start_servers(tree, args.postgres, workers, workdir, args.log_level)
            try:
                token = sign_in(servers.api_url)
                if args.soak:
                    soak(servers, token, sku, args.soak, args, workdir)
                    continue
                every = targets(token, sku)
                names = [name for name in args.only.split(",") if name]
                chosen = [target for target in every if not names or target.name in names]
                for target in chosen:
                    check_answer(servers.bare_url if target.bare else servers.api_url, target)
                measured, rss = measure(servers, chosen, args, drive, workdir)
                title = (
                    f"{workers} worker(s), {products:,} products (medians of {args.rounds} rounds; CPU: server workers)"
                )
                print_table(title, chosen, measured, rss)
            finally:
                servers.stop()
        if not (args.keep_database or args.reuse_database):
            base, _, name = args.postgres.rpartition("/")
            asyncio.run(_admin(f"{base}/postgres", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
