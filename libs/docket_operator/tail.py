"""Following Docket's topics from now on, as a person watching the system would: every CloudEvent as it
crosses Kafka, decoded, with a line that says what it is about.

The tail joins no consumer group and commits nothing: it reads every partition of the topics it is given,
starting at the offsets they had when it started (or, asked to, at the first message each still keeps), so it
never takes work from a service's consumer. Asked to stop at now, it ends once it has read every partition up
to the offset it had when the tail started: what a check of the whole of a topic reads.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaConnectionError

from docket_contracts.envelope import CloudEvent
from docket_contracts.registry import EVENTS
from docket_messaging.access import KafkaAccess
from docket_messaging.codec import UndecodableMessage, decode
from docket_messaging.kafka import partitions_of


@dataclass(frozen=True)
class Seen:
    """One message on a followed topic: its event, or why it is not one."""

    topic: str
    partition: int
    offset: int
    event: CloudEvent | None
    problem: str | None = None


class Tail:
    """The messages published on `topics` after `__aenter__` returned, in each partition's order.

    async with Tail(access, topics.ALL) as tail:
        async for seen in tail:
            ...
    """

    def __init__(
        self,
        access: KafkaAccess,
        topics: Sequence[str],
        client_id: str = "docket-tail",
        wait_for_topics_s: float = 60.0,
        from_beginning: bool = False,
        until_now: bool = False,
    ) -> None:
        self._topics = tuple(topics)
        self._from_beginning = from_beginning
        self._until_now = until_now
        self._ends: dict[TopicPartition, int] = {}
        # The first offset each partition still kept when the tail started: above 0, retention removed messages.
        self.first_kept: dict[TopicPartition, int] = {}
        self._access = access
        self._wait_for_topics_s = wait_for_topics_s
        self._consumer = AIOKafkaConsumer(
            **access.options(), client_id=client_id, group_id=None, enable_auto_commit=False
        )

    async def __aenter__(self) -> Tail:
        """Start reading; ConnectionError when no broker answers, LookupError when a topic never appears."""
        consumer = self._consumer
        try:
            await consumer.start()
        except KafkaConnectionError as exc:
            raise ConnectionError(f"no Kafka broker answers at {self._access.bootstrap_servers}") from exc
        try:
            partitions = await self._partitions()
            consumer.assign(partitions)
            # Fixed now, not on the first fetch: nothing published after this returns is missed.
            self.first_kept = await consumer.beginning_offsets(partitions)
            self._ends = await consumer.end_offsets(partitions)
            starts = self.first_kept if self._from_beginning else self._ends
            for partition, offset in starts.items():
                consumer.seek(partition, offset)
        except BaseException:
            await consumer.stop()
            raise
        return self

    async def _partitions(self) -> list[TopicPartition]:
        """Every partition of the topics, once they all exist: the services create them as they start."""
        deadline = asyncio.get_running_loop().time() + self._wait_for_topics_s
        while True:
            found = await partitions_of(self._access, self._topics)
            if missing := [topic for topic in self._topics if topic not in found]:
                if asyncio.get_running_loop().time() > deadline:
                    raise LookupError(f"no topic {', '.join(missing)} after {self._wait_for_topics_s:.0f}s")
                await asyncio.sleep(0.5)
                continue
            return [partition for topic in self._topics for partition in found[topic]]

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self._consumer.stop()

    def trimmed(self, topic: str) -> bool:
        """Whether retention (or a deletion of records) removed some of the topic's first messages."""
        return any(offset > 0 for partition, offset in self.first_kept.items() if partition.topic == topic)

    def __aiter__(self) -> AsyncIterator[Seen]:
        return self._to_now() if self._until_now else self._follow()

    async def _follow(self) -> AsyncIterator[Seen]:
        async for record in self._consumer:
            yield seen(record)

    async def _to_now(self) -> AsyncIterator[Seen]:
        consumer, ends = self._consumer, self._ends
        left = {partition for partition, end in ends.items() if await consumer.position(partition) < end}
        while left:
            for partition, records in (await consumer.getmany(*left, timeout_ms=1000)).items():
                for record in records:
                    if record.offset < ends[partition]:
                        yield seen(record)
            left = {partition for partition in left if await consumer.position(partition) < ends[partition]}


def seen(record: Any) -> Seen:
    """A consumed record as the tail shows it: its event, or why it is none."""
    try:
        event: CloudEvent | None = decode(list(record.headers), record.value)
        problem = None
    except UndecodableMessage as exc:
        event, problem = None, str(exc)
    return Seen(record.topic, record.partition, record.offset, event, problem)


def euros(amount: int) -> str:
    return f"EUR {amount:,}"


KINDS = {
    "art77_complaint": "complaint (Art 77)",
    "art80_1_mandated": "complaint by a mandated body (Art 80(1))",
    "art80_2_unmandated": "complaint by a body (Art 80(2))",
    "alert": "alert",
}


