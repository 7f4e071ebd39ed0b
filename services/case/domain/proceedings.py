"""The restricted committee's procedure, which a sanction, a reprimand or an injunction of the committee must follow
to be lawful (loi 78-17 art 22; décret 2019-536 arts 39-44):

    the President refers the case and names a rapporteur who does not sit on the committee (art 39);
    the rapporteur's report is notified to the controller, who may consult and copy the file (art 40);
    the controller has one month for written observations, which the committee's president may extend;
    the rapporteur may answer within a month, and the controller reply (art 40);
    the controller is summoned at least fifteen days before the hearing (arts 40-41);
    at the hearing the controller can speak last (art 42);
    the committee deliberates without the rapporteur, its members recorded (loi art 22): `deliberate`.

The simplified procedure (loi 78-17 art 22-1) is lighter: the rapporteur is an agent of the authority, the
president of the committee or a member designated decides alone, within its caps (fines.py), and no hearing is
required; the member may refuse or interrupt it, and the President take the case up under the ordinary one.

Where the texts were not read, the number is a named constant saying what it rests on.
"""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

from docket_contracts.errors import Invalid
from docket_contracts.events import (
    CaseReferred,
    CommitteeDeliberated,
    ControllerReplied,
    ControllerSummoned,
    DeliberatedDecision,
    FileConsulted,
    HearingHeld,
    ObservationsExtended,
    ObservationsReceived,
    Payload,
    Rapporteur,
    RapporteurAnswered,
    ReportNotified,
    SimplifiedProcedureInterrupted,
)
from docket_contracts.progress import add_months

from .commands import (
    Deliberation,
    ExtendObservations,
    InterruptSimplified,
    NotifyReport,
    RecordControllerReply,
    RecordFileAccess,
    RecordHearing,
    RecordObservations,
    RecordRapporteurAnswer,
    ReferToCommittee,
    SummonController,
)
from .cooperation import not_during_dispute
from .refusals import Rejected, not_before, require
from .state import CaseState, Proceedings

# The controller's time limit for written observations on the report: one month from its notification (décret
# 2019-536 art 40, as the CNIL describes the procedure since décret 2022-517; the article's text was not read). The
# same month is taken under the simplified procedure, whose time limits were not found.
OBSERVATIONS_MONTHS = 1
# The rapporteur answers the observations within one month of receiving them (same source as above).
ANSWER_MONTHS = 1
# The summons must reach the controller at least fifteen days before the hearing: the CNIL states it for the procedure
# since décret 2022-517 (whose wording was not read); the 2019 text of décret 2019-536 art 41 said one month. The
# current rule is taken.
SUMMONS_MIN_DAYS = 15
# The restricted committee is a president and five members elected among the authority's (loi 78-17 art 16, as the
# CNIL states it; the statute's wording was not read): no more may sit on a deliberation.
COMMITTEE_SEATS = 6
# Who may speak last at the hearing: the controller or its counsel (décret 2019-536 art 42).
LAST_WORD = ("controller", "counsel")


def _current(state: CaseState, action: str) -> Proceedings:
    require(state, action, "before_committee")
    proceedings = state.current_proceedings
    assert proceedings is not None and state.case_id is not None
    return proceedings


def _notified(state: CaseState, action: str) -> Proceedings:
    proceedings = _current(state, action)
    if proceedings.report_notified_on is None:
        raise Rejected(
            state, action, "the rapporteur's report has not been notified to the controller (décret 2019-536 art 40)"
        )
    return proceedings


