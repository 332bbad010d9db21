"""`commerce serve --demo` tells a newcomer how to sign in at every start, not only the first."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.demo.accounts import DEMO_CUSTOMERS, DEMO_PASSWORD, DEMO_USERS
from tests.helpers.server import running_server

pytestmark = pytest.mark.e2e


def test_demo_prints_logins_and_customer_numbers_at_every_start(tmp_path: Path) -> None:
    outputs = []
    for _ in range(2):  # the second start finds the data already there
        with running_server(tmp_path, "--demo") as running:
            outputs.append((running.stdout(), running.base_url))
    (first, first_url), (second, second_url) = outputs
    assert "Demo data loaded." in first
    assert "Demo data already in the database" in second
    for out, base_url in outputs:
        assert DEMO_PASSWORD in out
        for number, name in DEMO_CUSTOMERS:
            assert f"{number} {name}" in out, out
        for address, *_ in DEMO_USERS:
            assert address in out, out
        assert "PURCHASER of 10001, MAIN_USER of 10002" in out
        # The server's own address, since COMMERCE_PUBLIC_URL is not set.
        assert f"{base_url}/reset-password?token=" in out
        assert f"{base_url}/graphql" in out
