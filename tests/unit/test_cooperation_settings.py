"""The case service is one authority, AUTHORITY_ID, in the directory of authorities (AUTHORITIES) and in the
exchange's: the cooperation directory holds the addresses of authorities AUTHORITIES names, each in its Member
State, or the service does not start."""

import json
from pathlib import Path

import pytest

from docket_contracts.checkpoints import new_signing_key
from services.case.config import CaseSettings, CooperationMisconfigured
from services.case.exchange import cooperation_of


def settings(tmp_path: Path, *entries: tuple[str, str], **overrides: object) -> CaseSettings:
    directory = tmp_path / "directory.json"
    directory.write_text(
        json.dumps(
            {
                "authorities": [
                    {
                        "id": authority,
                        "name": authority,
                        "member_state": state,
                        "inbox_url": f"https://{authority.lower()}.invalid/cooperation/messages",
                        "jwks_url": f"https://{authority.lower()}.invalid/.well-known/jwks.json",
                    }
                    for authority, state in entries
                ]
            }
        )
    )
    values: dict[str, object] = {
        "database_url": "postgresql+asyncpg://nobody@127.0.0.1:1/none",
        "oidc_issuer": "https://idp.invalid/realms/docket",
        "cooperation_directory": str(directory),
        "cooperation_signing_key": new_signing_key(),
    }
    return CaseSettings(**(values | overrides))  # type: ignore[arg-type]


def test_no_directory_no_exchange_and_the_authority_is_authority_id(tmp_path):
    assert cooperation_of(settings(tmp_path, cooperation_directory=None)) is None
    found = cooperation_of(settings(tmp_path, ("IE-DPC", "IE"), ("GR-HDPA", "EL"), authority_id="IT-GPDP"))
    assert found is not None
    assert found.exchange.own_id == "IT-GPDP"  # the sender of its messages, and their audience
    assert [a.id for a in found.directory] == ["IE-DPC", "GR-HDPA"]  # Greece is EL to the EU, GR to ISO


def test_a_directory_without_a_key_or_naming_an_unknown_authority_or_state_stops_the_service(tmp_path):
    with pytest.raises(CooperationMisconfigured, match="COOPERATION_SIGNING_KEY"):
        cooperation_of(settings(tmp_path, ("IE-DPC", "IE"), cooperation_signing_key=None))
    with pytest.raises(CooperationMisconfigured, match="XX-NOBODY, which is not in AUTHORITIES"):
        cooperation_of(settings(tmp_path, ("IE-DPC", "IE"), ("XX-NOBODY", "XX")))
    with pytest.raises(CooperationMisconfigured, match="puts IE-DPC in FR; AUTHORITIES, in IE"):
        cooperation_of(settings(tmp_path, ("IE-DPC", "FR")))
