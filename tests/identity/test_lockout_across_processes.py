"""The lockout holds for concurrent attempts spread over two server processes."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from app.db import Database
from app.models import Role
from tests.factories import make_customer, make_user
from tests.helpers.server import running_server

pytestmark = pytest.mark.e2e

LOGIN = 'mutation($p: String!) { login(email: "locked@example.test", password: $p) { token errors { code } } }'


async def test_twenty_attempts_on_two_workers_check_at_most_five(pg_database: Database, tmp_path: Path) -> None:
    customer = await make_customer(pg_database)
    await make_user(pg_database, (customer, Role.ASSISTANT), email="locked@example.test")

    with running_server(tmp_path, "--workers", "2", database_url=pg_database.url) as server:
        async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as http:

            async def attempt(i: int) -> str:
                response = await http.post("/graphql", json={"query": LOGIN, "variables": {"p": f"guess-{i:02d}-xxxx"}})
                return response.json()["data"]["login"]["errors"][0]["code"]

            answers = await asyncio.gather(*(attempt(i) for i in range(20)))

    # Four wrong guesses are told so; the attempt holding the fifth slot locks;
    # all others are refused without their password being checked.
    assert answers.count("INVALID_CREDENTIALS") == 4, answers
    assert answers.count("ACCOUNT_LOCKED") == 16, answers
