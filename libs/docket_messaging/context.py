"""The context of the work in hand, carried from a request or a message to what it causes.

Its ids (the event a consumer applies, the case and the complaint it concerns, the trace of the request or
message that caused it) travel in a context variable, set where a request or a consumed message comes in, so
that every log line names them without passing ids to every call that logs (docket_service.logs writes them).
Its W3C trace context is kept on each outbox row the work writes and published with it as the message's
`traceparent` header, so that the consumer's span continues the producer's.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from types import MappingProxyType

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

# The ids a line may carry, in the order they are shown.
IDS = ("event_id", "case_id", "complaint_id", "trace_id")

_ids: ContextVar[Mapping[str, str]] = ContextVar("docket_log_ids", default=MappingProxyType({}))

# W3C Trace Context: version-trace_id-parent_id-flags, lower-case hex; an all-zero id is invalid.
TRACEPARENT = re.compile(r"^[0-9a-f]{2}-(?P<trace>[0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$")


def current_ids() -> Mapping[str, str]:
    return _ids.get()


def _merged(ids: Mapping[str, object]) -> Mapping[str, str]:
    unknown = set(ids) - set(IDS)
    if unknown:
        raise ValueError(f"not a log id: {sorted(unknown)}")
    return MappingProxyType({**_ids.get(), **{name: str(value) for name, value in ids.items() if value is not None}})


@contextmanager
def log_ids(**ids: object) -> Iterator[None]:
    """Lines logged inside the block carry these ids too (None leaves an id as it was)."""
    token = _ids.set(_merged(ids))
    try:
        yield
    finally:
        _ids.reset(token)


def bind_ids(**ids: object) -> None:
    """Lines logged from now on in this context carry these ids too: for the rest of an HTTP request's task,
    where uvicorn writes the access line (and any error) after the route has returned."""
    _ids.set(_merged(ids))


def start_ids(**ids: object) -> None:
    """Lines logged from now on in this context carry these ids and no others (a new request)."""
    _ids.set(MappingProxyType({}))
    bind_ids(**ids)


def trace_id(traceparent: str | bytes | None) -> str | None:
    """The trace id of a W3C `traceparent`, or None if there is none or it is malformed."""
    if isinstance(traceparent, bytes):
        traceparent = traceparent.decode("ascii", errors="replace")
    if not traceparent:
        return None
    found = TRACEPARENT.match(traceparent.strip())
    if found is None or found["trace"] == "0" * 32 or traceparent.startswith("ff"):
        return None
    return found["trace"]


def an_id(value: object) -> str | None:
    """`value` as a canonical UUID if it is one, else None: a path segment is what the client sent, and only
    a well-formed id goes into a log line beside the path."""
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        return None


PROPAGATOR = TraceContextTextMapPropagator()


def current_traceparent() -> str | None:
    """The W3C traceparent of the span the caller runs in, if it runs in one."""
    carrier: dict[str, str] = {}
    PROPAGATOR.inject(carrier)
    return carrier.get("traceparent")


def continuing(traceparent: str | None) -> Context:
    """The context to start a span in so that it continues `traceparent` (a new trace when None)."""
    return PROPAGATOR.extract({"traceparent": traceparent} if traceparent else {})


def current_trace_id() -> str | None:
    """The current trace's id in hex, for the logs."""
    context = trace.get_current_span().get_span_context()
    return format(context.trace_id, "032x") if context.is_valid else None
