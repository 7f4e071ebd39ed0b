"""Dead letters you can act on, without Kafka: a dead-letter record turned into a listing row and into the
message to re-inject, the headers stripped, the refusals, the bookkeeping records and the arguments."""

import io
import json
from dataclasses import asdict, replace
from datetime import UTC, datetime

import pytest

from docket_contracts.registry import new_event
from docket_messaging.codec import encode
from docket_messaging.consumer import Record, dead_letter, without_value
from docket_operator.deadletters import (
    BOOKKEEPING_TOPIC,
    Action,
    DeadLetter,
    Outcome,
    Refused,
    Reinjection,
    chosen,
    decide,
    line,
    main,
    marker,
    marker_message,
    parse_offset,
    refusal,
    reinjection,
    requeued_index,
    row,
    shown,
    without_dlq_headers,
)
from tests.factories import complaint_filed

DLQ = "docket.dlq.docket-case"
WHEN = 1_767_225_600_123  # 2026-01-01T00:00:00.123Z


def letter_of(
    record: Record,
    reason: str = "handler failed 5 times: ValueError",
    offset: int = 3,
    partition: int = 1,
    timestamp_ms: int | None = WHEN,
) -> DeadLetter:
    """The dead letter the consumer publishes for `record`, as `list` reads it back."""
    message = dead_letter(record, "docket-case", reason)
    return DeadLetter(
        topic=message.topic,
        partition=partition,
        offset=offset,
        timestamp_ms=timestamp_ms,
        key=message.key,
        value=message.value,
        headers=message.headers,
    )


def complaint_record() -> tuple[Record, str]:
    payload = complaint_filed()
    event = new_event(payload, source="/docket/intake", subject=str(payload.complaint_id))
    message = encode(event, "docket.complaints")
    return Record(
        topic="docket.complaints", partition=2, offset=41, key=message.key, value=message.value, headers=message.headers
    ), event.id


def test_a_dead_letter_is_re_injected_into_its_source_with_its_key_value_and_own_headers():
    record, event_id = complaint_record()
    message = reinjection(letter_of(record))
    assert message == Reinjection(
        topic="docket.complaints", key=record.key, value=record.value, headers=list(record.headers)
    )
    assert dict(message.headers)["ce_id"] == event_id.encode()
    assert not [name for name, _ in message.headers if name.startswith("dlq_")]


def test_only_dlq_headers_are_stripped_and_the_others_keep_their_order_and_repeats():
    headers = [("ce_id", b"1"), ("dlq_reason", b"r"), ("x", b"a"), ("x", b"b"), ("dlq_x", None), ("d", None)]
    assert without_dlq_headers(headers) == [("ce_id", b"1"), ("x", b"a"), ("x", b"b"), ("d", None)]


def test_a_listing_row_says_where_when_what_and_why_and_never_the_value():
    record, event_id = complaint_record()
    r = row(letter_of(record), None)
    assert (r.partition, r.offset, r.dead_lettered_at) == (1, 3, "2026-01-01T00:00:00.123Z")
    assert (r.ce_type, r.ce_id, r.key) == ("docket.complaint.filed", event_id, record.key.decode())
    assert (r.source_topic, r.source_partition, r.source_offset) == ("docket.complaints", 2, 41)
    assert (r.consumer_group, r.reason) == ("docket-case", "handler failed 5 times: ValueError")
    assert r.value_bytes == len(record.value) and r.value_omitted is None
    assert not r.requeued and r.requeue_refused is None
    assert record.value.decode() not in line(r) + json.dumps(asdict(r))
    assert line(r).startswith(f"1:3  2026-01-01T00:00:00.123Z  docket.complaint.filed  ce_id={event_id}  ")
    assert "from docket.complaints[2]@41  group=docket-case" in line(r) and "\n" not in line(r)


def test_a_message_that_is_no_cloudevent_at_all_still_lists_with_what_it_has():
    garbage = DeadLetter(
        topic=DLQ, partition=0, offset=0, timestamp_ms=-1, key=None, value=b"\xff\xfe\x00secret", headers=[]
    )
    r = row(garbage, None)
    assert r.dead_lettered_at is None and r.ce_type is None and r.ce_id is None and r.key is None
    assert r.reason is None and r.value_bytes == 9
    assert r.requeue_refused == "no usable dlq_source_topic header: where it came from is unknown"
    assert line(r).startswith("0:0  -  -  ce_id=-  key=-  from -[-]@-  group=-  9 bytes  not requeued  reason: -")


