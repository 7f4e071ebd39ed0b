"""The directory of authorities this one exchanges cooperation messages with: who each is, where its inbox is,
and where it publishes the keys its messages are signed with. A message from an authority not in it is refused.

The directory is a JSON file (the setting COOPERATION_DIRECTORY names it):

    {"authorities": [
        {"id": "IT-GPDP", "name": "Garante per la protezione dei dati personali", "member_state": "IT",
         "inbox_url": "https://docket.garanteprivacy.example/cooperation/messages",
         "jwks_url": "https://docket.garanteprivacy.example/.well-known/jwks.json"}
    ]}
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

# An authority's id: its Member State's code, a dash, its own short name (FR-CNIL, IT-GPDP, DE-BFDI).
AUTHORITY_ID = r"^[A-Z]{2}-[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$"


class Authority(BaseModel):
    """One authority of the directory."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=AUTHORITY_ID, description="its id, the `iss` and `aud` of the messages: FR-CNIL")
    name: str = Field(min_length=1, max_length=300)
    member_state: str = Field(pattern=r"^[A-Z]{2}$", description="its Member State, as the EU codes it (EL for Greece)")
    inbox_url: str = Field(description="where messages to it are POSTed (https)")
    jwks_url: str = Field(description="where it publishes its public keys (https)")

    @field_validator("inbox_url", "jwks_url")
    @classmethod
    def _https(cls, url: str) -> str:
        if not url.startswith("https://"):
            raise ValueError("an authority is reached over https only")
        return url


class DirectoryError(ValueError):
    """The directory file cannot be read, or says something that is not a directory."""


class Directory:
    """The authorities by id."""

    def __init__(self, authorities: Iterable[Authority] = ()) -> None:
        self._by_id: dict[str, Authority] = {}
        for authority in authorities:
            if authority.id in self._by_id:
                raise DirectoryError(f"authority {authority.id} is in the directory twice")
            self._by_id[authority.id] = authority

    def get(self, authority_id: str) -> Authority | None:
        return self._by_id.get(authority_id)

    def __contains__(self, authority_id: object) -> bool:
        return authority_id in self._by_id

    def __iter__(self) -> Iterator[Authority]:
        return iter(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)

    @classmethod
    def parse(cls, document: object) -> Directory:
        """The directory of a parsed JSON document, `{"authorities": [...]}`; DirectoryError naming what is wrong."""
        if not isinstance(document, dict) or not isinstance(document.get("authorities"), list):
            raise DirectoryError('the directory is a JSON object with a list "authorities"')
        found = []
        for index, entry in enumerate(document["authorities"]):
            try:
                found.append(Authority.model_validate(entry))
            except ValidationError as exc:
                where = ", ".join(".".join(str(p) for p in e["loc"]) + f": {e['msg']}" for e in exc.errors())
                raise DirectoryError(f"authorities[{index}]: {where}") from None
        return cls(found)

    @classmethod
    def load(cls, path: str | Path) -> Directory:
        try:
            document = json.loads(Path(path).read_text())
        except (OSError, ValueError) as exc:
            raise DirectoryError(f"cannot read the directory {path}: {exc}") from None
        return cls.parse(document)
