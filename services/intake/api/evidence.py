"""Evidence: the complainant attaches a file at the public door; staff list and download them."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated
from urllib.parse import unquote

from fastapi import Header, Query, Request, Response, status
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field

from docket_contracts.errors import Invalid
from docket_privacy.personal import ERASED
from docket_service.http import download_headers

from .. import domain
from ..application import evidence as application
from ..config import IntakeSettings
from ..deps import PersonalDep, SessionDep, SettingsDep, SubmissionReader, UploadsDep, public_door, staff_door
from .door import Reference, StatusToken

public = public_door()
staff = staff_door()


class EvidenceOut(BaseModel):
    id: uuid.UUID
    filename: str = Field(description=f"{ERASED!r} once the complainant's personal data was erased")
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime


EVIDENCE_PATH = "/complaints/{reference}/evidence"
FilenameHeader = Annotated[
    str | None,
    Header(
        alias="X-Filename",
        min_length=1,
        max_length=900,
        description="the file's name, percent-encoded (UTF-8) where it is not plain ASCII",
    ),
]
FilenameQuery = Annotated[
    str | None,
    Query(
        alias="filename",
        min_length=1,
        max_length=300,
        deprecated=True,
        description="the file's name, for clients written before X-Filename; a query string ends up in access logs",
    ),
]


# The body is the file itself, read by the route (not a model), so the document says so: of one of the accepted
# types (EVIDENCE_TYPES; these by default), up to EVIDENCE_MAX_BYTES.
EVIDENCE_TYPES = sorted(IntakeSettings.model_fields["evidence_types"].default)
EVIDENCE_BODY = {
    "requestBody": {
        "required": True,
        "description": "the file, up to EVIDENCE_MAX_BYTES (10 MiB by default)",
        "content": {media: {"schema": {"type": "string", "format": "binary"}} for media in EVIDENCE_TYPES},
    }
}


@public.post(
    EVIDENCE_PATH,
    status_code=status.HTTP_201_CREATED,
    response_model=EvidenceOut,
    openapi_extra=EVIDENCE_BODY,
    summary="Attach a file: the raw bytes as the body, its type as Content-Type (X-Status-Token required)",
    description="The file's name goes in the `X-Filename` header, percent-encoded (UTF-8) where it is "
    "not plain ASCII. It is stored sealed, like the file, as a display name: without its path, "
    "other characters than letters, digits, spaces, dots, dashes and underscores replaced by "
    "`_`. The `filename` query parameter is still accepted but deprecated: a file's name is "
    "often the complainant's own, and URLs end up in access logs and proxies. Given both, the "
    "header is used.",
)
async def upload_evidence(
    reference: Reference,
    request: Request,
    session: SessionDep,
    personal: PersonalDep,
    settings: SettingsDep,
    uploads: UploadsDep,
    header_name: FilenameHeader = None,
    query_name: FilenameQuery = None,
    token: StatusToken = None,
    content_type: Annotated[str, Header(alias="Content-Type")] = "",
) -> EvidenceOut:
    given = unquote(header_name) if header_name is not None else query_name
    if given is None:
        raise RequestValidationError([{"loc": ("header", "X-Filename"), "msg": "Field required", "type": "missing"}])
    upload = application.Upload(
        reference=reference,
        token=token,
        name=domain.safe_filename(given),
        content_type=content_type.split(";")[0].strip().lower(),
        declared_size=int(declared) if (declared := request.headers.get("content-length", "")).isdigit() else None,
    )
    # The token, the type, the declared size and the complaint's quota are checked before the body is read.
    complaint_id = await application.admit_evidence(session, settings, upload)
    async with uploads.slot():
        content = await read_at_most(request.stream(), settings.evidence_max_bytes)
        file = application.EvidenceFile(name=upload.name, content_type=upload.content_type, content=content)
        added = await application.add_evidence(session, personal, settings, complaint_id, file)
    return EvidenceOut.model_validate(added, from_attributes=True)


async def read_at_most(stream: AsyncIterator[bytes], limit: int) -> bytes:
    """The body as it streams in, refused (422) at the chunk that takes it past `limit`: the rest is never read,
    so an upload holds at most the limit and one chunk, whatever its Content-Length said."""
    chunks, size = [], 0
    async for chunk in stream:
        size += len(chunk)
        if size > limit:
            raise Invalid("file", f"is larger than {limit:,} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


@staff.get("/complaints/{complaint_id}/evidence", response_model=list[EvidenceOut])
async def list_evidence(
    complaint_id: uuid.UUID, session: SessionDep, caller: SubmissionReader, personal: PersonalDep
) -> list[EvidenceOut]:
    files = await application.evidence(session, personal, complaint_id)
    return [EvidenceOut.model_validate(file, from_attributes=True) for file in files]


@staff.get(
    "/complaints/{complaint_id}/evidence/{evidence_id}",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
async def download_evidence(
    complaint_id: uuid.UUID,
    evidence_id: uuid.UUID,
    session: SessionDep,
    caller: SubmissionReader,
    personal: PersonalDep,
) -> Response:
    file = await application.download_evidence(session, personal, complaint_id, evidence_id)
    return Response(
        file.content,
        media_type=file.content_type,
        headers=download_headers(file.filename) | {"X-Content-SHA256": file.sha256},
    )
