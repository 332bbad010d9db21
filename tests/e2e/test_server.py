"""End to end: the real ``commerce serve`` in a subprocess, spoken to over loopback.

Each server gets its own SQLite file (or the migrated PostgreSQL ``test``
database for the multi-worker test), is awaited on ``/healthz`` and is stopped
with SIGINT, which must end it cleanly (exit status 0).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from app import settings as limits
from app.demo.accounts import DEMO_PASSWORD, DEMO_USERS
from app.tokens import SESSION_PREFIX
from tests.conftest import POSTGRES_URL
from tests.helpers.server import Server, running_server

pytestmark = pytest.mark.e2e

TYPENAME = {"query": "{ __typename }"}


def _typename_works(http: httpx.Client) -> None:
    response = http.post("/graphql", json=TYPENAME)
    assert response.status_code == 200, response.text
    assert response.json() == {"data": {"__typename": "Query"}}


def _codes(response: httpx.Response) -> list[str | None]:
    return [error.get("extensions", {}).get("code") for error in response.json().get("errors", [])]


# --- one SQLite server shared by the module's plain tests ---------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("e2e-server")) as running:
        yield running


@pytest.fixture
def http(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, timeout=15) as client:
        yield client


def test_typename_over_post(http: httpx.Client) -> None:
    response = http.post("/graphql", json=TYPENAME)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == {"data": {"__typename": "Query"}}
    assert response.headers.get("x-request-id")


def test_healthz(http: httpx.Client) -> None:
    response = http.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_graphiql_is_served_by_default(http: httpx.Client) -> None:
    response = http.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "graphiql" in response.text.lower()


def test_graphiql_can_be_switched_off(tmp_path: Path) -> None:
    with running_server(tmp_path, env={"COMMERCE_GRAPHIQL": "false"}) as running:
        with httpx.Client(base_url=running.base_url, timeout=15) as client:
            response = client.get("/graphql", headers={"Accept": "text/html"})
            assert response.status_code == 400
            assert response.headers["content-type"].startswith("application/json")
            assert _codes(response) == ["INVALID_INPUT"]
            assert "POST" in response.json()["errors"][0]["message"]
            _typename_works(client)


# --- abuse: each gets a clear JSON error and the server keeps serving --------


def _nested_introspection(depth: int) -> str:
    """``depth`` fields nested in one chain, valid in every other respect."""
    assert depth >= 4
    chain = ['__type(name: "Query")', "fields", "type", *(["ofType"] * (depth - 4))]
    return "{ " + " { ".join(chain) + " { name }" + " }" * (len(chain) - 1) + " }"


def _aliases_of_typename(count: int) -> str:
    return "{ " + " ".join(f"a{i}: __typename" for i in range(count)) + " }"


def _aliases_spread(per_field: int) -> str:
    """8 different fields, each aliased ``per_field`` times (under the per-field limit)."""
    fields = ["__typename", "name", "kind", "description", "fields { name }", "interfaces { name }",
              "possibleTypes { name }", "ofType { name }"]  # fmt: skip
    body = " ".join(f"f{f}x{i}: {field}" for f, field in enumerate(fields) for i in range(per_field))
    return '{ __type(name: "Query") { ' + body + " } }"


def _json_post(body: Any) -> Callable[[httpx.Client], httpx.Response]:
    return lambda client: client.post("/graphql", json=body)


@dataclass(frozen=True)
class Abuse:
    send: Callable[[httpx.Client], httpx.Response]
    status: int
    code: str
    mentions: tuple[str, ...]


ABUSES = {
    "body-2MB": Abuse(
        lambda client: client.post(
            "/graphql",
            content=json.dumps({**TYPENAME, "padding": "x" * 2_000_000}).encode(),
            headers={"Content-Type": "application/json"},
        ),
        413,
        "PAYLOAD_TOO_LARGE",
        (f"{limits.MAX_BODY_BYTES:,}",),
    ),
    "depth-40": Abuse(
        _json_post({"query": _nested_introspection(40)}),
        400,
        "QUERY_TOO_DEEP",
        ("deep", f"limit is {limits.MAX_QUERY_DEPTH}"),
    ),
    "200-aliases": Abuse(
        _json_post({"query": _aliases_spread(25)}),
        400,
        "TOO_MANY_ALIASES",
        ("200 aliases", f"limit is {limits.MAX_ALIASES_TOTAL}"),
    ),
    "31-aliases-of-one-field": Abuse(
        _json_post({"query": _aliases_of_typename(limits.MAX_ALIASES_PER_FIELD + 1)}),
        400,
        "TOO_MANY_ALIASES",
        ("__typename", "31 times", f"limit is {limits.MAX_ALIASES_PER_FIELD}"),
    ),
    "mutation-over-GET": Abuse(
        lambda client: client.get("/graphql", params={"query": "mutation{logout{ok}}"}),
        405,
        "METHOD_NOT_ALLOWED",
        ("POST",),
    ),
    "batched-list": Abuse(_json_post([TYPENAME, TYPENAME]), 400, "BATCH_NOT_SUPPORTED", ("one operation",)),
    "form-encoded": Abuse(
        lambda client: client.post("/graphql", data={"query": "mutation { logout { ok } }"}),
        415,
        "UNSUPPORTED_MEDIA_TYPE",
        ("application/json",),
    ),
    "not-json": Abuse(
        lambda client: client.post("/graphql", content=b"{query: nope", headers={"Content-Type": "application/json"}),
        400,
        "INVALID_JSON",
        ("JSON",),
    ),
    "too-many-tokens": Abuse(
        _json_post({"query": "{ " + "__typename " * (limits.MAX_TOKENS + 1) + "}"}),
        400,
        "GRAPHQL_PARSE_FAILED",
        (str(limits.MAX_TOKENS), "tokens"),
    ),
}


@pytest.mark.parametrize("name", list(ABUSES))
def test_abuse_is_refused_clearly_and_the_server_keeps_serving(http: httpx.Client, server: Server, name: str) -> None:
    abuse = ABUSES[name]
    response = abuse.send(http)
    assert response.status_code == abuse.status, response.text[:500]
    assert response.headers["content-type"].startswith("application/json")
    errors = response.json()["errors"]
    assert errors[0]["extensions"]["code"] == abuse.code, errors
    message = errors[0]["message"]
    for part in abuse.mentions:
        assert part in message, message
    if abuse.status == 405:
        assert response.headers["allow"] == "GET, POST"
    assert server.process.poll() is None
    _typename_works(http)


def test_queries_within_the_limits_are_accepted(http: httpx.Client) -> None:
    response = http.post("/graphql", json={"query": _aliases_of_typename(limits.MAX_ALIASES_PER_FIELD)})
    assert response.status_code == 200, response.text
    assert response.json()["data"] == {f"a{i}": "Query" for i in range(limits.MAX_ALIASES_PER_FIELD)}
    # The same nesting as the depth-40 abuse, at the limit: only the depth was wrong.
    response = http.post("/graphql", json={"query": _nested_introspection(limits.MAX_QUERY_DEPTH)})
    assert response.status_code == 200, response.text
    assert "errors" not in response.json()


# --- --demo ------------------------------------------------------------------


def test_demo_loads_the_logins_and_serves(tmp_path: Path) -> None:
    with running_server(tmp_path, "--demo") as running:
        out = running.stdout()
        assert "Demo data loaded" in out, running.output()
        assert DEMO_PASSWORD in out
        for email, *_ in DEMO_USERS:
            assert email in out, running.output()
        with httpx.Client(base_url=running.base_url, timeout=15) as client:
            _typename_works(client)
            email = DEMO_USERS[0][0]
            login = client.post(
                "/graphql",
                json={
                    "query": "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token errors { message } } }",
                    "variables": {"e": email, "p": DEMO_PASSWORD},
                },
            )
            assert login.status_code == 200, login.text
            payload = login.json()["data"]["login"]
            assert payload["errors"] == [] and payload["token"], payload
            me = client.post(
                "/graphql", json={"query": "{ me { email } }"}, headers={"Authorization": f"Bearer {payload['token']}"}
            )
            assert me.json() == {"data": {"me": {"email": email}}}, me.text
            _demo_order_flow(client, tmp_path / "mail")


def _demo_order_flow(client: httpx.Client, mail_dir: Path) -> None:
    """The first order of the README: the assistant sends, the main user is mailed, the purchaser approves."""

    def call(token: str | None, query: str, **variables: Any) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body, body
        return body["data"]

    def login(email: str) -> str:
        query = "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }"
        return call(None, query, e=email, p=DEMO_PASSWORD)["login"]["token"]

    assistant, purchaser = login("assistant@demo.test"), login("purchaser@demo.test")
    found = call(assistant, 'query { products(search: "hansker", first: 2) { edges { node { sku } } } }')
    skus = [edge["node"]["sku"] for edge in found["products"]["edges"]]
    assert len(skus) == 2
    cart = call(assistant, 'mutation { createCart(customerNumber: "10001", name: "Kveldsvakt") { cart { id } } }')
    cart_id = cart["createCart"]["cart"]["id"]
    lines = [{"sku": sku, "quantity": 2} for sku in skus]
    added = call(
        assistant,
        "mutation($c: ID!, $l: [CartLineInput!]!) { addToCart(cartId: $c, lines: $l) { errors { code } } }",
        c=cart_id,
        l=lines,
    )
    assert added["addToCart"]["errors"] == []
    today = time.strftime("%Y-%m-%d")
    until = time.strftime("%Y-%m-%d", time.localtime(time.time() + 30 * 86400))
    options = call(
        assistant,
        'query($f: Date!, $t: Date!) { customer(number: "10001") { deliveryAddresses { id } deliveryDates(from: $f, to: $t) } }',
        f=today,
        t=until,
    )["customer"]
    submitted = call(
        assistant,
        "mutation($c: ID!, $i: SubmitCartInput!) { submitCart(cartId: $c, input: $i) { order { id number status } errors { code message } } }",
        c=cart_id,
        i={"deliveryAddressId": options["deliveryAddresses"][0]["id"], "deliveryDate": options["deliveryDates"][0]},
    )["submitCart"]
    assert submitted["errors"] == [] and submitted["order"]["status"] == "PENDING_APPROVAL", submitted
    number = submitted["order"]["number"]

    deadline = time.monotonic() + 10
    mails: list[str] = []
    while time.monotonic() < deadline and not mails:
        mails = [
            path.read_text(encoding="utf-8")
            for path in mail_dir.glob("*.eml")
            if "main@demo.test" in path.read_text(encoding="utf-8") and number in path.read_text(encoding="utf-8")
        ]
        time.sleep(0.1)
    assert mails, f"no approval email for {number} in {mail_dir}"
    assert "venter på godkjenning" in mails[0]

    approved = call(
        purchaser,
        "mutation($o: ID!) { approveOrder(orderId: $o) { order { status } errors { code } } }",
        o=submitted["order"]["id"],
    )["approveOrder"]
    assert approved == {"order": {"status": "SUBMITTED"}, "errors": []}
    mine = call(
        assistant, 'query { customer(number: "10001") { orders(first: 5) { edges { node { number status } } } } }'
    )
    assert {"number": number, "status": "SUBMITTED"} in [e["node"] for e in mine["customer"]["orders"]["edges"]]


# --- PostgreSQL, two worker processes ----------------------------------------


def _workers(pid: int) -> set[int]:
    """uvicorn's worker processes: the children started by multiprocessing's spawn
    (not its resource tracker)."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            with contextlib.suppress(FileNotFoundError):
                if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes():
                    found.add(int(child))
    return found