def refer(state: CaseState, command: ReferToCommittee) -> list[Payload]:
    """The President's referral, once findings stand, naming a rapporteur fit for the procedure."""
    action = "refer the case to the restricted committee"
    require(state, action, "investigating", "notice_expired")
    assert state.case_id is not None
    if not state.findings:
        raise Rejected(state, action, "no finding recorded yet")
    not_before("referred_on", command.referred_on, state.investigation_opened_on, "the investigation opened")
    not_before("referred_on", command.referred_on, state.last_annulled_on, "the court annulled the earlier decision")
    if state.status == "notice_expired":
        deadline = state.notices[-1].deadline
        assert deadline is not None
        not_before(
            "referred_on", command.referred_on, deadline + timedelta(days=1), "the day after the notice's deadline"
        )
    if command.procedure == "ordinary":
        if command.rapporteur_kind != "commissioner":
            raise Invalid(
                "rapporteur.kind",
                "under the ordinary procedure the rapporteur is a member of the authority who does not sit on the "
                "restricted committee, a commissioner (loi 78-17 art 22; décret 2019-536 art 39)",
            )
        if command.deciding_member is not None:
            raise Invalid(
                "deciding_member",
                "under the ordinary procedure the restricted committee deliberates; one member decides alone only "
                "under the simplified procedure (loi 78-17 art 22-1)",
            )
    else:
        if command.rapporteur_kind != "agent":
            raise Invalid(
                "rapporteur.kind",
                "under the simplified procedure the rapporteur is an agent of the authority's services (loi 78-17 "
                "art 22-1)",
            )
        if command.deciding_member is None:
            raise Invalid(
                "deciding_member",
                "under the simplified procedure the president of the restricted committee, or a member designated, "
                "decides alone (loi 78-17 art 22-1): name them",
            )
    return [
        CaseReferred(
            case_id=state.case_id,
            proceedings_id=command.proceedings_id,
            referred_on=command.referred_on,
            reference=command.reference,
            rapporteur=Rapporteur(name=command.rapporteur, kind=command.rapporteur_kind),
            procedure=command.procedure,
            deciding_member=command.deciding_member,
        )
    ]


def notify_report(state: CaseState, command: NotifyReport) -> list[Payload]:
    action = "notify the rapporteur's report"
    proceedings = _current(state, action)
    assert state.case_id is not None
    if proceedings.report_notified_on is not None:
        raise Rejected(state, action, f"it was notified on {proceedings.report_notified_on}")
    not_before("notified_on", command.notified_on, proceedings.referred_on, "the case was referred")
    if not command.documents:
        raise Invalid("documents", "list the documents of the file the controller may consult (décret 2019-536 art 40)")
    return [
        ReportNotified(
            case_id=state.case_id,
            proceedings_id=proceedings.proceedings_id,
            notified_on=command.notified_on,
            documents=command.documents,
            observations_due=add_months(command.notified_on, OBSERVATIONS_MONTHS),
        )
    ]


def record_file_access(state: CaseState, command: RecordFileAccess) -> list[Payload]:
    proceedings = _notified(state, "record the controller's access to the file")
    assert state.case_id is not None and proceedings.report_notified_on is not None
    not_before("consulted_on", command.consulted_on, proceedings.report_notified_on, "the report was notified")
    return [
        FileConsulted(
            case_id=state.case_id,
            proceedings_id=proceedings.proceedings_id,
            consulted_on=command.consulted_on,
            documents=command.documents,
        )
    ]


def extend_observations(state: CaseState, command: ExtendObservations) -> list[Payload]:
    """The committee's president extends the controller's time limit, while it runs."""
    action = "extend the time limit for observations"
    proceedings = _notified(state, action)
    assert state.case_id is not None and proceedings.observations_due is not None
    not_during_dispute(state, action)
    if proceedings.observations_on is not None:
        raise Rejected(state, action, f"the controller's observations were received on {proceedings.observations_on}")
    assert proceedings.report_notified_on is not None
    not_before("decided_on", command.decided_on, proceedings.report_notified_on, "the report was notified")
    if command.decided_on > proceedings.observations_due:
        raise Invalid(
            "decided_on",
            f"{command.decided_on} is after the time limit for observations ended ({proceedings.observations_due})",
        )
    if command.until <= proceedings.observations_due:
        raise Invalid("until", f"{command.until} is not after the time limit now ({proceedings.observations_due})")
    return [
        ObservationsExtended(
            case_id=state.case_id,
            proceedings_id=proceedings.proceedings_id,
            decided_on=command.decided_on,
            observations_due=command.until,
            reasons=command.reasons,
        )
    ]


def record_observations(state: CaseState, command: RecordObservations) -> list[Payload]:
    action = "record the controller's observations"
    proceedings = _notified(state, action)
    assert state.case_id is not None and proceedings.report_notified_on is not None
    if proceedings.observations_on is not None:
        raise Rejected(state, action, f"they were received on {proceedings.observations_on}")
    not_before("received_on", command.received_on, proceedings.report_notified_on, "the report was notified")
    assert proceedings.observations_due is not None
    if command.received_on > proceedings.observations_due:
        raise Invalid(
            "received_on",
            f"{command.received_on} is after the time limit for written observations ({proceedings.observations_due}: "
            f"one month from the report's notification, or as extended; décret 2019-536 art 40)",
        )
    return [
        ObservationsReceived(
            case_id=state.case_id, proceedings_id=proceedings.proceedings_id, received_on=command.received_on
        )
    ]


