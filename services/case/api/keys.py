"""The public keys the case service signs with, as a JWKS anyone may fetch: its checkpoints' (what a checkpoint on
docket.checkpoints is checked against, docket_contracts.checkpoints) and, when it exchanges cooperation messages
with other authorities, theirs (`kid` prefixed `cooperation-`, docket_exchange.keys), which the other authorities
check its messages against."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from docket_contracts.checkpoints import jwks
from docket_service.http import RuntimeDep

from ..config import CaseSettings
from ..exchange import Cooperation

router = APIRouter(tags=["checkpoints"])


class Jwk(BaseModel):
    kty: Literal["OKP"]
    crv: Literal["Ed25519"]
    x: str = Field(description="the public key, base64url")
    kid: str = Field(
        description="its RFC 7638 thumbprint: the key_id a checkpoint names; `cooperation-` and the thumbprint for "
        "a key of cooperation messages"
    )
    alg: Literal["EdDSA"]
    use: Literal["sig"]


class Jwks(BaseModel):
    keys: list[Jwk] = Field(
        description="the checkpoints' signing key first, then its retired ones; then the cooperation messages' "
        "signing key and its retired ones"
    )


@router.get(
    "/.well-known/jwks.json",
    response_model=Jwks,
    summary="The keys the case service's checkpoints and cooperation messages are signed with (JWKS, public)",
)
async def public_keys(runtime: RuntimeDep, request: Request, response: Response) -> dict[str, object]:
    settings = runtime.settings
    assert isinstance(settings, CaseSettings)
    response.headers["Cache-Control"] = "public, max-age=300"
    keys = jwks(settings.checkpoint_keys())
    cooperation: Cooperation | None = request.app.state.cooperation
    return {"keys": keys["keys"] + (cooperation.jwks()["keys"] if cooperation else [])}
