"""The public keys the case service signs its checkpoints with, as a JWKS anyone may fetch: what a checkpoint on
docket.checkpoints is checked against (docket_contracts.checkpoints)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from docket_contracts.checkpoints import jwks
from docket_service.http import RuntimeDep

from ..config import CaseSettings

router = APIRouter(tags=["checkpoints"])


class Jwk(BaseModel):
    kty: Literal["OKP"]
    crv: Literal["Ed25519"]
    x: str = Field(description="the public key, base64url")
    kid: str = Field(description="its RFC 7638 thumbprint: the key_id a checkpoint names")
    alg: Literal["EdDSA"]
    use: Literal["sig"]


class Jwks(BaseModel):
    keys: list[Jwk] = Field(description="the signing key first, then the retired ones")


@router.get(
    "/.well-known/jwks.json",
    response_model=Jwks,
    summary="The keys the case service's checkpoints are signed with (JWKS, public)",
)
async def checkpoint_keys(runtime: RuntimeDep, response: Response) -> dict[str, object]:
    settings = runtime.settings
    assert isinstance(settings, CaseSettings)
    response.headers["Cache-Control"] = "public, max-age=300"
    return jwks(settings.checkpoint_keys())