def _socket_inode(server_port: int, client_port: int) -> str | None:
    """The inode of the server side of the loopback connection from ``client_port``."""
    wanted_local = f"0100007F:{server_port:04X}"
    wanted_remote = f"0100007F:{client_port:04X}"
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[1] == wanted_local and fields[2] == wanted_remote:
            return fields[9]
    return None


def _owners(pids: set[int], inodes: set[str]) -> dict[str, int]:
    owners: dict[str, int] = {}
    for pid in pids:
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                with contextlib.suppress(FileNotFoundError):
                    target = os.readlink(fd)
                    if target.startswith("socket:[") and target[8:-1] in inodes:
                        owners[target[8:-1]] = pid
    return owners


async def _concurrent_round(
    base_url: str, count: int, answered_by: Callable[[list[int]], set[int]]
) -> tuple[list[httpx.Response], set[int]]:
    """``count`` requests at once, each on its own connection.

    Returns the responses and ``answered_by`` applied to the connections' client
    ports while they are still open.
    """
    pool = httpx.Limits(max_connections=count, max_keepalive_connections=count)
    async with httpx.AsyncClient(base_url=base_url, timeout=20, limits=pool) as client:
        ports: list[int] = []

        async def one() -> httpx.Response:
            # An unknown session token is looked up in the database before it counts as
            # anonymous: each request does real work on PostgreSQL and changes nothing.
            headers = {"Authorization": f"Bearer {SESSION_PREFIX}unknown-e2e-token"}
            async with client.stream("POST", "/graphql", json=TYPENAME, headers=headers) as response:
                stream = response.extensions.get("network_stream")
                address = stream.get_extra_info("client_addr") if stream is not None else None
                if address:
                    ports.append(address[1])
                await response.aread()
                return response

        responses = await asyncio.gather(*(one() for _ in range(count)))
        return list(responses), answered_by(ports)


