"""The restricted committee's procedure over HTTP, each step by the person the law gives it to: the President's
referral (president), the report and the written exchange the rapporteur keeps (rapporteur), the extension of the
controller's time limit, the summons and the hearing (the committee), and the simplified procedure's interruption.
The deliberation is the sanction's or the reprimand's own route (commands.py), whose body names who sat.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field

from docket_contracts.events import PROCEDURE_FIELD, Procedure, RapporteurKind, Speaker
from docket_service.limits import day, text

from .. import domain
from ..deps import CasesDep, President, Rapporteur, SanctionsCommittee
from .bounds import MAX_DOCUMENTS, MAX_NAME_CHARS, MAX_REFERENCE_CHARS, MAX_TEXT_CHARS
from .commands import run
from .models import CommandIn, CommandOut
from .preconditions import IfMatch

router = APIRouter(tags=["the restricted committee's procedure"])

Name = text(MAX_NAME_CHARS, "a person's name")
Documents = Annotated[
    list[text(300, "a document of the file")],
    Field(min_length=1, max_length=MAX_DOCUMENTS, description=f"1 to {MAX_DOCUMENTS} documents"),
]


class RapporteurIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    kind: RapporteurKind = Field(
        description=(
            "commissioner: a member of the authority who does not sit on the restricted committee (ordinary "
            "procedure, loi 78-17 art 22); agent: an agent of its services (simplified procedure, art 22-1)"
        )
    )


class ReferralIn(CommandIn):
    referred_on: day("the day of the President's decision")
    reference: text(MAX_REFERENCE_CHARS, "the President's decision naming the rapporteur")
    rapporteur: RapporteurIn
    procedure: Procedure = PROCEDURE_FIELD
    deciding_member: Name | None = Field(
        default=None,
        description="simplified procedure: the president of the restricted committee, or the member designated",
    )


class ReportIn(CommandIn):
    notified_on: day("the day the report reached the controller")
    documents: Documents = Field(description="the documents of the file the controller may consult and copy")


class FileAccessIn(CommandIn):
    consulted_on: day("the day the controller consulted the file")
    documents: Documents = Field(description="what the controller consulted or copied")


class ObservationsIn(CommandIn):
    received_on: day("the day the controller's written observations were received")


class ObservationsExtensionIn(CommandIn):
    decided_on: day("the day the president of the restricted committee decided it, within the time limit")
    until: day("the new last day for written observations")
    reasons: text(MAX_TEXT_CHARS, "why: the complexity of the case")


class AnswerIn(CommandIn):
    answered_on: day("the day the rapporteur answered the controller's observations")


class ReplyIn(CommandIn):
    replied_on: day("the day the controller replied to the rapporteur's answer")


class SummonsIn(CommandIn):
    summoned_on: day("the day the summons reached the controller")
    hearing_on: day("the day of the hearing, at least fifteen days later")


class HearingIn(CommandIn):
    held_on: day("the day of the hearing, as the summons named it")
    public: bool = Field(description="whether the hearing was public")
    speakers: Annotated[list[Speaker], Field(min_length=1, max_length=20)] = Field(
        description="who spoke, in order: the controller, or its counsel, able to speak last (décret 2019-536 art 42)"
    )


class InterruptionIn(CommandIn):
    interrupted_on: day("the day the member refused or interrupted the simplified procedure")
    reasons: text(MAX_TEXT_CHARS, "why")


@router.post(
    "/cases/{case_id}/referral",
    response_model=CommandOut,
    summary="The President refers the case to the restricted committee and names its rapporteur (loi 78-17 art 22)",
)
async def refer(
    case_id: uuid.UUID,
    body: ReferralIn,
    cases: CasesDep,
    caller: President,
    response: Response,
    if_match: IfMatch = None,
) -> CommandOut:
    command = domain.ReferToCommittee(
        proceedings_id=uuid.uuid4(),
        referred_on=body.referred_on,
        reference=body.reference,
        rapporteur=body.rapporteur.name,
        rapporteur_kind=body.rapporteur.kind,
        procedure=body.procedure,
        deciding_member=body.deciding_member,
    )
    return await run(cases, case_id, body, if_match, caller, command, response)


@router.post(
    "/cases/{case_id}/report",
    response_model=CommandOut,
    summary="The rapporteur's report notified to the controller, with the file's documents; observations in a month",
)
async def notify_report(
    case_id: uuid.UUID,
    body: ReportIn,
    cases: CasesDep,
    caller: Rapporteur,
    response: Response,
    if_match: IfMatch = None,
) -> CommandOut:
    command = domain.NotifyReport(notified_on=body.notified_on, documents=tuple(body.documents))
    return await run(cases, case_id, body, if_match, caller, command, response)


@router.post(
    "/cases/{case_id}/file-access",
    response_model=CommandOut,
    summary="Record the controller's access to the documents of the file",
)
async def record_file_access(
    case_id: uuid.UUID,
    body: FileAccessIn,
    cases: CasesDep,
    caller: Rapporteur,
    response: Response,
    if_match: IfMatch = None,
) -> CommandOut:
    command = domain.RecordFileAccess(consulted_on=body.consulted_on, documents=tuple(body.documents))
    return await run(cases, case_id, body, if_match, caller, command, response)


@router.post(
    "/cases/{case_id}/observations",
    response_model=CommandOut,
    summary="Record the controller's written observations on the report, within its time limit",
)
async def record_observations(
    case_id: uuid.UUID,
    body: ObservationsIn,
    cases: CasesDep,
    caller: Rapporteur,
    response: Response,
    if_match: IfMatch = None,
) -> CommandOut:
    command = domain.RecordObservations(received_on=body.received_on)
    return await run(cases, case_id, body, if_match, caller, command, response)


@router.post(
    "/cases/{case_id}/observations/extension",
    response_model=CommandOut,
    summary="The president of the restricted committee extends the controller's time limit for observations",
)
async def extend_observations(
    case_id: uuid.UUID,
    body: ObservationsExtensionIn,
    cases: CasesDep,
    caller: SanctionsCommittee,
    response: Response,
    if_match: IfMatch = None,
) -> CommandOut:
    command = domain.ExtendObservations(decided_on=body.decided_on, until=body.until, reasons=body.reasons)
    return await run(cases, case_id, body, if_match, caller, command, response)


@router.post(
    "/cases/{case_id}/rapporteur-answer",
    response_model=CommandOut,
    summary="Record the rapporteur's answer to the controller's observations, within a month of them",
)
async def record_answer(
    case_id: uuid.UUID,
    body: AnswerIn,
    cases: CasesDep,
    caller: Rapporteur,
    response: Response,
    if_match: IfMatch = None,
) -> CommandOut:
    command = domain.RecordRapporteurAnswer(answered_on=body.answered_on)
    return await run(cases, case_id, body, if_match, caller, command, response)


@router.post(
    "/cases/{case_id}/controller-reply",
    response_model=CommandOut,
    summary="Record the controller's reply to the rapporteur's answer",
)
async def record_reply(
    case_id: uuid.UUID,
    body: ReplyIn,
    cases: CasesDep,
    caller: Rapporteur,
    response: Response,
    if_match: IfMatch = None,
) -> CommandOut:
    command = domain.RecordControllerReply(replied_on=body.replied_on)
    return await run(cases, case_id, body, if_match, caller, command, response)


@router.post(
    "/cases/{case_id}/summons",
    response_model=CommandOut,
    summary="Summon the controller to the hearing, at least fifteen days before it",
)
async def summon(
    case_id: uuid.UUID,
    body: SummonsIn,
    cases: CasesDep,
    caller: SanctionsCommittee,
    response: Response,
    if_match: IfMatch = None,
) -> CommandOut:
    command = domain.SummonController(summoned_on=body.summoned_on, hearing_on=body.hearing_on)
    return await run(cases, case_id, body, if_match, caller, command, response)


@router.post(
    "/cases/{case_id}/hearing",
    response_model=CommandOut,
    summary="Record the hearing: public or not, who spoke, the controller able to speak last (décret art 42)",
)
async def record_hearing(
    case_id: uuid.UUID,
    body: HearingIn,
    cases: CasesDep,
    caller: SanctionsCommittee,
    response: Response,
    if_match: IfMatch = None,
) -> CommandOut:
    command = domain.RecordHearing(held_on=body.held_on, public=body.public, speakers=tuple(body.speakers))
    return await run(cases, case_id, body, if_match, caller, command, response)


@router.post(
    "/cases/{case_id}/simplified-interruption",
    response_model=CommandOut,
    summary="The member deciding under the simplified procedure refuses or interrupts it (loi 78-17 art 22-1)",
)
async def interrupt_simplified(
    case_id: uuid.UUID,
    body: InterruptionIn,
    cases: CasesDep,
    caller: SanctionsCommittee,
    response: Response,
    if_match: IfMatch = None,
) -> CommandOut:
    command = domain.InterruptSimplified(interrupted_on=body.interrupted_on, reasons=body.reasons)
    return await run(cases, case_id, body, if_match, caller, command, response)
