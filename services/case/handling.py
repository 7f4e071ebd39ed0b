"""The use cases of a complaint's handling and of assignment: a handling command run on one case (one complaint,
or a campaign's share of its complaints), and the letters' due timers fired.

A handling command is decided on the complaints it names, not on the version of the case the caller saw: a case
that takes in a campaign changes with every complaint it routes, and each complaint's own status is what the
rules check. So a command is decided again, on what the other writer appended, when another append to the
case came first (the events' primary key), a few times before it gives up (StaleVersion, HTTP 409).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

import sqlalchemy as sa

from docket_service.clock import Clock

from .application import TIMER_ACTOR, Actor, Cases
from .domain import (
    CaseState,
    CloseComplaints,
    Complaint,
    ComplaintRejected,
    Handled,
    HandlingCommand,
    RecordControllerAnswer,
    RemindController,
    SelectionCommand,
    handle,
)
from .errors import StaleVersion

ATTEMPTS = 3  # decisions on a case another writer appended to first, before giving up


class IdempotencyKeyReused(Exception):
    """An Idempotency-Key sent again with another body (HTTP 409)."""


class UnknownComplaint(LookupError):
    """No case holds this complaint (HTTP 404)."""


@dataclass(frozen=True)
class DueLetter:
    """A letter to a controller whose answer was due the day before `due_on`."""

    letter_id: uuid.UUID
    case_id: uuid.UUID
    due_on: date


@dataclass(frozen=True)
class Step:
    """A campaign's request, done case by case under its Idempotency-Key (the digest of its body with it)."""

    key: str
    request_digest: str


class Handling(Cases, Protocol):
    """The case store with what a complaint's handling reads and writes besides the case's stream
    (store.PostgresCases)."""

    async def complaints(self, case_id: uuid.UUID, complaint_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Complaint]:
        """The records of the case's complaints among `complaint_ids`."""
        ...

    async def complaints_of_letter(self, case_id: uuid.UUID, letter_id: uuid.UUID) -> dict[uuid.UUID, Complaint]: ...

    async def cases_of(self, complaint_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, uuid.UUID]:
        """The case of each complaint among `complaint_ids` that has one."""
        ...

    async def due_letters(self, today: date, limit: int) -> Sequence[DueLetter]:
        """Unfired letter timers due by `today`, held until the transaction ends."""
        ...

    async def letter_fired(self, letter: DueLetter, now: datetime) -> None: ...

    async def step_done(self, step: Step, case_id: uuid.UUID) -> tuple[str, list[dict[str, Any]]] | None:
        """The digest and the results of a campaign's step already done on the case, or None."""
        ...

    async def record_step(self, step: Step, case_id: uuid.UUID, results: list[dict[str, Any]]) -> None: ...


@dataclass(frozen=True)
class Outcome:
    """What a handling command did on one case: the case after it, and each complaint's result."""

    case: CaseState | None
    handled: Handled
    results: list[dict[str, Any]]
    replayed: bool = False


def results_of(handled: Handled) -> list[dict[str, Any]]:
    """Each complaint's result as a campaign answers it: done, or refused with the HTTP status of its refusal."""
    found: list[dict[str, Any]] = [{"complaint_id": str(c), "result": "done", "status": 200} for c in handled.done]
    for complaint_id, refusal in handled.refused.items():
        status = 409 if isinstance(refusal, ComplaintRejected) else 422
        detail = str(refusal) if isinstance(refusal, ComplaintRejected) else f"{refusal.field}: {refusal.message}"
        found.append({"complaint_id": str(complaint_id), "result": "refused", "status": status, "detail": detail})
    return found


async def run(
    store: Handling,
    case_id: uuid.UUID,
    command: HandlingCommand,
    actor: Actor,
    step: Step | None = None,
    expected_version: int | None = None,
) -> Outcome:
    """Decide and append `command` on the case in a transaction of its own; under a campaign's `step`, a share
    already done is answered as it was, and one done now is recorded with its events. A caller that names the
    version it saw (`expected_version`) is refused if the case has moved on since."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            async with store.transaction():
                if step is not None and (done := await store.step_done(step, case_id)) is not None:
                    return Outcome(None, Handled([]), _same_request(step, done), replayed=True)
                case = await store.load(case_id)
                if expected_version is not None and case.version != expected_version:
                    raise StaleVersion(case_id, expected_version, case.version)
                handled = handle(case, await _named(store, case_id, command), command)
                state, _ = await store.append(case, case_id, handled.events, actor)
                results = results_of(handled)
                if step is not None:
                    await store.record_step(step, case_id, results)
                return Outcome(state, handled, results)
        except sa.exc.IntegrityError:  # another append to the case came first: decide again on it
            if attempt == ATTEMPTS:
                async with store.transaction():
                    current = await store.load(case_id)
                raise StaleVersion(case_id, case.version, current.version) from None
    raise AssertionError("unreachable")


def _same_request(step: Step, done: tuple[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    digest, results = done
    if digest != step.request_digest:
        raise IdempotencyKeyReused("this Idempotency-Key was used for another campaign request")
    return results


async def _named(store: Handling, case_id: uuid.UUID, command: HandlingCommand) -> dict[uuid.UUID, Complaint]:
    """The records the command is decided on: the complaints it names, or those of the letter it is about."""
    if isinstance(command, RecordControllerAnswer | RemindController):
        return await store.complaints_of_letter(case_id, command.letter_id)
    if isinstance(command, SelectionCommand):
        return await store.complaints(case_id, command.complaint_ids)
    return {}


async def case_of(store: Handling, complaint_id: uuid.UUID) -> uuid.UUID:
    """The case of a complaint; UnknownComplaint when no case holds it."""
    async with store.transaction():
        found = await store.cases_of([complaint_id])
    if complaint_id not in found:
        raise UnknownComplaint(complaint_id)
    return found[complaint_id]


WITHDRAWAL_ACTOR = Actor("system:complaint-withdrawal")


async def withdrawn(store: Handling, complaint_id: uuid.UUID, withdrawn_on: date) -> None:
    """The complainant withdrew the complaint at intake's door: it is closed as withdrawn, if its case holds it
    and it is still open, in the transaction the caller opened (the consumer's). Its complainant, who was told
    by intake, is written to no more (docket_contracts.progress.ends_wait)."""
    case_id = (await store.cases_of([complaint_id])).get(complaint_id)
    if case_id is None:
        return
    case = await store.load(case_id)
    reasons = "The complainant withdrew the complaint."
    command = CloseComplaints((complaint_id,), "withdrawn", reasons, withdrawn_on)
    handled = handle(case, await store.complaints(case_id, [complaint_id]), command)
    await store.append(case, case_id, handled.events, WITHDRAWAL_ACTOR)


async def fire_letter_timers(store: Handling, clock: Clock, limit: int = 100) -> int:
    """Look at every letter whose answer's day has passed: the controller is reminded if a complaint of it still
    awaits the answer. Timers are claimed and marked in the transaction that appends, as formal notices' are."""
    today, now = clock.today(), clock.now()
    fired = 0
    async with store.transaction():
        for letter in await store.due_letters(today, limit):
            case = await store.load(letter.case_id)
            complaints = await store.complaints_of_letter(letter.case_id, letter.letter_id)
            handled = handle(case, complaints, RemindController(letter.letter_id, today, now))
            await store.append(case, letter.case_id, handled.events, TIMER_ACTOR)
            await store.letter_fired(letter, now)
            fired += 1
    return fired
