"""Dead letters you can act on: list a dead-letter topic with the reasons, re-inject chosen messages after a fix.

    python -m docket_operator.deadletters [--bootstrap HOST:PORT] list docket.dlq.docket-case [--json]
    python -m docket_operator.deadletters [--bootstrap HOST:PORT] requeue docket.dlq.docket-case \\
        (--offset P:O [P:O ...] | --all) [--dry-run] [--force] [--json]

It signs in to Kafka as the operator tools' OAuth client, docket-operator (KAFKA_OAUTH_CLIENT_ID names another),
with the secret in KAFKA_OAUTH_CLIENT_SECRET and a token from KAFKA_OAUTH_TOKEN_URL or OIDC_ISSUER's token
endpoint (docket_messaging.access.from_environment; docket_operator.acls says what that principal may do).

A consumer that cannot process a message publishes it unchanged to `docket.dlq.<group>` with `dlq_*` headers
saying why and where it came from (consumer.py). `list` reads such a topic from the beginning without joining
a consumer group, so it moves nobody's offsets, and prints one line (or one JSON object) per message: where it
is, when it was dead-lettered, its CloudEvents type and id, its key, its source, the group, the reason and
whether it was re-injected. It never prints a value (it may hold sealed personal data, or garbage), only its
size; whatever a header holds is shown escaped, so a message that is not a CloudEvent at all still lists.

Why re-injecting is safe. `requeue` publishes each chosen message to its `dlq_source_topic` with the same key,
value and headers minus the `dlq_*` ones, so it keeps its `ce_id`. Every consumer group of that topic gets it
again, not only the one that dead-lettered it; each inbox drops an event id it has applied already (a group
that applied it the first time, an earlier re-injection), and applies it otherwise. Hence the refusals: a
message without a usable `ce_id` could be applied twice and is not sent; nor is one with no usable source
topic, one whose source is a dead-letter topic, or one dead-lettered without its value (`dlq_value_omitted`:
an empty value would only be dead-lettered again; the original is still at its source offset). The copy goes
through the key's partitioner, so it lands on the partition of its key's other events, after them.

The bookkeeping: which dead letters were re-injected is kept in the compacted topic `docket.dlq-requeued`
(one partition, created on first use), one record per re-injected dead letter, keyed
`<dlq topic>:<partition>:<offset>` (topic names cannot hold a colon), whose JSON value says when, where the
copy landed, and which dead letter it was (its `ce_id` and timestamp). Why a topic of its own: the record lives
beside the dead letters and anyone who can read them can read it, with no database; a marker on the
dead-letter topic itself would be listed (and re-injected) as a dead letter; a consumer group's committed
offsets hold one position per partition, not an arbitrary choice of offsets. Compaction keeps the latest
record of each key and drops superseded ones (a null value, a tombstone, forgets a re-injection). Because a
record names the dead letter's `ce_id` and timestamp, a dead-letter topic deleted and created again (its
offsets counting from 0 again) does not inherit the records of the one before.

Order: the copy is sent and acknowledged first, its record after. A run that stops in between has re-injected
a message without recording it, and the next `requeue --all` sends it again: the inboxes drop that copy by
its id. The other order could record a message that was never sent. Two runs at once may both send a message,
with the same (lack of) consequence. A re-injected message that fails again is dead-lettered again, at a new
offset, which `requeue --all` will offer again.

Exit codes: 0 success, 2 bad arguments, 1 if a chosen message could not be (or, with --dry-run, would not
be) re-injected, or Kafka could not be read; each such message is named with the reason. A chosen message
skipped because it was re-injected before is no failure.
"""

from __future__ import annotations

import argparse
import asyncio
import enum
import json
import os
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any, TextIO

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError

from docket_contracts.topics import dead_letter_topic
from docket_messaging.access import KafkaAccess, from_environment
from docket_messaging.failures import describe, refused_for_good

DLQ_PREFIX = dead_letter_topic("")
BOOKKEEPING_TOPIC = "docket.dlq-requeued"
CLIENT_ID = "docket-deadletters"
# The OAuth client the operator tools sign in to Kafka as (docket_operator.acls says what it may do).
OPERATOR_CLIENT = "docket-operator"
DLQ_HEADER_PREFIX = "dlq_"
# Kafka's rule for topic names; a source topic that breaks it cannot be sent to.
TOPIC_NAME = re.compile(r"[A-Za-z0-9._-]{1,249}")
# Broker error codes in the admin client's answers.
UNKNOWN_TOPIC_OR_PARTITION = 3
TOPIC_ALREADY_EXISTS = 36
# Reading a topic to its end: give up when nothing more comes for this long (a compacted tail).
READ_IDLE_S = 5.0
READ_TIMEOUT_S = 120.0

