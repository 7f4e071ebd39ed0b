"""One trace per complaint across the three services (OpenTelemetry, W3C trace context).

An HTTP request is a server span, continuing the caller's `traceparent` if it sends one. What the work
writes to the outbox keeps the trace context of the span it ran in (`current_traceparent`); the relay
publishes it as the message's `traceparent` header; the consumer that takes the message in runs its handler
in a consumer span that continues it, and so on to the notifier's letters. Each service has a tracer provider
of its own, named `docket-<service>`; spans are exported over OTLP/HTTP when `OTEL_EXPORTER_OTLP_ENDPOINT`
is set, and nowhere otherwise (their ids still travel, and the logs name them).
"""

from __future__ import annotations

from typing import Any

from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import SpanKind, Tracer

from docket_messaging.context import continuing

from .asgi import answering


def provider(service: str, otlp_endpoint: str | None) -> TracerProvider:
    """The service's tracer provider: exporting to `otlp_endpoint` (the collector's base URL) if given."""
    made = TracerProvider(resource=Resource.create({"service.name": f"docket-{service}"}))
    if otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        made.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=f"{otlp_endpoint.rstrip('/')}/v1/traces")))
    return made


class RequestTracing:
    """ASGI middleware: each HTTP request a server span named by its method and route template, continuing
    the caller's traceparent header."""

    def __init__(self, app: Any, tracer: Tracer) -> None:
        self.app, self.tracer = app, tracer

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in scope.get("headers", ())}
        with self.tracer.start_as_current_span(
            scope["method"], context=continuing(headers.get("traceparent")), kind=SpanKind.SERVER
        ) as span:

            def answered(status: int, route: str) -> None:
                span.update_name(f"{scope['method']} {route}")
                span.set_attribute("http.route", route)
                span.set_attribute("http.response.status_code", status)

            await answering(self.app, scope, receive, send, answered)
