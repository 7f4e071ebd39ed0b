"""The complainant's door: the status page of their complaint, the proof of their e-mail address, and its
withdrawal (X-Status-Token required)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Header, Path
from pydantic import BaseModel, ConfigDict, Field

from docket_contracts.events import ComplaintKind
from docket_service.limits import text

from .. import domain
from ..application import door as application
from ..deps import ClockDep, SessionDep, public_door

public = public_door()

StatusToken = Annotated[
    str | None, Header(alias="X-Status-Token", max_length=200, description="the secret token of the receipt")
]
REFERENCE_PATTERN = r"^DKT-[0-9]{4}-[0-9A-Z]{6}$"
STATUS_PATH = "/complaints/{reference}/status"
Reference = Annotated[str, Path(pattern=REFERENCE_PATTERN, description="the receipt's reference, e.g. DKT-2020-7K3Q9Z")]


class ProgressLine(BaseModel):
    on: date | None
    text: str


class StatusOut(BaseModel):
    reference: str
    kind: ComplaintKind
    controller_name: str
    received_on: date
    status: str
    progress: list[ProgressLine]
    address_proven: bool = Field(
        description="whether the e-mail address the filing gave is proven: until it is, nothing but the code that "
        "proves it is sent there (POST .../address-proof)"
    )


class AddressProofIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: text(20, "the code the e-mail to the address carried, e.g. 7K3Q-9ZXM (case, spaces and dashes do not matter)")


@public.get(
    STATUS_PATH,
    response_model=StatusOut,
    name="complaint_status",
    summary="The complainant's view of their complaint (X-Status-Token required)",
)
async def complaint_status(reference: Reference, session: SessionDep, token: StatusToken = None) -> StatusOut:
    found = await application.complaint_status(session, reference, token)
    return StatusOut.model_validate(found, from_attributes=True)


@public.post(
    "/complaints/{reference}/address-proof",
    response_model=StatusOut,
    summary="The complainant proves their e-mail address with the code sent to it (X-Status-Token required)",
    description="A filing at the public door gives an address anyone could have typed, so the one e-mail sent "
    "there is a code, and no other letter goes there until it is entered here. A wrong code is 422 and counts: "
    f"after {domain.ADDRESS_CODE_TRIES} the code is spent (409), and letters about the complaint are not "
    "e-mailed. Proving it again is answered as the first time.",
    responses={409: {"description": "the code was entered wrong too many times"}},
)
async def prove_address(
    reference: Reference, body: AddressProofIn, session: SessionDep, clock: ClockDep, token: StatusToken = None
) -> StatusOut:
    await application.prove_address(session, reference, token, body.code, clock)
    return await complaint_status(reference, session, token)


@public.post(
    "/complaints/{reference}/withdrawal",
    response_model=StatusOut,
    summary="The complainant withdraws the complaint (X-Status-Token required)",
)
async def withdraw_complaint(
    reference: Reference, session: SessionDep, clock: ClockDep, token: StatusToken = None
) -> StatusOut:
    await application.withdraw(session, reference, token, clock)
    return await complaint_status(reference, session, token)
