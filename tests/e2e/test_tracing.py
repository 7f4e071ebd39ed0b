"""One trace from the request that files a complaint, through the outbox and Kafka, to the case service and
the notifier's letters: the spans read back from each service's in-memory exporter share the trace id, and
each continues the one before it."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack

import pytest
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from docket_contracts import topics
from services.case.config import CaseSettings
from services.case.main import create_app as case_app
from services.intake.config import IntakeSettings
from services.intake.main import create_app as intake_app
from services.notifier.config import NotifierSettings
from services.notifier.main import create_app as notifier_app
from tests.apps import Running, serve
from tests.factories import submission
from tests.kafka_reader import eventually, headers, read_topic

pytestmark = pytest.mark.e2e


@pytest.fixture
async def traced(configure, kafka) -> AsyncIterator[dict[str, tuple[Running, InMemorySpanExporter]]]:
    common = {"kafka_bootstrap_servers": kafka.bootstrap_servers, "relay_poll_interval_s": 0.5}
    apps = {
        "intake": intake_app(configure(IntakeSettings, **common)),
        "case": case_app(configure(CaseSettings, **common, run_timers=False)),
        "notifier": notifier_app(configure(NotifierSettings, **common, run_deliveries=False)),
    }
    async with AsyncExitStack() as stack:
        running = {}
        for name, app in apps.items():
            service = await stack.enter_async_context(serve(app))
            exporter = InMemorySpanExporter()
            service.runtime.tracer_provider.add_span_processor(SimpleSpanProcessor(exporter))
            running[name] = (service, exporter)
        yield running


async def test_one_trace_follows_a_complaint_from_the_request_to_the_letters(traced, tokens):
    trace_id, caller_span = secrets.token_hex(16), secrets.token_hex(8)
    intake, notifier = traced["intake"][0], traced["notifier"][0]
    # About a controller of its own: a Clearview AI case left open here would take the first complaint of the
    # Clearview story (test_clearview.py) when that runs later on the same database.
    body = submission(controller={"name": f"Traced {secrets.token_hex(4)} Ltd"})
    filed = await intake.http.post("/complaints", json=body, headers={"traceparent": f"00-{trace_id}-{caller_span}-01"})
    assert filed.status_code == 201, filed.text
    complaint_id = filed.json()["id"]

    async def letters() -> list | None:
        found = (
            await notifier.http.get(
                "/notifications", params={"complaint_id": complaint_id}, headers=tokens("adrien.admin")
            )
        ).json()
        return (
            found
            if {"docket.complaint.filed", "docket.case.opened"} <= {letter["source_event_type"] for letter in found}
            else None
        )

    await eventually(letters, timeout=60)
    spans = {
        name: [s for s in exporter.get_finished_spans() if format(s.context.trace_id, "032x") == trace_id]
        for name, (_, exporter) in traced.items()
    }

    [request] = [s for s in spans["intake"] if s.kind is SpanKind.SERVER]
    assert request.name == "POST /complaints" and format(request.parent.span_id, "016x") == caller_span
    assert request.resource.attributes["service.name"] == "docket-intake"
    [routed] = [s for s in spans["case"] if s.name == "docket.complaint.filed process"]
    assert routed.kind is SpanKind.CONSUMER and routed.parent.span_id == request.context.span_id
    by_name = {s.name: s for s in spans["notifier"]}
    acknowledged, opened = by_name["docket.complaint.filed process"], by_name["docket.case.opened process"]
    assert acknowledged.parent.span_id == request.context.span_id  # the same message, read by another group
    assert opened.parent.span_id == routed.context.span_id  # the case service's event, written in its span
    assert opened.resource.attributes["service.name"] == "docket-notifier"

    # On the wire: the W3C header, on the complaint's message and on its case's.
    [message] = [
        r
        for r in await read_topic(traced["case"][0].runtime.kafka, topics.COMPLAINTS)
        if headers(r).get("ce_subject") == complaint_id and headers(r).get("ce_type") == "docket.complaint.filed"
    ]
    assert headers(message)["traceparent"] == f"00-{trace_id}-{format(request.context.span_id, '016x')}-01"
