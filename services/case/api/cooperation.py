"""The authorities working together over HTTP: the case's cooperation frame, each step of a procedure (taken here,
or transcribed from another authority's message: its `authority` names it), and the deadlines near and overdue.

A step's body is its contract model (docket_contracts.cooperation) without the case, which the path names, and with
`step` naming it; `authority` defaults to this authority, and a step that opens a procedure without a
`cooperation_reference` gets a new one. Its text holds no control characters and its dates are within the range
every date of the service keeps (422 naming the field).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Annotated, Any, Literal, Union

from fastapi import APIRouter, Body, Query, Response
from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator

from docket_contracts import cooperation as co
from docket_contracts.envelope import CloudEvent
from docket_contracts.registry import BY_PAYLOAD
from docket_service.limits import DAY_RANGE, EARLIEST_DAY, LATEST_DAY, MAX_OFFSET, printable

from .. import readside
from ..application import Actor
from ..cooperation import new_reference, send_steps
from ..deps import AddressesDep, CaseReader, CasesDep, ClockDep, Cooperator, DirectoryDep, SessionDep
from ..domain import CaseState, Cooperate
from ..exchange import reported
from ..views import case_view
from .commands import run
from .models import CommandIn, CommandOut
from .preconditions import IfMatch, expected

router = APIRouter(tags=["the authorities working together"])


def _checked(value: Any) -> Any:
    """Refuse control characters in text and a date out of the service's range, however deep in the value."""
    if isinstance(value, str):
        printable(value)
    elif isinstance(value, date) and not EARLIEST_DAY <= value <= LATEST_DAY:
        raise ValueError(f"must be {DAY_RANGE}")
    elif isinstance(value, BaseModel):
        for item in value.__dict__.values():
            _checked(item)
    elif isinstance(value, tuple | list):
        for item in value:
            _checked(item)
    return value


class Checked(CommandIn):
    @field_validator("*", mode="after")
    @classmethod
    def _within_bounds(cls, value: Any) -> Any:
        return _checked(value)


class StepIn(Checked):
    authority: co.AuthorityId | None = Field(default=None, description="who took the step; this authority if none")
    cooperation_reference: co.Reference | None = Field(
        default=None, description="the procedure's reference; a new one for a step that opens a procedure, if none"
    )


HERE = {"case_id", "authority", "cooperation_reference"}


def _name(model: type[co.Step]) -> str:
    return BY_PAYLOAD[model].name.removeprefix("cooperation.")


def _body(model: type[co.Step]) -> type[StepIn]:
    """The body of one step: its contract model's fields but the case, with `step` naming it."""
    fields: dict[str, Any] = {
        name: (info.annotation, info) for name, info in model.model_fields.items() if name not in HERE
    }
    name = _name(model)
    body: type[StepIn] = create_model(  # type: ignore[call-overload]
        f"{model.__name__}In", __base__=StepIn, __doc__=model.__doc__, step=(Literal[name], ...), **fields
    )
    return body


MODELS: dict[str, type[co.Step]] = {_name(model): model for model in co.STEPS}
BODIES = tuple(_body(model) for model in co.STEPS)
StepBody = Annotated[Union[BODIES], Field(discriminator="step")]  # type: ignore[valid-type]  # noqa: UP007

FrameIn = create_model(
    "CooperationFrameIn",
    __base__=Checked,
    __doc__=co.CooperationFrameRecorded.__doc__,
    **{
        name: (info.annotation, info)
        for name, info in co.CooperationFrameRecorded.model_fields.items()
        if name not in ("case_id", "authority")
    },
)

FRAME_EXAMPLE = {
    "recorded_on": "2027-05-03",
    "cross_border": True,
    "basis": "4(23)(a)",
    "establishment": "main_establishment",
    "establishment_state": "IE",
    "role": "concerned",
    "lead": "IE-DPC",
    "concerned": [{"authority": "FR-CNIL", "reasons": ["b", "c"]}, {"authority": "IT-GPDP", "reasons": ["b"]}],
    "expected_version": 1,
}
STEP_EXAMPLES = {
    "objection": {
        "summary": "An objection to the lead's draft, within four weeks (GDPR Art 60(4))",
        "value": {
            "step": "objection_raised",
            "cooperation_reference": "IE-DPC/2027/0042",
            "draft": 1,
            "raised_on": "2027-06-20",
            "concerns": "envisaged_action",
            "subject": "the fine envisaged",
            "relevant": True,
            "reasoned": True,
            "risks": "the processing goes on for millions of users in France",
            "expected_version": 3,
        },
    },
    "reported": {
        "summary": "The lead's draft decision, as its message reports it (GDPR Art 60(3))",
        "value": {
            "step": "draft_decision_submitted",
            "authority": "IE-DPC",
            "cooperation_reference": "IE-DPC/2027/0042",
            "draft": 1,
            "submitted_on": "2027-06-01",
            "consulted": [{"authority": "FR-CNIL", "consulted_on": "2027-06-01"}],
            "summary": "a fine of EUR 5 million and an order to stop",
            "expected_version": 2,
        },
    },
    "assistance": {
        "summary": "A request for mutual assistance, answered within one month (GDPR Art 61)",
        "value": {
            "step": "assistance_requested",
            "requested": "IT-GPDP",
            "received_on": "2027-06-02",
            "asks": "information",
            "purpose": "the controller's answers to the Garante",
            "reasons": "the same processing of people in Italy",
            "expected_version": 2,
        },
    },
}


