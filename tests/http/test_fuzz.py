"""Fuzzing /graphql with generated operations: never INTERNAL, never a 5xx.

The generator (tests/helpers/fuzz.py) walks the schema and writes queries and
mutations with hostile arguments, as literals and as variables. Each document
is sent as anonymous, a purchaser and support staff, and each mutation also
with an ERP key of every scope. Seeded, so CI runs the same cases each time;
FUZZ_SEED explores others and FUZZ_DOCUMENTS sets how many documents.
"""

from __future__ import annotations

import json
import os
import random
import time

import httpx

from app.db import Database
from app.schema.schema import schema
from tests.erp.helpers import ALL_SCOPES, make_key
from tests.helpers.fuzz import Generator
from tests.ordering.shop import Shop, filled_cart, placed_order
from tests.ordering.shop import shop as shop  # noqa: F401  (fixture)

SEED = int(os.environ.get("FUZZ_SEED", "20261129"))
# 600 documents, a third of them mutations: 2,000 operations across the actors on
# SQLite (about 30 s here). PostgreSQL gets half as many, with other seeds: what
# differs there is the database layer, whose own edges (NUL, int32 keys) the
# hygiene tests pin on both; the two runs together stay near a minute.
DOCUMENTS = int(os.environ.get("FUZZ_DOCUMENTS", "600"))
# Mutations that would end the actor's own session or change its password mid-run.
SELF_ENDING = frozenset({"logout", "changePassword"})


def _problem(response: httpx.Response) -> str | None:
    if response.status_code >= 500:
        return f"HTTP {response.status_code}: {response.text[:300]}"
    try:
        body = response.json()
    except json.JSONDecodeError:
        return f"not JSON: {response.text[:200]}"
    for error in body.get("errors", []):
        code = (error.get("extensions") or {}).get("code")
        if code is None or code == "INTERNAL":
            return f"{code}: {error.get('message')} at {error.get('path')}"
    return None


async def test_fuzzed_operations_never_fail_internally(
    client: httpx.AsyncClient, database: Database, shop: Shop, backend: str
) -> None:
    # Something to find: an order, carts, an ERP key; ids 1..12 of most types exist.
    await placed_order(client, shop)
    await filled_cart(client, shop, "assistant")
    actors: dict[str, str | None] = {
        "anonymous": None,
        "purchaser": shop.token("purchaser"),
        "support": shop.token("support"),
        "erp": await make_key(database, *ALL_SCOPES),
    }
    sqlite = backend == "sqlite"
    generator = Generator(schema._schema, random.Random(SEED if sqlite else SEED + 1))
    documents = [
        generator.operation(mutation=index % 3 == 2, exclude=SELF_ENDING if index % 3 == 2 else frozenset())
        for index in range(DOCUMENTS if sqlite else DOCUMENTS // 2)
    ]
    started = time.perf_counter()
    failures: list[tuple[str, str, str, dict]] = []
    sent = 0
    for actor, token in actors.items():
        headers = {"content-type": "application/json"}
        if token is not None:
            headers["authorization"] = f"Bearer {token}"
        for query, variables in documents:
            if actor == "erp" and not query.startswith("mutation"):
                continue  # the ERP key's own operations are mutations (and orderFeed, read by the others too)
            # ASCII escapes, so lone surrogates travel as a client would send them.
            body = json.dumps({"query": query, "variables": variables}).encode()
            response = await client.post("/graphql", content=body, headers=headers)
            sent += 1
            if (problem := _problem(response)) is not None:
                failures.append((actor, problem, query, variables))
    elapsed = time.perf_counter() - started
    print(
        f"\nfuzz ({backend}): {sent} generated operations as {len(actors)} actors in {elapsed:.1f} s, {len(failures)} failures"
    )
    shown = "\n\n".join(
        f"[{actor}] {problem}\n{query[:1200]}\n{json.dumps(variables)[:600]}"
        for actor, problem, query, variables in failures[:6]
    )
    assert not failures, f"{len(failures)} of {sent} operations failed:\n{shown}"
    assert sent >= (2_000 if sqlite else 1_000) * DOCUMENTS // 600
