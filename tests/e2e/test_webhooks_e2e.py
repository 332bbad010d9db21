"""The README's webhook example end to end: `serve --demo`, a key and an endpoint made with the CLI,
the demo order flow, and a receiver (a plain threaded HTTP server) that verifies each signature."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from standardwebhooks import Webhook

from app.cli import main
from tests.e2e.test_server import _demo_order_flow
from tests.helpers.server import running_server

pytestmark = pytest.mark.e2e


class _Inbox:
    def __init__(self) -> None:
        self.secret = ""
        self.events: list[dict[str, Any]] = []
        self.bad = 0


def _receiver(inbox: _Inbox) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            try:
                inbox.events.append(Webhook(inbox.secret).verify(body, dict(self.headers)))
                self.send_response(204)
            except Exception:
                inbox.bad += 1
                self.send_response(400)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def inbox() -> Iterator[tuple[_Inbox, str]]:
    box = _Inbox()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _receiver(box))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield box, f"http://127.0.0.1:{server.server_address[1]}/hooks"
    finally:
        server.shutdown()
        server.server_close()


def test_serve_delivers_signed_order_events(tmp_path: Path, inbox: tuple[_Inbox, str], monkeypatch) -> None:  # type: ignore[no-untyped-def]
    box, url = inbox
    env = {"COMMERCE_WEBHOOK_ALLOW_PRIVATE": "true"}
    with running_server(tmp_path, "--demo", env=env) as running:
        database_url = f"sqlite+aiosqlite:///{tmp_path / 'commerce.db'}"
        monkeypatch.setenv("COMMERCE_WEBHOOK_ALLOW_PRIVATE", "true")
        cli = CliRunner()
        made = cli.invoke(
            main, ["--database-url", database_url, "api-key", "create", "--name", "erp", "--scope", "webhooks:write"]
        )
        assert made.exit_code == 0, made.output
        hook = cli.invoke(
            main, ["--database-url", database_url, "webhook", "create", "--api-key", "erp", "--url", url,
                   "--event", "order.submitted", "--event", "order.approved"],
        )  # fmt: skip
        assert hook.exit_code == 0, hook.output
        box.secret = hook.output.split("secret ", 1)[1].strip()

        with httpx.Client(base_url=running.base_url, timeout=15) as client:
            _demo_order_flow(client, tmp_path / "mail")
        deadline = time.monotonic() + 20
        while len(box.events) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert box.bad == 0
        assert [e["type"] for e in box.events] == ["order.submitted", "order.approved"], running.output()
        assert box.events[0]["data"]["customerNumber"] == "10001"
        assert box.events[1]["data"]["status"] == "SUBMITTED"