RawHeaders = Sequence[tuple[str, bytes | None]]


class Refused(ValueError):
    """A dead letter that must not be re-injected; the text says why, naming no value."""


class TopicNotFound(LookupError):
    """The topic to read does not exist."""


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """One record of a dead-letter topic as read: nothing about it is assumed well-formed."""

    topic: str
    partition: int
    offset: int
    timestamp_ms: int | None
    key: bytes | None
    value: bytes | None
    headers: RawHeaders


@dataclass(frozen=True, slots=True)
class Reinjection:
    """The message to publish again: the dead letter's key, value and headers, less the `dlq_*` ones."""

    topic: str
    key: bytes | None
    value: bytes | None
    headers: list[tuple[str, bytes | None]]


@dataclass(frozen=True, slots=True)
class Requeued:
    """The bookkeeping record of one re-injection."""

    dlq_topic: str
    partition: int
    offset: int
    ce_id: str | None
    dlq_timestamp_ms: int | None
    requeued_at: str
    topic: str
    copy_partition: int
    copy_offset: int

    def where(self) -> str:
        return f"{self.topic}[{self.copy_partition}]@{self.copy_offset}"


@dataclass(frozen=True, slots=True)
class Row:
    """One dead letter as `list` shows it. Header values are escaped text; the value appears only as a size."""

    partition: int
    offset: int
    dead_lettered_at: str | None
    ce_type: str | None
    ce_id: str | None
    key: str | None
    source_topic: str | None
    source_partition: int | str | None
    source_offset: int | str | None
    consumer_group: str | None
    reason: str | None
    value_bytes: int
    value_omitted: str | None
    requeued: bool
    requeued_at: str | None
    requeued_to: str | None
    requeue_refused: str | None  # why `requeue` would refuse it (the source topic's existence aside)


class Action(enum.Enum):
    REQUEUED = "requeued"
    WOULD_REQUEUE = "would requeue"
    SKIPPED = "skipped"
    REFUSED = "refused"
    MISSING = "missing"
    FAILED = "failed"


FAILURES = frozenset({Action.REFUSED, Action.MISSING, Action.FAILED})


@dataclass(frozen=True, slots=True)
class Outcome:
    """What `requeue` did with one chosen dead letter, and why."""

    partition: int
    offset: int
    action: Action
    ce_id: str | None
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self) | {"action": self.action.value}


# --- reading headers, which may hold anything -------------------------------------------------------------


def header(headers: RawHeaders, name: str) -> bytes | None:
    """The last value of header `name`: a consumer appends its `dlq_*` headers after the message's own, and
    the codec reads the last of repeated `ce_*` headers too."""
    found: bytes | None = None
    for key, value in headers:
        if key == name:
            found = value if value is not None else b""
    return found


def strict_text(raw: bytes | None) -> str | None:
    """The header as UTF-8 text, or None when it is missing, empty or not UTF-8: what may be acted on."""
    if not raw:
        return None
    try:
        return raw.decode()
    except UnicodeDecodeError:
        return None


def shown(raw: bytes | None, limit: int = 2000) -> str | None:
    """Bytes as printable text: invalid UTF-8 and control characters escaped (a newline must not break a
    listing's line, an escape sequence must not reach the terminal), cut at `limit` characters."""
    if raw is None:
        return None
    text = raw.decode("utf-8", "backslashreplace")
    escaped = "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)
    return escaped if len(escaped) <= limit else escaped[:limit] + f"...({len(escaped) - limit} more)"


def number_or_text(raw: bytes | None) -> int | str | None:
    """A partition or offset header as a number, or as the escaped text it holds when it is not one."""
    text = shown(raw, 100)
    return int(text) if text is not None and text.isdigit() else text