def test_non_utf8_and_control_characters_in_headers_and_keys_are_shown_escaped():
    record = Record(
        topic="docket.cases",
        partition=0,
        offset=5,
        key=b"k\xff\n\x1b[31m",
        value=b"\x00\x01",
        headers=[("ce_id", b"\xc3\x28"), ("ce_type", b"evil\nnext line")],
    )
    r = row(letter_of(record, reason="UndecodableMessage: header ce_id is not UTF-8"), None)
    assert r.key == "k\\xff\\n\\x1b[31m" and r.ce_id == "\\xc3(" and r.ce_type == "evil\\nnext line"
    assert "\n" not in line(r) and "\x1b" not in line(r)
    assert r.requeue_refused is not None and r.requeue_refused.startswith("no usable ce_id header")
    assert shown(b"x" * 30, 10) == "xxxxxxxxxx...(20 more)"


def test_a_source_partition_or_offset_that_is_no_number_is_shown_as_text():
    letter = DeadLetter(
        topic=DLQ,
        partition=0,
        offset=1,
        timestamp_ms=WHEN,
        key=b"k",
        value=b"",
        headers=[("dlq_source_partition", b"two"), ("dlq_source_offset", b"-3")],
    )
    r = row(letter, None)
    assert (r.source_partition, r.source_offset) == ("two", "-3")


@pytest.mark.parametrize(
    "headers, why",
    [
        ([("ce_id", b"1")], "no usable dlq_source_topic header"),
        ([("ce_id", b"1"), ("dlq_source_topic", b"")], "no usable dlq_source_topic header"),
        ([("ce_id", b"1"), ("dlq_source_topic", b"\xff")], "no usable dlq_source_topic header"),
        ([("ce_id", b"1"), ("dlq_source_topic", b"docket cases")], "dlq_source_topic is not a Kafka topic name"),
        ([("ce_id", b"1"), ("dlq_source_topic", b"docket.dlq.docket-case")], "is a dead-letter topic"),
        ([("ce_id", b"1"), ("dlq_source_topic", BOOKKEEPING_TOPIC.encode())], "is a dead-letter topic"),
        ([("dlq_source_topic", b"docket.cases")], "no usable ce_id header"),
        ([("ce_id", b""), ("dlq_source_topic", b"docket.cases")], "no usable ce_id header"),
        ([("ce_id", b"\xff"), ("dlq_source_topic", b"docket.cases")], "no usable ce_id header"),
    ],
)
def test_what_cannot_be_re_injected_safely_is_refused_with_a_reason(headers, why):
    letter = DeadLetter(topic=DLQ, partition=0, offset=0, timestamp_ms=WHEN, key=b"k", value=b"{}", headers=headers)
    assert why in (refusal(letter) or "")
    with pytest.raises(Refused, match=why):
        reinjection(letter)


def test_a_dead_letter_kept_without_its_value_is_refused_and_points_at_the_original():
    record, _ = complaint_record()
    message = without_value(dead_letter(record, "docket-case", "handler failed"), "MessageSizeTooLargeError")
    letter = DeadLetter(
        topic=DLQ,
        partition=0,
        offset=0,
        timestamp_ms=WHEN,
        key=message.key,
        value=message.value,
        headers=message.headers,
    )
    why = refusal(letter) or ""
    assert "without its value (MessageSizeTooLargeError)" in why and "docket.complaints[2]@41" in why
    assert row(letter, None).value_omitted == "MessageSizeTooLargeError"
    assert "value omitted" in line(row(letter, None))


def test_the_last_of_repeated_headers_counts_as_the_codec_reads_them():
    record, _ = complaint_record()
    twice = replace(record, headers=[*record.headers, ("dlq_source_topic", b"docket.dlq.old")])
    assert reinjection(letter_of(twice)).topic == "docket.complaints"  # the consumer's own header comes last


def test_a_bookkeeping_record_marks_its_dead_letter_and_not_a_later_one_at_the_same_offset():
    record, event_id = complaint_record()
    letter = letter_of(record)
    done = marker(letter, "docket.complaints", 0, 99, datetime(2026, 1, 2, tzinfo=UTC))
    key, value = marker_message(done)
    assert key == b"docket.dlq.docket-case:1:3"
    assert json.loads(value)["ce_id"] == event_id and record.value not in value
    index = requeued_index([(key, value)], DLQ)
    r = row(letter, index[(1, 3)])
    assert r.requeued and r.requeued_at == "2026-01-02T00:00:00.000Z" and r.requeued_to == "docket.complaints[0]@99"
    assert "requeued 2026-01-02T00:00:00.000Z -> docket.complaints[0]@99" in line(r)
    recreated = replace(letter, timestamp_ms=WHEN + 1)  # the topic was deleted and made again
    assert not row(recreated, index[(1, 3)]).requeued