def kind(name: str) -> str:
    return KINDS.get(name, name)


def _limit(time_limit: dict[str, Any]) -> str:
    """ "2 months", "10 days": a time limit as the payload carries it."""
    return f"{time_limit['months']} months" if time_limit.get("months") else f"{time_limit['days']} days"


# What each event is about, in a few words, from its payload (never a sealed value: those stay sealed).
def cooperation_step(data: dict[str, Any]) -> str:
    """A step of the authorities working together: who took it, in which procedure, on which day."""
    day = next(value for name, value in data.items() if name.endswith(("_on", "_day", "_ended")))
    where = f" in {data['cooperation_reference']}" if "cooperation_reference" in data else ""
    deadline = f" ({data['deadline']})" if "deadline" in data else ""
    return f"by {data['authority']}{where}{deadline}, {day}"


_SUMMARIES: dict[str, Callable[[dict[str, Any]], str]] = {
    "complaint.filed": lambda d: f"{kind(d['kind'])} against {d['controller']['name']}, received {d['received_on']}",
    "complaint.address_code_issued": lambda d: "a code to prove the complainant's e-mail address (sealed)",
    "complaint.address_proven": lambda d: f"the complainant's e-mail address proven on {d['proven_on']}",
    "complaint.withdrawn": lambda d: f"withdrawn on {d['withdrawn_on']}",
    "complaint.personal_data_erased": lambda d: f"the complainant's key destroyed on {d['erased_on']}",
    "case.opened": lambda d: (
        f"{d['controller']['name']}, opened {d['opened_on']} on its first {kind(d['complaint_kind'])}"
    ),
    "complaint.linked": lambda d: f"{kind(d['complaint_kind'])} received {d['received_on']} joins the case",
    "investigation.opened": lambda d: (
        f"opened {d['opened_on']}"
        + (f" by the President's decision {d['decision_reference']}" if d.get("decision_reference") else "")
        + f": {d['scope']}"
    ),
    "check.recorded": lambda d: f"{d['kind'].replace('_', ' ')} check on {d['carried_out_on']}: {d['description']}",
    "finding.recorded": lambda d: f"Art {', '.join(map(str, d['articles']))}: {d['facts']}",
    "warning.issued": lambda d: (
        f"warning {d['reference']} of {d['decided_on']}: Art {', '.join(map(str, d['articles']))} likely infringed"
    ),
    "formal_notice.issued": lambda d: (
        f"{d.get('reference') or 'issued'} of {d['issued_on']}, {len(d['orders'])} order(s), "
        + (
            f"comply by {d['compliance_deadline']}"
            if d.get("compliance_deadline")
            else f"comply within {_limit(d['time_limit'])} of receipt"
        )
    ),
    "formal_notice.extended": lambda d: (
        f"time limit extended by {_limit(d['extension'])} on {d['decided_on']}"
        + (f", comply by {d['compliance_deadline']}" if d.get("compliance_deadline") else "")
    ),
    "formal_notice.notified": lambda d: (
        f"reached the controller on {d['notified_on']}"
        + (f", comply by {d['compliance_deadline']}" if d.get("compliance_deadline") else "")
    ),
    "formal_notice.complied": lambda d: f"complied with on {d['complied_on']}",
    "formal_notice.expiry_superseded": lambda d: f"complied with on {d['complied_on']}, by the deadline",
    "formal_notice.deadline_expired": lambda d: f"the deadline {d['deadline']} passed without compliance",
    "proceedings.referred": lambda d: (
        f"referred {d['referred_on']} to the restricted committee ({d['procedure']}), rapporteur "
        f"{d['rapporteur']['name']}"
    ),
    "proceedings.report_notified": lambda d: (
        f"report notified {d['notified_on']}, {len(d['documents'])} document(s), observations due "
        f"{d['observations_due']}"
    ),
    "proceedings.file_consulted": lambda d: f"the file consulted on {d['consulted_on']}",
    "proceedings.observations_extended": lambda d: f"observations now due by {d['observations_due']}",
    "proceedings.observations_received": lambda d: f"written observations received {d['received_on']}",
    "proceedings.rapporteur_answered": lambda d: f"the rapporteur answered on {d['answered_on']}",
    "proceedings.controller_replied": lambda d: f"the controller replied on {d['replied_on']}",
    "proceedings.controller_summoned": lambda d: f"summoned on {d['summoned_on']} to the hearing of {d['hearing_on']}",
    "proceedings.hearing_held": lambda d: (
        f"hearing of {d['held_on']} ({'public' if d['public'] else 'not public'}): {', '.join(d['speakers'])} spoke"
    ),
    "proceedings.deliberated": lambda d: (
        f"{d['reference']} deliberated {d['deliberated_on']} by {len(d['members'])} member(s): {d['decision']}"
    ),
    "proceedings.simplified_interrupted": lambda d: f"simplified procedure interrupted on {d['interrupted_on']}",
    "sanction.imposed": lambda d: (
        f"fine of {euros(d['fine_eur'])} decided {d['decided_on']} (cap "
        f"{euros(d['cap']['cap_eur'])}, Art {d['cap']['paragraph']})"
    ),
    "penalty_payment.imposed": lambda d: f"{euros(d['daily_rate_eur'])} a day of delay from {d['accrues_from']}",
    "sanction.notified": lambda d: f"reached the controller on {d['notified_on']}",
    "injunction.complied": lambda d: f"complied with on {d['complied_on']}",
    "injunction.ended": lambda d: f"ended on {d['ended_on']}: its penalty stops",
    "liquidation.opened": lambda d: (
        f"{d['days_counted']} days from {d['period_start']} envisaged at {euros(d['envisaged_amount_eur'])} "
        f"(at most {euros(d['maximum_eur'])}); observations by {d['observations_due']}"
    ),
    "liquidation.observations_received": lambda d: f"observations on the liquidation received {d['received_on']}",
    "penalty_payment.liquidated": lambda d: (
        f"{d['days_counted']} days from {d['period_start']} to "
        f"{d['period_end']} ({d['convention'].split(':')[0]}): "
        f"{euros(d['amount_eur'])}"
    ),
    "reprimand.issued": lambda d: (
        f"reprimand decided {d['decided_on']}, Art {', '.join(map(str, d['articles_infringed']))}"
    ),
    "publication.made": lambda d: (
        f"the {d['decision'].replace('_', ' ')} of {d['decision_dated']} made public"
        + (" again" if d.get("republishes") else "")
        + f" on {d['published_on']} by the {d['decided_by'].replace('_', ' ')}"
        + (f", name removed on {d['anonymised_on']}" if d.get("anonymised_on") else "")
    ),
    "publication.withdrawn": lambda d: (
        f"the published {d['decision'].replace('_', ' ')} withdrawn on {d['withdrawn_on']}"
    ),
    "appeal.lodged": lambda d: f"the {d['decision']} of {d['decision_dated']} appealed on {d['lodged_on']}",
    "appeal.decided": lambda d: (
        f"the court ruled on {d['decided_on']}: {d['outcome'].replace('_', ' ')}"
        + (f" to {euros(d['fine_eur'])}" if d.get("fine_eur") is not None else "")
    ),
    "case.closed": lambda d: f"closed {d['closed_on']}: {d['outcome']}",
    "notification.recorded": lambda d: (
        f"{d['channel']} to the {d['recipient_role']}" + (f": {d['title']}" if d.get("title") else "")
    ),
    "notification.sent": lambda d: f"sent to the {d['recipient_role']} on {d['sent_on']}",
    "checkpoint.signed": lambda d: f"checkpoint {d['sequence']}: the heads of {len(d['heads'])} case(s), signed",
    "case.assigned": lambda d: f"held by {holder(d)} from {d['assigned_on']}",
    "case.complaint_assigned": lambda d: f"complaint held by {holder(d)} from {d['assigned_on']}",
    "case.complaint_admissibility_decided": lambda d: (
        f"complaint found {d['decision']} on {d['decided_on']}"
        + (f" ({d['reason'].replace('_', ' ')})" if d.get("reason") else "")
    ),
    "case.controller_asked_to_act": lambda d: (
        f"the controller asked on {d['asked_on']} to act on {len(d['complaint_ids'])} complaint(s) by {d['answer_due']}"
    ),
    "case.complaint_controller_asked": lambda d: f"the controller asked to act by {d['answer_due']}",
    "case.controller_answer_overdue": lambda d: f"no answer by {d['answer_due']}: the controller reminded",
    "case.complaint_controller_answered": lambda d: f"the controller answered on {d['answered_on']}",
    "case.complaint_joined_investigation": lambda d: f"complaint joined the investigation on {d['joined_on']}",
    "case.complaint_transferred": lambda d: (
        f"complaint sent to {d['authority']} ({d['authority_country']}) on {d['transferred_on']}"
    ),
    "case.complaint_closed": lambda d: f"complaint closed {d['closed_on']}: {d['reason'].replace('_', ' ')}",
    **{spec.name: cooperation_step for spec in EVENTS if spec.name.startswith("cooperation.")},
}


def holder(data: dict[str, Any]) -> str:
    """Who an assignment gives an item to: a staff member, a team, both, or nobody."""
    staff, team = data.get("staff"), data.get("team")
    if staff and team:
        return f"{staff} ({team})"
    return staff or (f"team {team}" if team else "nobody")


def summary(event_type: str, data: dict[str, Any]) -> str:
    """A few words on what an event of `event_type` (with or without its `docket.` prefix) says; empty for a
    type this release does not know, or a payload that lacks what its type should carry."""
    describe = _SUMMARIES.get(event_type.removeprefix("docket."))
    try:
        return describe(data) if describe else ""
    except (KeyError, TypeError, AttributeError):
        return ""
