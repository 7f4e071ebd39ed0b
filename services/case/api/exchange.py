"""The inbox of cooperation messages from other authorities' installations: a signed JWT in the body, no
staff token (the message is authenticated by its signature, against the keys its sender publishes). Accepted,
it is recorded and handed to the handler of its type; refused, the refusal is recorded and answered with its
reason: 401 (not believed: unknown authority, unknown key, bad signature, another audience, expired), 409
(already received: a sender that retried after a lost answer takes it as delivered), 422 (malformed, naming
the field). docket_exchange.messages says what a message is. A step of a procedure is then applied to the case
that holds it, or refused by the case's rules (exchange/reported.py): 403 not_its_act, 409 rejected or
unknown_procedure, 422 invalid or not_reportable."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from docket_exchange.messages import Refused
from docket_exchange.transport import MEDIA_TYPE
from docket_service.http import RuntimeDep

from ..deps import CooperationDep, DirectoryDep
from ..exchange import inbox

router = APIRouter(tags=["cooperation"])


class Received(BaseModel):
    received: str = Field(description="the message's CloudEvent id (its jti)")
    sender: str = Field(description="the authority that sent it")


class Problem(BaseModel):
    loc: list[str] = Field(description="where: body, then the claim of the token (event, type)")
    msg: str
    type: str


class Refusal(BaseModel):
    reason: str = Field(
        description="unknown_authority, keys_unavailable, unknown_key, bad_signature, wrong_audience, expired, "
        "not_yet_valid (401); not_its_act (403); already_received, rejected, unknown_procedure (409); malformed, "
        "invalid, not_reportable (422)"
    )
    detail: str | list[Problem] = Field(description="why; for a malformed message, the field and what is wrong")


@router.post(
    "/cooperation/messages",
    response_model=Received,
    summary="Receive a cooperation message from another authority (a signed JWT; no staff token)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {MEDIA_TYPE: {"schema": {"type": "string", "description": "the compact JWS"}}},
        }
    },
    responses={
        401: {"model": Refusal, "description": "not believed: the sender, its key or the signature"},
        403: {"model": Refusal, "description": "the step reported is not the sender's act"},
        409: {
            "model": Refusal,
            "description": "already received; or the step's rule refuses it as the case stands, or no case holds "
            "its procedure",
        },
        422: {"model": Refusal, "description": "malformed; or a rule refuses one of the step's fields"},
        404: {"description": "this installation exchanges no cooperation messages"},
        503: {"description": "its case kept changing while the step was applied: send it again (Retry-After)"},
    },
)
async def receive_message(
    request: Request, runtime: RuntimeDep, cooperation: CooperationDep, directory: DirectoryDep
) -> dict[str, str]:
    token = (await request.body()).decode("utf-8", errors="replace").strip()
    message = await inbox.receive(runtime.sessions, cooperation.exchange, directory, token)
    return {"received": message.event.id, "sender": message.sender.id}


def install_cooperation_errors(app: FastAPI) -> None:
    async def refused(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, Refused)
        return JSONResponse(exc.answer(), status_code=exc.status)

    app.add_exception_handler(Refused, refused)

    async def busy(_: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"reason": "busy", "detail": str(exc)}, status_code=503, headers={"Retry-After": "1"})

    app.add_exception_handler(inbox.Busy, busy)
