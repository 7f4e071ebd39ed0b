"""`make run ARGS=--network` without starting anything (docket_devstack.network, clearview_network, one_stop_shop):
each other authority's realm is Docket's under its own name with its own staff, the settings each case service gets
make a cooperation exchange the case service accepts, each directory naming the other authorities over HTTPS, and
the stories' steps keep the law's time limits."""

from __future__ import annotations

import json
import ssl
from datetime import date, timedelta

import pytest

from docket_devstack import clearview_network, network, one_stop_shop
from docket_devstack.keycloak import CLIENT_SECRET_PLACEHOLDER, REALM_DIR, client_secret_variables
from docket_devstack.staff import ROLES
from docket_exchange.directory import Directory
from services.case.config import CaseSettings
from services.case.exchange import cooperation_of
from services.intake.domain import controller_key

CNIL_PORTS = (18001, 18002, 18003)
ENVIRON = {"DOCKET_GARANTE_HTTP_PORTS": "18011,18012,18013", "DOCKET_DPC_HTTP_PORTS": "18021,18022,18023"}
CASE_PORTS = {network.CNIL: 18002, network.GARANTE: 18012, network.DPC: 18022}


def case_settings(env: dict[str, str]) -> CaseSettings:
    return CaseSettings(
        database_url="postgresql+asyncpg://docket_case@127.0.0.1:1/docket",
        oidc_issuer="http://127.0.0.1:1/realms/docket",
        **{name.lower(): value for name, value in env.items()},
    )


def test_each_case_service_gets_its_authority_its_key_its_certificate_and_a_directory_naming_the_others(tmp_path):
    peers = network.plan(tmp_path, CNIL_PORTS, ENVIRON)
    assert [i.authority for i in peers.installations] == [network.CNIL, network.GARANTE, network.DPC]
    assert {i.authority: i.case_url for i in peers.installations} == {
        authority: f"https://127.0.0.1:{port}" for authority, port in CASE_PORTS.items()
    }
    assert [i.data_dir for i in peers.others] == [tmp_path / "garante", tmp_path / "dpc"]
    for own in CASE_PORTS:
        settings = case_settings(peers.case_settings[own])
        assert settings.authority_id == own
        cooperation = cooperation_of(settings)  # the directory read, the key taken: what the service starts with
        assert cooperation is not None
        listed = {peer.id: peer for peer in Directory.load(settings.cooperation_directory or "")}
        assert set(listed) == set(CASE_PORTS) - {own}
        for other, peer in listed.items():
            assert peer.name == network.NAMES[other]
            assert peer.inbox_url == f"https://127.0.0.1:{CASE_PORTS[other]}/cooperation/messages"
            assert peer.jwks_url.endswith("/.well-known/jwks.json")
        context = ssl.create_default_context(cafile=settings.cooperation_ca_file)
        context.load_cert_chain(settings.http_tls_certfile or "", settings.http_tls_keyfile or "")
    keys = {peers.case_settings[authority]["COOPERATION_SIGNING_KEY"] for authority in CASE_PORTS}
    assert len(keys) == len(CASE_PORTS)
    assert case_settings(peers.case_settings[network.GARANTE]).restricted_committee_quorum == network.GARANTE_QUORUM


def test_the_keys_are_kept_for_the_next_run_and_the_certificate_authority_is_new(tmp_path):
    first, second = network.plan(tmp_path, CNIL_PORTS, ENVIRON), network.plan(tmp_path, CNIL_PORTS, ENVIRON)
    for authority in CASE_PORTS:
        key = "COOPERATION_SIGNING_KEY"
        assert first.case_settings[authority][key] == second.case_settings[authority][key]
    assert (tmp_path / "garante" / "cooperation-signing.key").stat().st_mode & 0o077 == 0


@pytest.mark.parametrize(
    ("realm", "people"),
    [(network.GARANTE_REALM, clearview_network.GARANTE_STAFF), (network.DPC_REALM, one_stop_shop.DPC_STAFF)],
)
def test_another_authority_s_realm_is_docket_s_under_its_name_with_secrets_and_staff_of_its_own(
    tmp_path, realm, people
):
    directory = network.realm_files(realm, tmp_path)
    docket = json.loads((REALM_DIR / "docket-realm.json").read_text())
    theirs = json.loads((directory / f"{realm}-realm.json").read_text())
    assert theirs["realm"] == realm
    assert [c["clientId"] for c in theirs["clients"]] == [c["clientId"] for c in docket["clients"]]
    assert theirs["roles"] == docket["roles"]
    placeholders = client_secret_variables([directory])
    assert placeholders and all(name.startswith(f"{realm.upper()}_DOCKET_") for name in placeholders)
    assert not placeholders & client_secret_variables([REALM_DIR])
    assert all(CLIENT_SECRET_PLACEHOLDER.fullmatch(f"${{{name}}}") for name in placeholders)
    staff = json.loads((directory / f"{realm}-users-0.json").read_text())
    assert staff["realm"] == realm
    roles = {role["name"] for role in docket["roles"]["realm"]}
    users = {user["username"]: set(user["realmRoles"]) - {f"default-roles-{realm}"} for user in staff["users"]}
    assert set(people.values()) <= set(users)
    assert all(len(held) == 1 and held <= roles for held in users.values())
    # each plays the part of the CNIL's demo user of the same role
    assert all(users[user] == {ROLES[cnil_user].replace(" ", "_")} for cnil_user, user in people.items())


def test_the_network_story_takes_each_step_at_the_authority_that_takes_it():
    by_authority = {move.authority for move in clearview_network.MOVES}
    assert by_authority == {network.CNIL, network.GARANTE}
    assert clearview_network.REQUEST["requested"] == network.GARANTE
    assert clearview_network.ORDINANZA["decided_on"] == "2022-02-10"
    assert clearview_network.ORDINANZA["fine_eur"] == 20_000_000
    assert len(clearview_network.ORDINANZA["members"]) >= network.GARANTE_QUORUM


def test_the_one_stop_shop_is_dated_back_from_today_within_each_time_limit():
    today = date(2026, 12, 7)
    days = one_stop_shop.Days(today)
    steps = one_stop_shop.steps(days)
    assert max(days[name] for name in one_stop_shop.DAYS) == today
    # within six weeks of receipt, the transmission (2025/2518 art 4, as reported)
    assert days["transmitted"] <= days["received"] + timedelta(weeks=6)
    # within four weeks of the draft, the objection (Art 60(4)); within two of the revised draft, the agreement
    assert days["objection"] <= days["draft"] + timedelta(weeks=4)
    assert days["agreed"] <= days["revised"] + timedelta(weeks=2)
    # and every time to object still runs today, so no timer finds a silence while the story plays
    assert days["draft"] + timedelta(weeks=4) > today and days["revised"] + timedelta(weeks=2) > today
    ordered = [days[name] for name in ("dpc_complaint", "received", "transmitted", "dpc_frame", "confirmed")]
    assert ordered == sorted(ordered)
    assert steps["revised"]["draft"] == 2 and steps["agreed"]["draft"] == 2
    assert {move.authority for move in one_stop_shop.moves(today)} == {network.CNIL, network.DPC}
    assert controller_key("Lumen Social Ltd") == one_stop_shop.CONTROLLER_KEY
