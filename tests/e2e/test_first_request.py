"""A worker's very first request may be a signed-in one: nothing before it has used the ORM.

With the background senders off (as a deployment that runs them apart does),
no statement of the worker's own has configured SQLAlchemy's mappers when the
first request arrives; the session lookup builds its user without the ORM's
constructor, so it must configure them itself.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from app.db import Database
from app.ids import encode_id
from app.models import Role
from tests.factories import make_customer, make_user, sign_in
from tests.helpers.server import running_server

pytestmark = pytest.mark.e2e


async def test_the_first_request_of_a_fresh_worker_is_signed_in(database: Database, tmp_path: Path) -> None:
    customer = await make_customer(database)
    user = await make_user(database, (customer, Role.PURCHASER))
    token = await sign_in(database, user)
    env = {"COMMERCE_MAIL_WORKER": "false"}
    with running_server(tmp_path, database_url=database.url, env=env) as server:
        async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as http:
            response = await http.post(
                "/graphql", json={"query": "{ me { id email } }"}, headers={"authorization": f"Bearer {token}"}
            )
    assert response.status_code == 200, response.text
    assert response.json() == {"data": {"me": {"id": encode_id("User", user.id), "email": user.email}}}