def iso_millis(timestamp_ms: int | None) -> str | None:
    if timestamp_ms is None or timestamp_ms < 0:
        return None
    moment = datetime.fromtimestamp(timestamp_ms / 1000, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


# --- the pure rules ---------------------------------------------------------------------------------------


def refusal(letter: DeadLetter) -> str | None:
    """Why the dead letter must not be re-injected, or None if it may be."""
    source = strict_text(header(letter.headers, "dlq_source_topic"))
    if source is None:
        return "no usable dlq_source_topic header: where it came from is unknown"
    if not TOPIC_NAME.fullmatch(source):
        return "dlq_source_topic is not a Kafka topic name"
    if source.startswith(DLQ_PREFIX) or source == BOOKKEEPING_TOPIC:
        return f"its source {source} is a dead-letter topic, not one an event is published to"
    omitted = header(letter.headers, "dlq_value_omitted")
    if omitted is not None:
        return (
            f"it was dead-lettered without its value ({shown(omitted, 200)}); the original is at "
            f"{source}[{shown(header(letter.headers, 'dlq_source_partition'), 20)}]"
            f"@{shown(header(letter.headers, 'dlq_source_offset'), 30)}"
        )
    if strict_text(header(letter.headers, "ce_id")) is None:
        return "no usable ce_id header: the inboxes could not tell a copy from the first, so it could apply twice"
    return None


def without_dlq_headers(headers: RawHeaders) -> list[tuple[str, bytes | None]]:
    """The headers the message had before it was dead-lettered, in their order (repeats kept)."""
    return [(name, value) for name, value in headers if not name.startswith(DLQ_HEADER_PREFIX)]


def reinjection(letter: DeadLetter) -> Reinjection:
    """The message to publish to the dead letter's source topic, or Refused saying why there is none."""
    why = refusal(letter)
    if why is not None:
        raise Refused(why)
    source = strict_text(header(letter.headers, "dlq_source_topic"))
    assert source is not None  # refusal() checked it
    return Reinjection(topic=source, key=letter.key, value=letter.value, headers=without_dlq_headers(letter.headers))


def marker_key(dlq_topic: str, partition: int, offset: int) -> str:
    return f"{dlq_topic}:{partition}:{offset}"


def marker(letter: DeadLetter, topic: str, copy_partition: int, copy_offset: int, at: datetime) -> Requeued:
    """The bookkeeping record of `letter` re-injected as `topic[copy_partition]@copy_offset` at `at`."""
    return Requeued(
        dlq_topic=letter.topic,
        partition=letter.partition,
        offset=letter.offset,
        ce_id=strict_text(header(letter.headers, "ce_id")),
        dlq_timestamp_ms=letter.timestamp_ms,
        requeued_at=iso_millis(int(at.timestamp() * 1000)) or "",
        topic=topic,
        copy_partition=copy_partition,
        copy_offset=copy_offset,
    )


def marker_message(record: Requeued) -> tuple[bytes, bytes]:
    """The key and value of the record on the bookkeeping topic."""
    key = marker_key(record.dlq_topic, record.partition, record.offset).encode()
    return key, json.dumps(asdict(record), separators=(",", ":"), sort_keys=True).encode()


def parse_marker(value: bytes) -> Requeued | None:
    """A bookkeeping record, or None for one this code did not write (it is ignored, not trusted)."""
    try:
        fields = json.loads(value)
        return Requeued(**fields) if isinstance(fields, dict) else None
    except (ValueError, TypeError, UnicodeDecodeError):
        return None


def requeued_index(
    records: Iterable[tuple[bytes | None, bytes | None]], dlq_topic: str
) -> dict[tuple[int, int], Requeued]:
    """The latest record of each dead letter of `dlq_topic`, from the bookkeeping topic's (key, value) pairs
    in their order; a tombstone forgets the re-injection before it."""
    prefix = f"{dlq_topic}:"
    index: dict[tuple[int, int], Requeued] = {}
    for key, value in records:
        text = strict_text(key)
        if text is None or not text.startswith(prefix):
            continue
        partition, _, offset = text[len(prefix) :].partition(":")
        if not (partition.isdigit() and offset.isdigit()):
            continue
        where = (int(partition), int(offset))
        found = parse_marker(value) if value is not None else None
        if found is None:
            index.pop(where, None)
        else:
            index[where] = found
    return index


def marks(record: Requeued | None, letter: DeadLetter) -> bool:
    """True if `record` is about this very dead letter, not one that held its offset in an earlier topic of
    the same name."""
    return (
        record is not None
        and record.dlq_timestamp_ms == letter.timestamp_ms
        and record.ce_id == strict_text(header(letter.headers, "ce_id"))
    )


def row(letter: DeadLetter, requeued: Requeued | None) -> Row:
    """The listing line of a dead letter: what its headers hold, escaped, and the value's size only."""
    done = marks(requeued, letter)
    h = letter.headers
    return Row(
        partition=letter.partition,
        offset=letter.offset,
        dead_lettered_at=iso_millis(letter.timestamp_ms),
        ce_type=shown(header(h, "ce_type"), 200),
        ce_id=shown(header(h, "ce_id"), 200),
        key=shown(letter.key, 200),
        source_topic=shown(header(h, "dlq_source_topic"), 300),
        source_partition=number_or_text(header(h, "dlq_source_partition")),
        source_offset=number_or_text(header(h, "dlq_source_offset")),
        consumer_group=shown(header(h, "dlq_consumer_group"), 300),
        reason=shown(header(h, "dlq_reason")),
        value_bytes=len(letter.value or b""),
        value_omitted=shown(header(h, "dlq_value_omitted"), 500),
        requeued=done,
        requeued_at=requeued.requeued_at if done and requeued else None,
        requeued_to=requeued.where() if done and requeued else None,
        requeue_refused=refusal(letter),
    )


def line(r: Row) -> str:
    """A listing row on one line; '-' for what the message does not say."""

    def d(value: object) -> str:
        return "-" if value is None else str(value) or '""'

    value = "value omitted" if r.value_omitted is not None else f"{r.value_bytes} bytes"
    requeued = f"requeued {r.requeued_at} -> {r.requeued_to}" if r.requeued else "not requeued"
    return (
        f"{r.partition}:{r.offset}  {d(r.dead_lettered_at)}  {d(r.ce_type)}  ce_id={d(r.ce_id)}  key={d(r.key)}  "
        f"from {d(r.source_topic)}[{d(r.source_partition)}]@{d(r.source_offset)}  group={d(r.consumer_group)}  "
        f"{value}  {requeued}  reason: {d(r.reason)}"
    )


def parse_offset(text: str) -> tuple[int, int]:
    """`P:O` as (partition, offset); argparse turns the ArgumentTypeError into exit code 2."""
    partition, sep, offset = text.partition(":")
    if not sep or not partition.isdigit() or not offset.isdigit():
        raise argparse.ArgumentTypeError(f"not PARTITION:OFFSET: {text!r}")
    return int(partition), int(offset)


def chosen(
    letters: Sequence[DeadLetter], offsets: Sequence[tuple[int, int]] | None
) -> tuple[list[DeadLetter], list[tuple[int, int]]]:
    """The dead letters at `offsets` (all of them for None) in topic order, and the offsets that hold none."""
    if offsets is None:
        return sorted(letters, key=lambda x: (x.partition, x.offset)), []
    at = {(x.partition, x.offset): x for x in letters}
    wanted = list(dict.fromkeys(offsets))
    return [at[w] for w in sorted(wanted) if w in at], [w for w in wanted if w not in at]


def decide(
    letter: DeadLetter, index: Mapping[tuple[int, int], Requeued], topics: set[str], force: bool
) -> Reinjection | Outcome:
    """The message to send for a chosen dead letter, or the outcome that says why none is sent."""
    ce_id = shown(header(letter.headers, "ce_id"), 200)
    done = index.get((letter.partition, letter.offset))
    if done is not None and marks(done, letter) and not force:
        return Outcome(
            letter.partition,
            letter.offset,
            Action.SKIPPED,
            ce_id,
            f"already re-injected at {done.requeued_at} as {done.where()}; --force sends it again",
        )
    try:
        message = reinjection(letter)
    except Refused as exc:
        return Outcome(letter.partition, letter.offset, Action.REFUSED, ce_id, str(exc))
    if message.topic not in topics:
        return Outcome(
            letter.partition, letter.offset, Action.REFUSED, ce_id, f"its source topic {message.topic} does not exist"
        )
    return message


# --- Kafka ------------------------------------------------------------------------------------------------


async def partitions_of(access: KafkaAccess, topic: str) -> list[TopicPartition]:
    """The topic's partitions; TopicNotFound if there is no such topic."""
    admin = AIOKafkaAdminClient(**access.options(), client_id=CLIENT_ID)
    await admin.start()
    try:
        [description] = await admin.describe_topics([topic])
    finally:
        await admin.close()
    if description["error_code"] == UNKNOWN_TOPIC_OR_PARTITION:
        raise TopicNotFound(topic)
    if description["error_code"]:
        raise KafkaError(f"describing {topic}: broker error code {description['error_code']}")
    return [
        TopicPartition(topic, p["partition"]) for p in sorted(description["partitions"], key=lambda p: p["partition"])
    ]


async def read_topic(access: KafkaAccess, topic: str) -> list[DeadLetter]:
    """Every message now on `topic`, from the beginning, without joining a consumer group (no offsets are
    committed, no group rebalances). Stops at the end offsets seen on starting."""
    partitions = await partitions_of(access, topic)
    consumer = AIOKafkaConsumer(
        **access.options(),
        client_id=CLIENT_ID,
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    await consumer.start()
    try:
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        return await _read_to(consumer, partitions, ends)
    finally:
        await consumer.stop()


async def _read_to(
    consumer: AIOKafkaConsumer, partitions: list[TopicPartition], ends: Mapping[TopicPartition, int]
) -> list[DeadLetter]:
    """Fetch until each partition's position reaches its end offset. A compacted topic may end in a gap no
    record fills, so a read that brings nothing for READ_IDLE_S ends too; READ_TIMEOUT_S bounds the whole."""
    loop = asyncio.get_running_loop()
    letters: list[DeadLetter] = []
    started = last_progress = loop.time()
    while [tp for tp in partitions if await consumer.position(tp) < ends[tp]]:
        batches = await consumer.getmany(timeout_ms=500)
        for batch in batches.values():
            letters.extend(
                DeadLetter(
                    topic=m.topic,
                    partition=m.partition,
                    offset=m.offset,
                    timestamp_ms=m.timestamp,
                    key=m.key,
                    value=m.value,
                    headers=list(m.headers or ()),
                )
                for m in batch
            )
        now = loop.time()
        if batches:
            last_progress = now
        elif now - last_progress > READ_IDLE_S:
            break
        if now - started > READ_TIMEOUT_S:
            raise KafkaError(f"reading {partitions[0].topic} took over {READ_TIMEOUT_S:.0f}s")
    return sorted(letters, key=lambda x: (x.partition, x.offset))


async def read_index(access: KafkaAccess, dlq_topic: str) -> dict[tuple[int, int], Requeued]:
    """The re-injections recorded for `dlq_topic`; none if the bookkeeping topic does not exist yet."""
    try:
        records = await read_topic(access, BOOKKEEPING_TOPIC)
    except TopicNotFound:
        return {}
    return requeued_index(((r.key, r.value) for r in records), dlq_topic)


async def topic_names(access: KafkaAccess) -> set[str]:
    admin = AIOKafkaAdminClient(**access.options(), client_id=CLIENT_ID)
    await admin.start()
    try:
        return set(await admin.list_topics())
    finally:
        await admin.close()


async def ensure_bookkeeping_topic(access: KafkaAccess) -> None:
    """Create the compacted bookkeeping topic unless it exists; another run creating it at the same moment
    is fine. One partition: the records are few, and one partition keeps them in the order written. The
    replication factor is 1, as for every topic Docket creates itself (kafka.ensure_topics); on a cluster of
    several brokers create the topic beforehand with the replication wanted."""
    if BOOKKEEPING_TOPIC in await topic_names(access):
        return
    admin = AIOKafkaAdminClient(**access.options(), client_id=CLIENT_ID)
    await admin.start()
    try:
        answer = await admin.create_topics(
            [NewTopic(BOOKKEEPING_TOPIC, 1, 1, topic_configs={"cleanup.policy": "compact"})]
        )
        for error in answer.to_object().get("topic_errors", []):
            if error["error_code"] not in (0, TOPIC_ALREADY_EXISTS):
                raise KafkaError(f"creating {BOOKKEEPING_TOPIC}: broker error code {error['error_code']}")
        for _ in range(50):  # a new topic takes a moment to appear in the metadata
            if BOOKKEEPING_TOPIC in set(await admin.list_topics()):
                return
            await asyncio.sleep(0.2)
        raise KafkaError(f"{BOOKKEEPING_TOPIC} was not created")
    finally:
        await admin.close()


def idempotent_producer(access: KafkaAccess) -> AIOKafkaProducer:
    return AIOKafkaProducer(**access.options(), client_id=CLIENT_ID, enable_idempotence=True, acks="all")


async def send_all(access: KafkaAccess, planned: Sequence[tuple[DeadLetter, Reinjection]]) -> list[Outcome]:
    """Publish each copy with an idempotent producer, wait for its acknowledgement, then record it. After a
    failure that is about Kafka rather than the message, the rest are not attempted. After the broker refused
    one message for good the producer is replaced, as KafkaPublisher does: an idempotent producer numbers its
    batches per partition, and the broker would take the next batch for a gap."""
    producer = idempotent_producer(access)
    await producer.start()
    outcomes: list[Outcome] = []
    broken: str | None = None
    try:
        for letter, message in planned:
            ce_id = shown(header(letter.headers, "ce_id"), 200)
            if broken is not None:
                outcomes.append(
                    Outcome(
                        letter.partition,
                        letter.offset,
                        Action.FAILED,
                        ce_id,
                        f"not attempted: Kafka failed on an earlier message ({broken})",
                    )
                )
                continue
            outcome, kafka_failed = await _send_one(producer, letter, message, ce_id)
            outcomes.append(outcome)
            if kafka_failed:
                broken = outcome.detail
            elif outcome.action is Action.FAILED:
                await producer.stop()
                producer = idempotent_producer(access)
                await producer.start()
    finally:
        await producer.stop()
    return outcomes


async def _send_one(
    producer: AIOKafkaProducer, letter: DeadLetter, message: Reinjection, ce_id: str | None
) -> tuple[Outcome, bool]:
    """Send one copy and its record. The second item is True if Kafka itself failed (not this message)."""
    try:
        sent = await (await producer.send(message.topic, message.value, key=message.key, headers=list(message.headers)))
    except KafkaError as exc:
        return (
            Outcome(
                letter.partition,
                letter.offset,
                Action.FAILED,
                ce_id,
                f"not re-injected into {message.topic}: {describe(exc)}",
            ),
            not refused_for_good(exc),
        )
    record = marker(letter, sent.topic, sent.partition, sent.offset, datetime.now(UTC))
    key, value = marker_message(record)
    try:
        await (await producer.send(BOOKKEEPING_TOPIC, value, key=key))
    except KafkaError as exc:
        return (
            Outcome(
                letter.partition,
                letter.offset,
                Action.FAILED,
                ce_id,
                f"re-injected as {record.where()} but not recorded ({describe(exc)}): a later requeue "
                "sends it again, which the inboxes drop",
            ),
            True,
        )
    return Outcome(letter.partition, letter.offset, Action.REQUEUED, ce_id, f"re-injected as {record.where()}"), False


async def list_dead_letters(access: KafkaAccess, topic: str) -> list[Row]:
    """Every dead letter on `topic` with whether it was re-injected."""
    letters = await read_topic(access, topic)
    index = await read_index(access, topic)
    return [row(letter, index.get((letter.partition, letter.offset))) for letter in letters]


async def requeue(
    access: KafkaAccess,
    topic: str,
    offsets: Sequence[tuple[int, int]] | None,
    *,
    dry_run: bool = False,
    force: bool = False,
) -> list[Outcome]:
    """Re-inject the dead letters at `offsets` (all for None) that were not re-injected yet (or all chosen,
    with `force`); an outcome per chosen offset, in topic order, the ones that hold nothing last."""
    letters, missing = chosen(await read_topic(access, topic), offsets)
    index = await read_index(access, topic)
    topics = await topic_names(access)
    decided = [(letter, decide(letter, index, topics, force)) for letter in letters]
    planned = [(letter, d) for letter, d in decided if isinstance(d, Reinjection)]
    if dry_run:
        sent = [
            Outcome(
                x.partition,
                x.offset,
                Action.WOULD_REQUEUE,
                shown(header(x.headers, "ce_id"), 200),
                f"would be re-injected into {m.topic}",
            )
            for x, m in planned
        ]
    elif planned:
        await ensure_bookkeeping_topic(access)
        sent = await send_all(access, planned)
    else:
        sent = []
    results = {(o.partition, o.offset): o for o in sent}
    outcomes = [d if isinstance(d, Outcome) else results[(letter.partition, letter.offset)] for letter, d in decided]
    return outcomes + [Outcome(p, o, Action.MISSING, None, f"no message at {p}:{o} on {topic}") for p, o in missing]


# --- the command line -------------------------------------------------------------------------------------


def dead_letter_topic_name(text: str) -> str:
    """A `docket.dlq.<group>` topic name; argparse turns the ArgumentTypeError into exit code 2."""
    if not text.startswith(DLQ_PREFIX) or not TOPIC_NAME.fullmatch(text) or len(text) == len(DLQ_PREFIX):
        raise argparse.ArgumentTypeError(f"not a dead-letter topic ({DLQ_PREFIX}<group>): {text!r}")
    return text


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="python -m docket_operator.deadletters",
        description="List a dead-letter topic; re-inject chosen dead letters into their "
        "source topics. Never prints a message's value.",
    )
    top.add_argument(
        "--bootstrap",
        default=os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "localhost:9092"),
        help="Kafka bootstrap servers (default: $KAFKA_BOOTSTRAP_SERVERS or localhost:9092)",
    )
    commands = top.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("list", help="every message on the topic, one line each")
    listing.add_argument("topic", type=dead_letter_topic_name, help="e.g. docket.dlq.docket-case")
    listing.add_argument("--json", action="store_true", help="one JSON object per line")
    again = commands.add_parser("requeue", help="re-inject dead letters into their source topics")
    again.add_argument("topic", type=dead_letter_topic_name, help="e.g. docket.dlq.docket-case")
    which = again.add_mutually_exclusive_group(required=True)
    which.add_argument(
        "--offset",
        type=parse_offset,
        nargs="+",
        action="extend",
        metavar="P:O",
        help="the dead letters at these partition:offset positions",
    )
    which.add_argument("--all", action="store_true", help="every dead letter not re-injected yet")
    again.add_argument("--dry-run", action="store_true", help="say what would be sent, send nothing")
    again.add_argument("--force", action="store_true", help="send even those already re-injected")
    again.add_argument("--json", action="store_true", help="one JSON object per line")
    return top


