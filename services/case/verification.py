"""`python -m services.case verify-integrity`: every case's hash chain walked in the store, then the store put
beside its witness outside the database, the case events on docket.cases and the signed checkpoints on
docket.checkpoints (docket_operator.witness), checked with the case service's public keys.

It prints each broken case, each disagreement with the witness and each fault of the witness itself, then
one line of totals; it exits 1 if any case is broken, the witness is at fault, or the witness could not be read.
"""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from aiokafka.errors import KafkaError

from docket_contracts import topics
from docket_messaging.failures import describe
from docket_operator import witness
from docket_service.database import make_engine, make_sessions

from . import eventstore
from .config import CaseSettings
from .eventstore import EventRow
from .integrity import verify


def stored(row: EventRow) -> witness.Stored:
    assert row.hash is not None
    return witness.Stored(row.version, row.event_id, row.type, row.schema_version, row.data, row.occurred_at, row.hash)


async def read_witness(settings: CaseSettings) -> tuple[witness.Witness, str | None]:
    """The witness as Kafka holds it now, read as the case service's own client (docket_operator.acls lets it read
    the two topics it writes), or an empty one and why it could not be read."""
    keys = witness.keys_of(settings.checkpoint_keys())
    try:
        return await witness.read(settings.kafka(), keys), None
    except (ConnectionError, LookupError, KafkaError, ValueError) as exc:
        return witness.Witness(keys), describe(exc)


async def verify_integrity(settings: CaseSettings, say: Callable[[str], None] = print) -> int:
    """Check every case, say what does not hold, and return the exit status."""
    seen, unread = await read_witness(settings)
    checked, broken, unwitnessed = 0, 0, 0
    engine = make_engine(settings.database_url, settings.database_schema)
    try:
        async with make_sessions(engine)() as session:
            known: set[str] = set()
            async for stream_id, rows, head in eventstore.streams(session):
                known.add(str(stream_id))
                verdict = verify(stream_id, rows, head)
                if verdict.broken is not None:
                    say(f"case {stream_id}: broken at version {verdict.broken.version}: {verdict.broken.reason}")
                report = witness.compare(str(stream_id), [stored(row) for row in rows], seen)
                tell(report, say)
                checked, unwitnessed = checked + 1, unwitnessed + report.unwitnessed
                broken += verdict.broken is not None or bool(report.findings)
    finally:
        await engine.dispose()
    for case_id in sorted(seen.cases() - known):  # published or checkpointed, and not in the store at all
        report = witness.compare(case_id, [], seen)
        tell(report, say)
        checked, broken = checked + 1, broken + bool(report.findings)
    faults = describe_witness(seen, unread, say)
    totals = f"{checked} case stream(s) checked, {broken} broken"
    if unread is None:
        totals += f"; {unwitnessed} event(s) after the last checkpoint not yet witnessed"
    say(totals + ("; the witness could not be read" if unread is not None else ""))
    return 1 if broken or faults or unread is not None else 0


def tell(report: witness.Report, say: Callable[[str], None]) -> None:
    for finding in report.findings:
        say(f"case {UUID(report.case_id)}: the witness disagrees at version {finding.version}: {finding.reason}")


def describe_witness(seen: witness.Witness, unread: str | None, say: Callable[[str], None]) -> int:
    """Say what the witness is and what is wrong with it; returns how many faults it has."""
    if unread is not None:
        say(f"witness: not read: {unread}")
        return 0
    for problem in seen.problems:
        say(f"witness: {problem}")
    if seen.strays:
        say(f"witness: {len(seen.strays)} message(s) are no case event or checkpoint, the first at {seen.strays[0]}")
    if seen.cases_trimmed:
        say(f"witness: {topics.CASES} no longer keeps its first events (retention): the checkpoints vouch for them")
    if seen.checkpoints_trimmed:
        say(f"witness: {topics.CHECKPOINTS} no longer keeps its first checkpoints (retention)")
    say(seen.summary())
    return len(seen.problems)