def record_answer(state: CaseState, command: RecordRapporteurAnswer) -> list[Payload]:
    action = "record the rapporteur's answer"
    proceedings = _notified(state, action)
    assert state.case_id is not None
    if proceedings.observations_on is None:
        raise Rejected(
            state, action, "the controller's written observations, which the rapporteur answers, have not been received"
        )
    if proceedings.answered_on is not None:
        raise Rejected(state, action, f"the rapporteur answered on {proceedings.answered_on}")
    not_before("answered_on", command.answered_on, proceedings.observations_on, "the observations were received")
    latest = add_months(proceedings.observations_on, ANSWER_MONTHS)
    if command.answered_on > latest:
        raise Invalid(
            "answered_on",
            f"{command.answered_on} is after {latest}, one month from the observations (décret 2019-536 art 40)",
        )
    return [
        RapporteurAnswered(
            case_id=state.case_id, proceedings_id=proceedings.proceedings_id, answered_on=command.answered_on
        )
    ]


def record_reply(state: CaseState, command: RecordControllerReply) -> list[Payload]:
    action = "record the controller's reply"
    proceedings = _notified(state, action)
    assert state.case_id is not None
    if proceedings.answered_on is None:
        raise Rejected(state, action, "the rapporteur has not answered the controller's observations")
    if proceedings.replied_on is not None:
        raise Rejected(state, action, f"the controller replied on {proceedings.replied_on}")
    not_before("replied_on", command.replied_on, proceedings.answered_on, "the rapporteur answered")
    return [
        ControllerReplied(
            case_id=state.case_id, proceedings_id=proceedings.proceedings_id, replied_on=command.replied_on
        )
    ]


def summon(state: CaseState, command: SummonController) -> list[Payload]:
    """The summons, once the written observations are in or their time limit has ended; a later summons (the
    hearing postponed) replaces the earlier one until the hearing is held."""
    action = "summon the controller to a hearing"
    proceedings = _notified(state, action)
    assert state.case_id is not None and proceedings.observations_due is not None
    if proceedings.hearing is not None:
        raise Rejected(state, action, f"the hearing was held on {proceedings.hearing.held_on}")
    if proceedings.observations_on is None and command.summoned_on <= proceedings.observations_due:
        raise Invalid(
            "summoned_on",
            f"{command.summoned_on} is within the controller's time limit for written observations, which runs to "
            f"{proceedings.observations_due} (décret 2019-536 art 40)",
        )
    not_before("summoned_on", command.summoned_on, proceedings.observations_on, "the observations were received")
    notice = (command.hearing_on - command.summoned_on).days
    if notice < SUMMONS_MIN_DAYS:
        raise Invalid(
            "hearing_on",
            f"{command.hearing_on} is {notice} days after the summons reached the controller ({command.summoned_on}); "
            f"it must reach them at least {SUMMONS_MIN_DAYS} days before the hearing (décret 2019-536, as amended "
            f"by décret 2022-517)",
        )
    return [
        ControllerSummoned(
            case_id=state.case_id,
            proceedings_id=proceedings.proceedings_id,
            summoned_on=command.summoned_on,
            hearing_on=command.hearing_on,
        )
    ]


def record_hearing(state: CaseState, command: RecordHearing) -> list[Payload]:
    action = "record the hearing"
    proceedings = _current(state, action)
    assert state.case_id is not None
    if proceedings.hearing is not None:
        raise Rejected(state, action, f"it was held on {proceedings.hearing.held_on}")
    if proceedings.hearing_on is None:
        raise Rejected(state, action, "the controller has not been summoned to it (décret 2019-536 arts 40-41)")
    if command.held_on != proceedings.hearing_on:
        raise Invalid(
            "held_on",
            f"the summons named {proceedings.hearing_on}: summon the controller again for another day",
        )
    if not command.speakers:
        raise Invalid("speakers", "name who spoke, in order")
    if any(s in LAST_WORD for s in command.speakers) and command.speakers[-1] not in LAST_WORD:
        raise Invalid(
            "speakers",
            "the controller, or its counsel, must be able to speak last (décret 2019-536 art 42): "
            f"{command.speakers[-1]} spoke after them",
        )
    return [
        HearingHeld(
            case_id=state.case_id,
            proceedings_id=proceedings.proceedings_id,
            held_on=command.held_on,
            public=command.public,
            speakers=command.speakers,
        )
    ]