def print_rows(rows: Sequence[Row], as_json: bool, out: TextIO) -> None:
    for r in rows:
        print(json.dumps(asdict(r), ensure_ascii=False) if as_json else line(r), file=out)


def print_outcomes(outcomes: Sequence[Outcome], as_json: bool, out: TextIO) -> None:
    for o in outcomes:
        text = f"{o.action.value} {o.partition}:{o.offset} ce_id={o.ce_id or '-'}: {o.detail}"
        print(json.dumps(o.as_dict(), ensure_ascii=False) if as_json else text, file=out)


async def run(args: argparse.Namespace, access: KafkaAccess, out: TextIO, err: TextIO) -> int:
    """Carry out the parsed command as `access` signs in; the exit code."""
    if args.command == "list":
        rows = await list_dead_letters(access, args.topic)
        print_rows(rows, args.json, out)
        print(f"{args.topic}: {len(rows)} dead letter(s), {sum(r.requeued for r in rows)} re-injected", file=err)
        return 0
    outcomes = await requeue(
        access, args.topic, None if args.all else args.offset, dry_run=args.dry_run, force=args.force
    )
    print_outcomes(outcomes, args.json, out)
    counts = {a: sum(o.action is a for o in outcomes) for a in Action}
    print(
        f"{args.topic}: " + (", ".join(f"{n} {a.value}" for a, n in counts.items() if n) or "nothing to re-inject"),
        file=err,
    )
    return 1 if any(o.action in FAILURES for o in outcomes) else 0


def main(argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Parse, run, and turn Kafka's failures into a sentence and exit code 1 rather than a traceback."""
    out, err = out or sys.stdout, err or sys.stderr
    args = parser().parse_args(argv)  # exits 2 on bad arguments
    try:
        access = from_environment(args.bootstrap, os.environ, default_client_id=OPERATOR_CLIENT)
    except ValueError as exc:  # nothing to sign in with
        print(str(exc), file=err)
        return 2
    try:
        return asyncio.run(run(args, access, out, err))
    except TopicNotFound as exc:
        print(f"no topic {exc}", file=err)
    except (KafkaError, OSError) as exc:
        print(f"Kafka at {args.bootstrap}: {describe(exc)}", file=err)
    return 1


if __name__ == "__main__":
    sys.exit(main())
