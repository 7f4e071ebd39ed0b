"""Log lines: one JSON object a line with the ids of what is being handled, or text for a person; never a
field beyond those named, so never a value a record happens to carry."""

import asyncio
import json
import logging
import logging.config
import sys
import uuid
from dataclasses import replace

import pytest
from fastapi import FastAPI

from docket_messaging.consumer import InboxConsumer
from docket_messaging.context import bind_ids, current_ids, log_ids, trace_id
from docket_service.http import RequestLogIds
from docket_service.logs import JsonFormatter, TextFormatter, log_config

from .fakes import FakeInbox, FakePublisher
from .test_consumer import complaint_record

TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
TRACEPARENT = f"00-{TRACE}-00f067aa0ba902b7-01"
CASE, COMPLAINT, EVENT = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
FIELDS = {
    "time",
    "level",
    "service",
    "logger",
    "message",
    "event_id",
    "case_id",
    "complaint_id",
    "trace_id",
    "exception",
    "traceback",
    "stack",
    "http_method",
    "http_path",
    "http_status",
}


def record(
    message: str = f"case {CASE} opened",
    *args: object,
    level: int = logging.INFO,
    name: str = "docket.case",
    exc_info: object = None,
    **extra: object,
) -> logging.LogRecord:
    made = logging.LogRecord(name, level, __file__, 1, message, args, exc_info)
    made.__dict__.update(extra)
    return made


def as_json(made: logging.LogRecord, service: str = "case") -> dict[str, object]:
    line = JsonFormatter(service).format(made)
    assert len(line.splitlines()) == 1
    return json.loads(line)


def test_a_json_line_says_when_how_severe_which_service_which_logger_and_what():
    line = as_json(record(level=logging.WARNING))
    assert line == {
        "time": line["time"],
        "level": "WARNING",
        "service": "case",
        "logger": "docket.case",
        "message": f"case {CASE} opened",
    }
    assert str(line["time"]).endswith("Z") and str(line["time"])[:4].isdigit()


def test_the_ids_of_the_context_are_on_every_line_logged_inside_it_and_gone_after():
    with log_ids(event_id=EVENT, case_id=uuid.UUID(CASE)):
        with log_ids(complaint_id=COMPLAINT, case_id=None):  # None leaves the case as it was
            inner = as_json(record())
        outer = as_json(record())
    after = as_json(record())
    assert (inner["event_id"], inner["case_id"], inner["complaint_id"]) == (EVENT, CASE, COMPLAINT)
    assert "complaint_id" not in outer and outer["case_id"] == CASE
    assert not {"event_id", "case_id", "complaint_id", "trace_id"} & set(after)


def test_an_id_given_to_one_call_is_on_that_line():
    assert as_json(record(complaint_id=COMPLAINT))["complaint_id"] == COMPLAINT


def test_only_the_named_fields_are_written_never_what_else_a_record_carries():
    line = JsonFormatter("intake").format(
        record(complainant="Jeanne Martin", email="jeanne.martin@example.org", token="s3cret-status-token")
    )
    assert set(json.loads(line)) <= FIELDS
    for value in ("Jeanne", "jeanne.martin", "s3cret"):
        assert value not in line


def test_only_known_ids_can_be_bound():
    with pytest.raises(ValueError, match="complainant"):
        bind_ids(complainant="Jeanne Martin")


@pytest.mark.parametrize("breaks", ["\n", "\r\n", "\r", "\u2028", "\x85", "\x1c", "\x0b"])
def test_a_message_with_line_breaks_stays_one_line(breaks):
    made = record(f"first{breaks}second %s", "Zoë")
    line = JsonFormatter("notifier").format(made)
    assert len(line.splitlines()) == 1 and "\n" not in line
    assert json.loads(line)["message"] == f"first{breaks}second Zoë"


def test_an_exception_is_written_as_its_type_and_traceback_on_the_same_line():
    try:
        raise KeyError("no such case\nsecond line")
    except KeyError:
        made = record("applying failed", level=logging.ERROR, exc_info=sys.exc_info())
    line = as_json(made)
    assert line["exception"] == "KeyError"
    assert str(line["traceback"]).startswith("Traceback (most recent call last):")
    assert "raise KeyError" in str(line["traceback"])


def test_a_stack_given_to_a_call_is_written_too():
    made = record(stack_info="Stack (most recent call last):\n  File x")
    assert as_json(made)["stack"].startswith("Stack (most recent call last):")


def test_a_text_line_is_for_a_person_with_the_ids_at_its_end_and_the_traceback_below():
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        made = record(level=logging.ERROR, exc_info=sys.exc_info())
    with log_ids(case_id=CASE, trace_id=TRACE):
        text = TextFormatter("case").format(made)
    first, *rest = text.splitlines()
    assert first.endswith(f"ERROR docket.case: case {CASE} opened [case={CASE} trace={TRACE}]")
    assert rest[0] == "Traceback (most recent call last):" and rest[-1] == "RuntimeError: boom"
    assert TextFormatter("case").format(record()).endswith(f"case {CASE} opened")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (TRACEPARENT, TRACE),
        (TRACEPARENT.encode(), TRACE),
        (f"00-{'0' * 32}-00f067aa0ba902b7-01", None),  # all zeros: invalid
        (f"ff-{TRACE}-00f067aa0ba902b7-01", None),  # version ff: invalid
        (f"00-{TRACE.upper()}-00f067aa0ba902b7-01", None),
        ("00-abc-def-01", None),
        ("Jeanne Martin", None),
        (None, None),
    ],
)
def test_the_trace_id_is_taken_from_a_well_formed_w3c_traceparent_only(header, expected):
    assert trace_id(header) == expected