def test_the_index_keeps_the_latest_record_per_dead_letter_of_this_topic_and_ignores_the_rest():
    record, _ = complaint_record()
    letter = letter_of(record)
    first = marker_message(marker(letter, "docket.complaints", 0, 1, datetime(2026, 1, 2, tzinfo=UTC)))
    second = marker_message(marker(letter, "docket.complaints", 0, 2, datetime(2026, 1, 3, tzinfo=UTC)))
    other = marker_message(
        marker(replace(letter, topic="docket.dlq.docket-notifier"), "t", 0, 1, datetime(2026, 1, 2, tzinfo=UTC))
    )
    junk = [
        (None, b"x"),
        (b"docket.dlq.docket-case:x:1", first[1]),
        (b"docket.dlq.docket-case:0:0", b"\xff"),
        (b"docket.dlq.docket-case:0:1", b"[]"),
    ]
    assert requeued_index([first, second, other, *junk], DLQ)[(1, 3)].copy_offset == 2
    assert set(requeued_index([first, second, other, *junk], DLQ)) == {(1, 3)}
    assert requeued_index([first, (first[0], None)], DLQ) == {}  # a tombstone forgets it


def test_a_chosen_dead_letter_is_sent_skipped_once_done_unless_forced_or_refused_when_its_topic_is_gone():
    record, event_id = complaint_record()
    letter = letter_of(record)
    assert isinstance(decide(letter, {}, {"docket.complaints"}, force=False), Reinjection)
    gone = decide(letter, {}, {"docket.cases"}, force=False)
    assert gone == Outcome(1, 3, Action.REFUSED, event_id, "its source topic docket.complaints does not exist")
    index = {(1, 3): marker(letter, "docket.complaints", 0, 7, datetime(2026, 1, 2, tzinfo=UTC))}
    skipped = decide(letter, index, {"docket.complaints"}, force=False)
    assert isinstance(skipped, Outcome) and skipped.action is Action.SKIPPED
    assert "already re-injected at 2026-01-02T00:00:00.000Z as docket.complaints[0]@7" in skipped.detail
    assert isinstance(decide(letter, index, {"docket.complaints"}, force=True), Reinjection)


def test_choosing_offsets_keeps_topic_order_and_names_those_that_hold_nothing():
    record, _ = complaint_record()
    letters = [letter_of(record, partition=p, offset=o) for p, o in ((1, 0), (0, 5), (0, 2))]
    every, missing = chosen(letters, None)
    assert [(x.partition, x.offset) for x in every] == [(0, 2), (0, 5), (1, 0)] and missing == []
    some, missing = chosen(letters, [(1, 0), (0, 2), (0, 9), (1, 0)])
    assert [(x.partition, x.offset) for x in some] == [(0, 2), (1, 0)] and missing == [(0, 9)]


def test_offsets_are_partition_colon_offset():
    assert parse_offset("2:41") == (2, 41)
    for bad in ("2", "2:", ":4", "a:1", "1:-1", "1:2:3"):
        with pytest.raises(Exception, match="not PARTITION:OFFSET"):
            parse_offset(bad)


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["list"],
        ["list", "docket.cases"],  # not a dead-letter topic
        ["list", "docket.dlq."],
        ["requeue", DLQ],  # neither --offset nor --all
        ["requeue", DLQ, "--all", "--offset", "0:1"],
        ["requeue", DLQ, "--offset", "zero"],
        ["delete", DLQ],
    ],
)
def test_bad_arguments_exit_2_before_any_connection(argv):
    with pytest.raises(SystemExit) as exit_:
        main(["--bootstrap", "127.0.0.1:1", *argv], out=io.StringIO(), err=io.StringIO())
    assert exit_.value.code == 2


def test_an_unreachable_broker_is_a_sentence_and_exit_1(monkeypatch):
    monkeypatch.setenv("KAFKA_OAUTH_CLIENT_SECRET", "s3cret")
    monkeypatch.setenv("KAFKA_OAUTH_TOKEN_URL", "http://127.0.0.1:1/token")
    err = io.StringIO()
    assert main(["--bootstrap", "127.0.0.1:1", "list", DLQ], out=io.StringIO(), err=err) == 1
    assert err.getvalue().startswith("Kafka at 127.0.0.1:1: ")


def test_without_a_secret_to_sign_in_with_it_says_which_and_exits_2(monkeypatch):
    for name in ("KAFKA_OAUTH_CLIENT_SECRET", "KAFKA_SECURITY_PROTOCOL", "KAFKA_OAUTH_CLIENT_ID"):
        monkeypatch.delenv(name, raising=False)
    err = io.StringIO()
    assert main(["--bootstrap", "127.0.0.1:1", "list", DLQ], out=io.StringIO(), err=err) == 2
    assert "KAFKA_OAUTH_CLIENT_SECRET" in err.getvalue() and "docket-operator" in err.getvalue()
