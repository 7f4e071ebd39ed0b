"""CloudEvents Kafka binary mode: what goes into headers, key and value, and what is refused."""

from datetime import UTC, datetime

import pytest

from docket_contracts.envelope import CloudEvent
from docket_messaging.codec import UndecodableMessage, decode, encode


def event(**changes: object) -> CloudEvent:
    fields = {
        "type": "docket.case.opened",
        "source": "/docket/case",
        "subject": "case-1",
        "dataschema": "urn:docket:schema:docket.case.opened:v1",
        "data": {"b": 2, "a": [1, "é"]},
        "time": datetime(2021, 11, 26, 9, 30, tzinfo=UTC),
        "sequence": 3,
    }
    return CloudEvent(**(fields | changes))


def test_binary_mode_puts_attributes_in_ce_headers_and_data_in_the_value():
    message = encode(event(id="e-1"), "docket.cases")
    headers = dict(message.headers)
    assert message.topic == "docket.cases"
    assert message.key == b"case-1"
    assert headers == {
        "ce_specversion": b"1.0",
        "ce_id": b"e-1",
        "ce_type": b"docket.case.opened",
        "ce_source": b"/docket/case",
        "ce_subject": b"case-1",
        "ce_time": b"2021-11-26T09:30:00Z",
        "ce_dataschema": b"urn:docket:schema:docket.case.opened:v1",
        "content-type": b"application/json",
        "ce_sequence": b"3",
    }
    assert message.value == '{"a":[1,"é"],"b":2}'.encode()


def test_decode_reverses_encode():
    original = event()
    message = encode(original, "docket.cases")
    assert decode(message.headers, message.value) == original


def test_sequence_is_optional():
    message = encode(event(sequence=None), "docket.cases")
    assert "ce_sequence" not in dict(message.headers)
    assert decode(message.headers, message.value).sequence is None


def headers_without(name: str) -> list[tuple[str, bytes]]:
    return [(k, v) for k, v in encode(event(), "t").headers if k != name]


@pytest.mark.parametrize(
    "name", ["ce_id", "ce_type", "ce_source", "ce_subject", "ce_time", "ce_specversion", "ce_dataschema"]
)
def test_a_missing_required_header_is_named(name):
    with pytest.raises(UndecodableMessage, match=name):
        decode(headers_without(name), b"{}")


@pytest.mark.parametrize(
    ("value", "reason"),
    [(b"not json", "not JSON"), (b"[1, 2]", "not a JSON object"), (b"\xff\xfe", "not JSON"), (None, "not JSON")],
)
def test_a_value_that_is_not_a_json_object_is_refused(value, reason):
    with pytest.raises(UndecodableMessage, match=reason):
        decode(encode(event(), "t").headers, value)


def test_other_spec_versions_and_content_types_are_refused():
    headers = dict(encode(event(), "t").headers)
    with pytest.raises(UndecodableMessage, match="ce_specversion"):
        decode(list((headers | {"ce_specversion": b"0.3"}).items()), b"{}")
    with pytest.raises(UndecodableMessage, match="content-type"):
        decode(list((headers | {"content-type": b"application/avro"}).items()), b"{}")


def test_a_time_without_zone_or_garbage_is_refused():
    headers = dict(encode(event(), "t").headers)
    with pytest.raises(UndecodableMessage, match="time zone"):
        decode(list((headers | {"ce_time": b"2021-11-26T09:30:00"}).items()), b"{}")
    with pytest.raises(UndecodableMessage):
        decode(list((headers | {"ce_time": b"yesterday"}).items()), b"{}")
    with pytest.raises(UndecodableMessage, match="UTF-8"):
        decode(list((headers | {"ce_type": b"\xff"}).items()), b"{}")


@pytest.mark.parametrize("value", [b"[" * 100_000, b'{"a":' + b"[" * 100_000])
def test_a_value_nested_past_the_recursion_limit_is_refused_not_raised(value):
    with pytest.raises(UndecodableMessage, match="nested too deeply"):
        decode(encode(event(), "t").headers, value)


def test_reasons_name_the_problem_never_the_values():
    headers = dict(encode(event(), "t").headers)
    cases = [
        (list(headers.items()), b'{"name": "Jeanne Dupont", oops}'),
        (list((headers | {"ce_time": b"Jeanne Dupont"}).items()), b"{}"),
        (list((headers | {"ce_sequence": b"Jeanne Dupont"}).items()), b"{}"),
    ]
    for message_headers, value in cases:
        with pytest.raises(UndecodableMessage) as refused:
            decode(message_headers, value)
        assert "Jeanne" not in str(refused.value) and "Dupont" not in str(refused.value)
    with pytest.raises(UndecodableMessage, match="line 1 column 27"):
        decode(list(headers.items()), b'{"name": "Jeanne Dupont", oops}')


TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


@pytest.mark.parametrize(
    ("header", "value", "expected"),
    [
        ("traceparent", TRACEPARENT, TRACEPARENT),  # as the relay writes it
        ("ce_traceparent", TRACEPARENT, TRACEPARENT),  # the CloudEvents tracing extension, binary mode
        ("traceparent", "00-" + "0" * 32 + "-00f067aa0ba902b7-01", None),  # an all-zero trace id is invalid
        ("traceparent", "not a trace", None),  # lost, and the message still reads
    ],
)
def test_the_trace_context_is_read_from_either_header_and_a_malformed_one_only_loses_the_trace(header, value, expected):
    message = encode(event(), "docket.cases")
    decoded = decode([*message.headers, (header, value.encode())], message.value)
    assert decoded.traceparent == expected and decoded.type == "docket.case.opened"
