"""`commerce webhook create` and `commerce webhook send-pending`, in-process with click's runner."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from app.models import WebhookEndpoint
from tests.test_cli import fails, query, run


@pytest.fixture
def cli_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"


def test_webhook_create_prints_the_secret_once(cli_url: str) -> None:
    run(cli_url, "db", "upgrade")
    run(cli_url, "api-key", "create", "--name", "erp", "--scope", "webhooks:write", "--scope", "orders:read")
    run(cli_url, "api-key", "create", "--name", "catalog", "--scope", "catalog:write")

    out = run(
        cli_url, "webhook", "create", "--api-key", "erp", "--url", "https://93.184.216.34/hooks",
        "--event", "order.submitted", "--event", "order.approved",
    )  # fmt: skip

    secret = out.split("secret ", 1)[1].strip()
    assert secret.startswith("whsec_")
    [(url, events, stored)] = query(
        cli_url, select(WebhookEndpoint.url, WebhookEndpoint.events, WebhookEndpoint.secret)
    )
    assert (url, events, stored) == ("https://93.184.216.34/hooks", "order.submitted order.approved", secret)
    assert "lacks the scope webhooks:write" in fails(
        cli_url, "webhook", "create", "--api-key", "catalog", "--url", "https://93.184.216.34/x"
    )
    assert "private, loopback or link-local" in fails(
        cli_url, "webhook", "create", "--api-key", "erp", "--url", "https://10.0.0.8/x"
    )
    assert "no live API key" in fails(cli_url, "webhook", "create", "--api-key", "nobody", "--url", "https://a.b/c")
    assert "Invalid value" in fails(
        cli_url, "webhook", "create", "--api-key", "erp", "--url", "https://93.184.216.34/x", "--event", "order.lost"
    )
    assert len(query(cli_url, select(WebhookEndpoint.id))) == 1
    assert "delivered 0, failed 0" in run(cli_url, "webhook", "send-pending")
