"""Optional OpenTelemetry traces: on when OTEL_EXPORTER_OTLP_ENDPOINT is set, otherwise absent.

Off, nothing of OpenTelemetry is imported and no middleware is added, so it
costs nothing. On (``pip install -e '.[otel]'``), each HTTP request is a span
(ASGI instrumentation) with the SQL statements it ran as child spans
(SQLAlchemy instrumentation), exported over OTLP/HTTP in batches. The
exporter reads the standard OTEL_* variables (endpoint, headers,
OTEL_SERVICE_NAME, ...).
"""

from __future__ import annotations

import logging
import os

from starlette.middleware import Middleware

from app.db import Database

log = logging.getLogger("app.tracing")


def enabled() -> bool:
    return bool(os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT"))


def middleware(db: Database) -> list[Middleware]:
    """The tracing middleware (and the engine instrumented), or nothing when tracing is off."""
    if not enabled():
        return []
    try:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware
        from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor
    except ImportError:
        log.error("OTEL_EXPORTER_OTLP_ENDPOINT is set but OpenTelemetry is not installed: pip install -e '.[otel]'")
        return []
    provider = TracerProvider(
        resource=Resource.create({"service.name": os.environ.get("OTEL_SERVICE_NAME", "commerce")})
    )
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    # The instrumentation declares SQLAlchemy < 2.1 and would otherwise refuse 2.1, whose
    # engine events it uses are unchanged (tests/e2e/test_tracing.py checks the spans arrive).
    SQLAlchemyInstrumentor().instrument(engine=db.engine.sync_engine, tracer_provider=provider, skip_dep_check=True)
    return [Middleware(OpenTelemetryMiddleware, tracer_provider=provider, exclude_spans=["receive", "send"])]