def interrupt(state: CaseState, command: InterruptSimplified) -> list[Payload]:
    action = "interrupt the simplified procedure"
    proceedings = _current(state, action)
    assert state.case_id is not None
    if proceedings.procedure != "simplified":
        raise Rejected(state, action, "the case is before the restricted committee under the ordinary procedure")
    not_before("interrupted_on", command.interrupted_on, proceedings.referred_on, "the case was referred")
    return [
        SimplifiedProcedureInterrupted(
            case_id=state.case_id,
            proceedings_id=proceedings.proceedings_id,
            interrupted_on=command.interrupted_on,
            reasons=command.reasons,
        )
    ]


# --- the deliberation: the only way to a sanction, a reprimand or an injunction of the committee ------------


def deliberate(
    state: CaseState,
    action: str,
    decided_on: date,
    deliberation: Deliberation | None,
    decision: DeliberatedDecision,
    decision_id: UUID,
) -> tuple[Proceedings, CommitteeDeliberated]:
    """The committee's deliberation, refused while a step of the procedure is missing (409 naming it and its
    source) or when who sat breaks a rule (422)."""
    if state.status in ("investigating", "notice_expired"):
        raise Rejected(
            state,
            action,
            "the case was not referred to the restricted committee: the President refers it and names a rapporteur "
            "(loi 78-17 art 22; décret 2019-536 art 39)",
        )
    proceedings = _notified(state, action)
    assert state.case_id is not None and proceedings.observations_due is not None
    if proceedings.procedure == "ordinary" and proceedings.hearing is None:
        waiting = (
            f"the hearing set for {proceedings.hearing_on} has not been recorded"
            if proceedings.hearing_on
            else ("the controller has not been summoned to a hearing")
        )
        raise Rejected(state, action, f"the controller has not been heard: {waiting} (décret 2019-536 arts 40-42)")
    if proceedings.procedure == "simplified" and proceedings.hearing_on and proceedings.hearing is None:
        raise Rejected(state, action, f"the hearing set for {proceedings.hearing_on} has not been recorded")
    if proceedings.hearing is not None:
        not_before("decided_on", decided_on, proceedings.hearing.held_on, "the hearing was held")
    elif proceedings.observations_on is None and decided_on <= proceedings.observations_due:
        raise Invalid(
            "decided_on",
            f"{decided_on} is within the controller's time limit for written observations, which runs to "
            f"{proceedings.observations_due} (décret 2019-536 art 40)",
        )
    if deliberation is None:
        raise Invalid("members", "name the members of the restricted committee who sat (loi 78-17 art 22)")
    _who_sat(proceedings, deliberation)
    return proceedings, CommitteeDeliberated(
        case_id=state.case_id,
        proceedings_id=proceedings.proceedings_id,
        deliberated_on=decided_on,
        reference=deliberation.reference,
        members=deliberation.members,
        procedure=proceedings.procedure,
        decision=decision,
        decision_id=decision_id,
    )


def _who_sat(proceedings: Proceedings, deliberation: Deliberation) -> None:
    members = deliberation.members
    if len(set(members)) != len(members):
        raise Invalid("members", "a member is named twice")
    if proceedings.rapporteur in members:
        raise Invalid(
            "members",
            f"{proceedings.rapporteur}, the rapporteur, may present observations but may not take part in the "
            f"deliberation (loi 78-17 art 22)",
        )
    if proceedings.procedure == "simplified":
        if members != (proceedings.deciding_member,):
            raise Invalid(
                "members",
                f"under the simplified procedure {proceedings.deciding_member}, the member designated, decides alone "
                f"(loi 78-17 art 22-1)",
            )
        return
    if len(members) > COMMITTEE_SEATS:
        raise Invalid("members", f"{len(members)} members: the restricted committee has {COMMITTEE_SEATS} seats")
    if len(members) < deliberation.quorum:
        raise Invalid(
            "members",
            f"{len(members)} members sat; the restricted committee deliberates with at least {deliberation.quorum} "
            f"(the quorum the case service is set with, RESTRICTED_COMMITTEE_QUORUM)",
        )
