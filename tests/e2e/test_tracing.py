"""OpenTelemetry: spans reach an OTLP endpoint when one is set, and nothing is loaded otherwise."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from tests.helpers.server import ROOT, running_server

pytestmark = pytest.mark.e2e

EXPORT_SECONDS = 30.0


class Receiver:
    """An OTLP/HTTP traces endpoint on loopback that keeps the span names it is sent."""

    def __init__(self) -> None:
        self.spans: list[str] = []
        self.lock = threading.Lock()

    def names(self) -> list[str]:
        with self.lock:
            return list(self.spans)


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

    received = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (the http.server API)
            body = self.rfile.read(int(self.headers["Content-Length"]))
            export = ExportTraceServiceRequest.FromString(body)
            with received.lock:
                for resource in export.resource_spans:
                    for scope in resource.scope_spans:
                        received.spans.extend(span.name for span in scope.spans)
            self.send_response(200)
            self.send_header("Content-Type", "application/x-protobuf")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield received, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_requests_and_their_sql_are_traced(tmp_path: Path, receiver: tuple[Receiver, str]) -> None:
    received, endpoint = receiver
    env = {"OTEL_EXPORTER_OTLP_ENDPOINT": endpoint, "OTEL_BSP_SCHEDULE_DELAY": "200"}
    with running_server(tmp_path, env=env) as running:
        response = httpx.post(
            f"{running.base_url}/graphql", json={"query": "{ me { email } }"}, headers={"Authorization": "Bearer cs_x"}
        )
        assert response.status_code == 200
        deadline = time.monotonic() + EXPORT_SECONDS
        while time.monotonic() < deadline and not (
            "POST /graphql" in received.names() and any(name.startswith("SELECT") for name in received.names())
        ):
            time.sleep(0.1)
    names = received.names()
    assert "POST /graphql" in names, names
    assert any(name.startswith("SELECT") for name in names), names  # the session lookup, as a child span


def test_without_an_endpoint_opentelemetry_is_not_even_imported(tmp_path: Path) -> None:
    code = (
        "import sys; from app.main import create_app; from app.settings import Settings; "
        f"create_app(Settings(database_url='sqlite+aiosqlite:///{tmp_path}/c.db', mail_worker=False)); "
        "print(sorted(m for m in sys.modules if m.startswith('opentelemetry')))"
    )
    env = {"PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stderr