@router.post(
    "/cases/{case_id}/cooperation/frame",
    response_model=CommandOut,
    summary="Record whether the case is cross-border, who leads and who is concerned (GDPR Arts 4(23), 56)",
)
async def record_frame(
    case_id: uuid.UUID,
    body: Annotated[FrameIn, Body(openapi_examples={"one-stop shop": {"value": FRAME_EXAMPLE}})],  # type: ignore[valid-type]
    cases: CasesDep,
    caller: Cooperator,
    directory: DirectoryDep,
    response: Response,
    if_match: IfMatch = None,
) -> CommandOut:
    fields = body.model_dump(exclude={"expected_version"})  # type: ignore[attr-defined]
    frame = co.CooperationFrameRecorded(case_id=case_id, authority=directory.own, **fields)
    command = Cooperate(frame, directory.own, directory.authorities)
    return await run(cases, case_id, body, if_match, caller, command, response)  # type: ignore[arg-type]


@router.post(
    "/cases/{case_id}/cooperation/steps",
    response_model=CommandOut,
    summary="Take a step of a cooperation procedure, or record one another authority took (GDPR Arts 56, 60-66)",
)
async def take_step(
    case_id: uuid.UUID,
    body: Annotated[StepBody, Body(openapi_examples=STEP_EXAMPLES)],
    cases: CasesDep,
    caller: Cooperator,
    directory: DirectoryDep,
    addresses: AddressesDep,
    response: Response,
    if_match: IfMatch = None,
) -> CommandOut:
    """A step this authority takes is queued, in its transaction, for the authorities the law addresses it to
    (domain/recipients.py); the case's `cooperation_messages` say what became of each."""
    fields = body.model_dump(exclude={"step", "expected_version", *HERE})
    step = MODELS[body.step](
        case_id=case_id,
        authority=body.authority or directory.own,
        cooperation_reference=body.cooperation_reference or new_reference(directory.own),
        **fields,
    )
    command = Cooperate(step, directory.own, directory.authorities)

    async def sent(state: CaseState, events: list[CloudEvent]) -> None:
        await send_steps(cases, addresses, directory.own, state, events)

    return await run(cases, case_id, body, if_match, caller, command, response, sent)


class DeadlineOut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    case_id: uuid.UUID
    cooperation_reference: str
    deadline: str = Field(description="the rule that sets it, e.g. 60(4), 61(2), 2025/2518-transmission")
    authority: str = Field(description="the authority that owes the step")
    last_day: date
    overdue: bool = Field(description="its last day has passed: the step is owed late")


class DeadlinePage(BaseModel):
    items: list[DeadlineOut]
    total: int
    limit: int
    offset: int


@router.get(
    "/cooperation/deadlines",
    response_model=DeadlinePage,
    summary="The cooperation deadlines of every case whose last day is within `days` (overdue ones first)",
)
async def deadlines(
    session: SessionDep,
    clock: ClockDep,
    caller: CaseReader,
    days: Annotated[int, Query(ge=0, le=366, description="how many days ahead")] = 7,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> DeadlinePage:
    today = clock.today()
    rows, total = await readside.cooperation.deadlines(
        session, today + timedelta(days=days), limit=limit, offset=offset
    )
    items = [
        DeadlineOut(
            case_id=row.case_id,
            cooperation_reference=row.reference,
            deadline=row.kind,
            authority=row.authority,
            last_day=row.last_day,
            overdue=row.last_day < today,
        )
        for row in rows
    ]
    return DeadlinePage(items=items, total=total, limit=limit, offset=offset)


class AttachIn(CommandIn):
    cooperation_reference: co.Reference = Field(description="the procedure whose steps wait to be attached")


@router.post(
    "/cases/{case_id}/cooperation/attach",
    response_model=CommandOut,
    summary="Attach to the case the steps of a procedure another authority opened and addressed to this one (a "
    "complaint transmitted to it as presumed lead, a request for assistance...), as they wait in GET "
    "/cooperation/waiting",
)
async def attach(
    case_id: uuid.UUID,
    body: AttachIn,
    session: SessionDep,
    caller: Cooperator,
    directory: DirectoryDep,
    response: Response,
    if_match: IfMatch = None,
) -> CommandOut:
    actor = Actor(caller.subject, caller.acting_as, caller.name)
    state, events = await reported.attach(
        session, directory, case_id, body.cooperation_reference, expected(body, if_match), actor
    )
    response.headers["ETag"] = f'"{state.version}"'
    return CommandOut(
        case=case_view(state),
        events=[{"type": e.type, "version": e.sequence, "event_id": e.id, "data": e.data} for e in events],
    )


class WaitingOut(BaseModel):
    message_id: int = Field(description="the message's record (cooperation_messages)")
    sender: str
    event_type: str
    cooperation_reference: str
    received_at: datetime
    step: dict[str, Any] = Field(description="the step as the sender reported it")


@router.get(
    "/cooperation/waiting",
    response_model=list[WaitingOut],
    summary="The steps other authorities reported that wait for staff to attach them to a case, oldest first",
)
async def waiting(session: SessionDep, caller: CaseReader) -> list[WaitingOut]:
    return [
        WaitingOut(
            message_id=row.id or 0,
            sender=row.peer or "",
            event_type=row.event_type or "",
            cooperation_reference=row.cooperation_reference or "",
            received_at=row.recorded_at,
            step=reported.event_recorded(row).data,
        )
        for row in await reported.waiting(session)
    ]
