"""/metrics through the app: what a Prometheus scrape sees after real requests."""

from __future__ import annotations

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from app import metrics
from app.db import Database
from app.mail import outbox
from app.models.outbox import OutboxStatus
from app.settings import Settings
from tests.factories import PASSWORD, make_user, sign_in
from tests.helpers.graphql import gql
from tests.helpers.sql import count_statements

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


async def scrape(client: httpx.AsyncClient) -> Samples:
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_requests_are_counted_by_operation_and_outcome(client: httpx.AsyncClient) -> None:
    before = await scrape(client)
    await gql(client, "query MetricsOk { __typename }")
    await gql(client, "query MetricsOk { __typename }")
    await gql(client, "query MetricsNoToken { me { email } }")  # Unauthenticated: executed, with an error
    await gql(client, "query MetricsBroken { nope }", expect_status=400)
    after = await scrape(client)

    def delta(operation: str, outcome: str) -> float:
        name = "commerce_graphql_requests_total"
        return value(after, name, operation=operation, outcome=outcome) - value(
            before, name, operation=operation, outcome=outcome
        )

    assert delta("MetricsOk", "ok") == 2
    assert delta("MetricsNoToken", "error") == 1
    # Refused before execution: the operation is not known yet.
    assert delta("anonymous", "rejected") >= 1
    latency = "commerce_graphql_request_duration_seconds_count"
    assert value(after, latency, operation="MetricsOk") - value(before, latency, operation="MetricsOk") == 2


async def test_sql_statements_per_request_are_observed(client: httpx.AsyncClient, database: Database) -> None:
    token = await sign_in(database, await make_user(database, email="stats@example.test"))
    before = await scrape(client)
    with count_statements(database) as statements:
        result = await gql(client, "query MetricsMe { me { email } }", token=token)
    assert result == {"data": {"me": {"email": "stats@example.test"}}}
    after = await scrape(client)
    name = "commerce_sql_statements_per_request"
    assert value(after, f"{name}_count") - value(before, f"{name}_count") == 1
    # The hook sees BEGIN/COMMIT too when the driver sends them; the helper does not count those.
    observed = value(after, f"{name}_sum") - value(before, f"{name}_sum")
    assert statements.count >= 1 and statements.count <= observed <= statements.count + 2


async def test_pool_connections_in_use_follow_checkouts(client: httpx.AsyncClient, database: Database) -> None:
    idle = value(await scrape(client), "commerce_db_pool_connections_in_use")
    async with database.engine.connect():
        held = value(await scrape(client), "commerce_db_pool_connections_in_use")
    assert held == idle + 1
    assert value(await scrape(client), "commerce_db_pool_connections_in_use") == idle


async def test_outbox_pending_and_failed_are_read_at_scrape_time(
    client: httpx.AsyncClient, database: Database, settings: Settings
) -> None:
    samples = await scrape(client)
    assert value(samples, "commerce_outbox_pending") == 0 and value(samples, "commerce_outbox_failed") == 0
    async with database.transaction() as session:
        for _ in range(3):
            outbox.enqueue(session, settings, "password_reset", "x@example.test", name="X", link="http://shop.test/x")
        failed = outbox.enqueue(session, settings, "password_reset", "y@example.test", name="Y", link="http://s/y")
        await session.flush()
        failed.status = OutboxStatus.FAILED
    samples = await scrape(client)
    assert value(samples, "commerce_outbox_pending") == 3
    assert value(samples, "commerce_outbox_failed") == 1


async def test_failed_and_locked_logins_are_counted(client: httpx.AsyncClient, database: Database) -> None:
    await make_user(database, email="locks@example.test")
    before = await scrape(client)
    query = "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token errors { code } } }"
    codes = []
    for _ in range(6):
        result = await gql(client, query, {"e": "locks@example.test", "p": "wrong-password-1"})
        codes.append(result["data"]["login"]["errors"][0]["code"])
    assert codes == ["INVALID_CREDENTIALS"] * 4 + ["ACCOUNT_LOCKED"] * 2
    right = await gql(client, query, {"e": "locks@example.test", "p": PASSWORD})
    assert right["data"]["login"]["errors"] == [{"code": "ACCOUNT_LOCKED"}]
    after = await scrape(client)
    failed = "commerce_logins_failed_total"
    assert value(after, failed, reason="invalid_credentials") - value(before, failed, reason="invalid_credentials") == 5
    assert value(after, failed, reason="locked") - value(before, failed, reason="locked") == 2
    assert value(after, "commerce_accounts_locked_total") - value(before, "commerce_accounts_locked_total") == 1


async def test_rate_limit_refusals_have_a_counter(client: httpx.AsyncClient) -> None:
    before = value(await scrape(client), "commerce_rate_limited_total", limit="test")
    metrics.count_rate_limited("test")
    assert value(await scrape(client), "commerce_rate_limited_total", limit="test") == before + 1


def test_client_chosen_operation_names_cannot_grow_the_series(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(metrics, "_known_operations", set())
    monkeypatch.setattr(metrics, "MAX_OPERATION_NAMES", 3)
    assert [metrics.operation_label(f"Op{i}") for i in range(5)] == ["Op0", "Op1", "Op2", "other", "other"]
    assert metrics.operation_label("Op1") == "Op1"
    assert metrics.operation_label(None) == "anonymous"
    assert metrics.operation_label("x" * 100) == "other"
