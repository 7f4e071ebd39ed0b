"""`make run ARGS=--network` without starting anything (docket_devstack.network, clearview_network): the Garante's
realm is Docket's under its own name with its own staff, and the settings each case service gets make a cooperation
exchange the case service accepts, each directory naming the other authority over HTTPS."""

from __future__ import annotations

import json
import ssl

from docket_devstack import clearview_network, network
from docket_devstack.keycloak import CLIENT_SECRET_PLACEHOLDER, REALM_DIR, client_secret_variables
from docket_exchange.directory import Directory
from services.case.config import CaseSettings
from services.case.exchange import cooperation_of

CNIL_PORTS = (18001, 18002, 18003)
ENVIRON = {"DOCKET_GARANTE_HTTP_PORTS": "18011,18012,18013"}


def case_settings(env: dict[str, str]) -> CaseSettings:
    return CaseSettings(
        database_url="postgresql+asyncpg://docket_case@127.0.0.1:1/docket",
        oidc_issuer="http://127.0.0.1:1/realms/docket",
        **{name.lower(): value for name, value in env.items()},
    )


def test_each_case_service_gets_its_authority_its_key_its_certificate_and_a_directory_naming_the_other(tmp_path):
    peers = network.plan(tmp_path, CNIL_PORTS, ENVIRON)
    assert (peers.cnil.case_url, peers.garante.case_url) == ("https://127.0.0.1:18002", "https://127.0.0.1:18012")
    for own, other in ((network.CNIL, network.GARANTE), (network.GARANTE, network.CNIL)):
        settings = case_settings(peers.case_settings[own])
        assert settings.authority_id == own
        cooperation = cooperation_of(settings)  # the directory read, the key taken: what the service starts with
        assert cooperation is not None
        [peer] = list(Directory.load(settings.cooperation_directory or ""))
        assert peer.id == other and peer.name == network.NAMES[other]
        assert peer.inbox_url == f"https://127.0.0.1:{18002 if other == network.CNIL else 18012}/cooperation/messages"
        assert peer.jwks_url.endswith("/.well-known/jwks.json")
        context = ssl.create_default_context(cafile=settings.cooperation_ca_file)
        context.load_cert_chain(settings.http_tls_certfile or "", settings.http_tls_keyfile or "")
    cnil_key = peers.case_settings[network.CNIL]["COOPERATION_SIGNING_KEY"]
    assert cnil_key != peers.case_settings[network.GARANTE]["COOPERATION_SIGNING_KEY"]
    assert case_settings(peers.case_settings[network.GARANTE]).restricted_committee_quorum == network.GARANTE_QUORUM


def test_the_keys_are_kept_for_the_next_run_and_the_certificate_authority_is_new(tmp_path):
    first, second = network.plan(tmp_path, CNIL_PORTS, ENVIRON), network.plan(tmp_path, CNIL_PORTS, ENVIRON)
    for authority in (network.CNIL, network.GARANTE):
        key = "COOPERATION_SIGNING_KEY"
        assert first.case_settings[authority][key] == second.case_settings[authority][key]
    assert (tmp_path / "garante" / "cooperation-signing.key").stat().st_mode & 0o077 == 0


def test_the_garante_s_realm_is_docket_s_under_its_name_with_secrets_and_staff_of_its_own(tmp_path):
    directory = network.garante_realm(tmp_path)
    docket = json.loads((REALM_DIR / "docket-realm.json").read_text())
    garante = json.loads((directory / "garante-realm.json").read_text())
    assert garante["realm"] == "garante"
    assert [c["clientId"] for c in garante["clients"]] == [c["clientId"] for c in docket["clients"]]
    assert garante["roles"] == docket["roles"]
    placeholders = client_secret_variables([directory])
    assert placeholders and all(name.startswith("GARANTE_DOCKET_") for name in placeholders)
    assert not placeholders & client_secret_variables([REALM_DIR])
    assert all(CLIENT_SECRET_PLACEHOLDER.fullmatch(f"${{{name}}}") for name in placeholders)
    staff = json.loads((directory / "garante-users-0.json").read_text())
    assert staff["realm"] == "garante"
    roles = {role["name"] for role in docket["roles"]["realm"]}
    users = {user["username"]: set(user["realmRoles"]) - {"default-roles-garante"} for user in staff["users"]}
    assert set(clearview_network.GARANTE_STAFF.values()) <= set(users)
    assert all(len(held) == 1 and held <= roles for held in users.values())


def test_the_network_story_takes_each_step_at_the_authority_that_takes_it():
    by_authority = {move.authority for move in clearview_network.MOVES}
    assert by_authority == {network.CNIL, network.GARANTE}
    assert clearview_network.REQUEST["requested"] == network.GARANTE
    assert clearview_network.ORDINANZA["decided_on"] == "2022-02-10"
    assert clearview_network.ORDINANZA["fine_eur"] == 20_000_000
    assert len(clearview_network.ORDINANZA["members"]) >= network.GARANTE_QUORUM