def test_postgres_with_two_workers(tmp_path: Path, postgres_ready: str | None) -> None:
    if postgres_ready is not None:
        pytest.skip(postgres_ready)
    with running_server(tmp_path, "--workers", "2", database_url=POSTGRES_URL) as running:
        # Which process answered is not visible through the API, but the kernel knows
        # which worker holds each accepted socket (Linux /proc; elsewhere not checked).
        observable = Path("/proc/net/tcp").exists()
        workers = _workers(running.process.pid) if observable else set()
        if observable:
            assert len(workers) == 2, f"expected 2 worker processes, found {workers}\n{running.output()}"

        def answered_by(ports: list[int]) -> set[int]:
            if not observable:
                return set()
            inodes = {inode for port in ports if (inode := _socket_inode(running.port, port)) is not None}
            return set(_owners(workers, inodes).values())

        responses, seen = asyncio.run(_concurrent_round(running.base_url, 40, answered_by))
        assert len(responses) == 40
        for response in responses:
            assert response.status_code == 200, response.text
            assert response.json() == {"data": {"__typename": "Query"}}, response.text
        if not observable:
            return
        # A burst of connections can all go to whichever worker wakes first; a few
        # more bursts give the other one its turn.
        deadline = time.monotonic() + 10
        while len(seen) < 2 and time.monotonic() < deadline:
            responses, more = asyncio.run(_concurrent_round(running.base_url, 40, answered_by))
            assert all(response.status_code == 200 for response in responses)
            seen |= more
        assert seen == workers, f"only worker(s) {seen} of {workers} answered"