@pytest.fixture
def configured():
    """The process's logging as a service configures it, put back as it was after the test."""
    root = logging.getLogger()
    kept = {
        name: (logger.handlers[:], logger.level, logger.propagate)
        for name, logger in [
            ("", root),
            *((n, logging.getLogger(n)) for n in ("uvicorn", "uvicorn.error", "uvicorn.access")),
        ]
    }

    def configure(service: str, log_format: str) -> None:
        logging.config.dictConfig(log_config(service, log_format, "INFO"))

    yield configure
    for name, (handlers, level, propagate) in kept.items():
        logger = logging.getLogger(name) if name else root
        logger.handlers[:] = handlers
        logger.setLevel(level)
        logger.propagate = propagate


def access(path: str) -> logging.LogRecord:
    return logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", path, "1.1", 200),
        None,
    )


def written(logger: str, made: logging.LogRecord) -> str:
    """What the logger's handlers (its own, or the root's) write for the record."""
    handlers = logging.getLogger(logger).handlers or logging.getLogger().handlers
    [handler] = handlers
    assert handler.filter(made)
    return handler.format(made)


def test_uvicorn_s_access_lines_are_json_without_the_query_string_and_with_the_request_s_ids(configured):
    configured("intake", "json")
    with log_ids(complaint_id=COMPLAINT):
        line = json.loads(written("uvicorn.access", access("/complaints?search=Jeanne+Martin")))
    assert line["service"] == "intake" and line["logger"] == "uvicorn.access"
    assert (line["http_method"], line["http_path"], line["http_status"]) == ("GET", "/complaints", 200)
    assert "Jeanne" not in json.dumps(line) and line["complaint_id"] == COMPLAINT


def test_uvicorn_s_own_lines_and_the_services_go_through_the_same_formatter(configured):
    configured("notifier", "text")
    assert logging.getLogger("uvicorn").handlers == [] and logging.getLogger("uvicorn").propagate
    line = written("docket.notifier", record("webhook to %s", "hooks.example.org"))
    assert line.endswith("INFO docket.case: webhook to hooks.example.org")
    assert "Jeanne" not in written("uvicorn.access", access("/complaints?name=Jeanne"))


async def in_a_request(app, path: str, headers: list[tuple[bytes, bytes]]) -> tuple[dict[str, str], int]:
    """Call the app as uvicorn does, in a task of its own; the ids at hand when the response starts (when uvicorn
    writes the access line), and the status."""
    seen: dict[str, str] = {}
    status = 0

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        nonlocal status
        if message["type"] == "http.response.start":
            seen.update(current_ids())
            status = message["status"]

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 5000),
        "server": ("test", 80),
    }
    await asyncio.create_task(app(scope, receive, send))
    return seen, status


def an_app() -> tuple[FastAPI, list[dict[str, str]]]:
    app = FastAPI()
    app.add_middleware(RequestLogIds)
    inside: list[dict[str, str]] = []

    @app.get("/cases/{case_id}")
    async def read_case(case_id: str) -> dict[str, str]:
        inside.append(dict(current_ids()))
        return {}

    return app, inside


async def test_a_request_s_lines_carry_its_trace_id_and_the_case_its_path_names():
    app, inside = an_app()
    seen, status = await in_a_request(app, f"/cases/{CASE}", [(b"traceparent", TRACEPARENT.encode())])
    assert status == 200
    assert inside == [{"trace_id": TRACE}]  # the route runs before the path's ids are bound
    assert seen == {"trace_id": TRACE, "case_id": CASE}


async def test_a_path_segment_that_is_no_id_is_not_logged_as_one_and_requests_share_nothing():
    app, _ = an_app()
    with log_ids(case_id=CASE):  # what an earlier request left in the context
        seen, status = await in_a_request(app, "/cases/Jeanne Martin", [])
    assert status == 200 and seen == {}


async def test_the_lines_logged_while_an_event_is_applied_carry_its_ids_and_its_trace():
    inside: list[dict[str, str]] = []

    async def handler(session, event, payload) -> None:
        inside.append(dict(current_ids()))

    consumer = InboxConsumer("docket-test", {"docket.complaint.filed": handler}, FakeInbox(), FakePublisher())
    received = complaint_record()
    received = replace(received, headers=[*received.headers, ("traceparent", TRACEPARENT.encode())])
    await consumer.process(received)
    headers = dict(received.headers)
    assert inside == [
        {"event_id": headers["ce_id"].decode(), "complaint_id": headers["ce_subject"].decode(), "trace_id": TRACE}
    ]
    assert current_ids() == {}
