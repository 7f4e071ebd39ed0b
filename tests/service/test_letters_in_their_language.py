"""Letters in their reader's language across the three services: complaints filed at intake in French, in
English and in none (intake's DEFAULT_LANGUAGE), walked through the case service to an admissibility decision,
a letter to the controller and a closing, and taken in by the notifier as its consumer would. Each complainant's
letters are in their own language, dates written as that language writes them; the controller's are in the
authority's (AUTHORITY_LANGUAGE), whichever complaint they come from."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from uuid import UUID, uuid4

import pytest

from docket_contracts.events import CaseOpened
from docket_devstack.staff import INTAKE_OFFICER, INVESTIGATOR, Tokens
from services.case import handlers as case_handlers
from services.case.config import CaseSettings
from services.case.main import create_app as case_app
from services.intake.config import IntakeSettings
from services.intake.main import create_app as intake_app
from services.notifier.config import NotifierSettings
from services.notifier.main import create_app as notifier_app
from tests.apps import Running, serve
from tests.factories import submission
from tests.service.test_art78_agreement import CASE_QUIET, QUIET, consume, notifier_takes, ours, published
from tests.service.test_case_service import FixedClock

pytestmark = pytest.mark.service

# What each letter says, in each language: its subject, and a sentence of its body with the day it names
# (the complaints received on 14 September, decided on 22 November, the controller's answer due 22 December).
SAYS = {
    "docket.complaint.filed": {
        "fr": ("Votre plainte a bien été reçue", "nous l'avons reçue le 14 septembre 2026"),
        "en": ("Your complaint was received", "we received it on 14 September 2026"),
    },
    "docket.case.opened": {
        "fr": ("Un dossier a été ouvert", "Nous vous écrirons"),
        "en": ("A case was opened", "We will write to you again"),
    },
    "docket.complaint.linked": {
        "fr": ("Votre plainte a été jointe à un dossier en cours", "Nous vous écrirons"),
        "en": ("Your complaint joined an open case", "We will write to you again"),
    },
    "docket.case.complaint_admissibility_decided": {
        "fr": ("Votre plainte est recevable", "déclarée recevable le 22 novembre 2026"),
        "en": ("Your complaint is admissible", "found it admissible on 22 November 2026"),
    },
    "docket.case.complaint_controller_asked": {
        "fr": ("Nous avons écrit au responsable du traitement", "au plus tard le 22 décembre 2026"),
        "en": ("We wrote to the controller", "tell us by 22 December 2026"),
    },
    "docket.case.complaint_closed": {
        "fr": ("Votre plainte a été clôturée", "nous avons décidé de ne pas y donner suite"),
        "en": ("Your complaint was closed", "we decided not to pursue it"),
    },
    "docket.case.controller_asked_to_act": {
        "fr": ("Plaintes relatives à vos traitements", "personnel, une plainte.", "au plus tard le 22 décembre 2026"),
        "en": ("Complaints about your processing: please act by 22 December 2026", "received a complaint"),
    },
}
INADMISSIBLE = {
    "fr": ("Votre plainte n'est pas recevable", "ne porte pas sur des données à caractère personnel"),
    "en": ("Your complaint is not admissible", "it is not about personal data relating to you"),
}
REMEDY = {"fr": "recours juridictionnel effectif", "en": "effective judicial remedy"}
FAREWELL = {"fr": "Nous vous prions d'agréer, Madame, Monsieur,", "en": "Yours faithfully,"}
OTHER = {"fr": "en", "en": "fr"}


def greeting(language: str, name: str) -> str:
    return "Madame, Monsieur," if language == "fr" else f"Dear {name},"


def assert_written_in(letter: dict, language: str, says: tuple[str, ...]) -> None:
    """`letter` is in `language` from its first line to its last, and says none of the other language's words."""
    whole = "\n".join((letter["subject"], letter["text"], letter["html"]))
    assert letter["text"].splitlines()[0] == greeting(language, letter["recipient_name"]), letter["text"]
    assert FAREWELL[language] in letter["text"] and f'<html lang="{language}">' in letter["html"]
    assert [phrase for phrase in says if phrase not in whole] == [], letter["text"]
    assert FAREWELL[OTHER[language]] not in whole


@pytest.fixture
async def services(configure, closed_port_bootstrap: str, authority: str) -> AsyncIterator[tuple[Running, ...]]:
    common = dict(kafka_bootstrap_servers=closed_port_bootstrap, **QUIET)
    notifier_settings = configure(
        NotifierSettings, run_deliveries=False, migrate_on_start=False, authority_language=authority, **common
    )
    async with (
        serve(intake_app(configure(IntakeSettings, default_language="fr", **common))) as intake,
        serve(case_app(configure(CaseSettings, **CASE_QUIET, **common), clock=FixedClock(date(2026, 11, 22)))) as case,
        serve(notifier_app(notifier_settings)) as notifier,
    ):
        yield intake, case, notifier


@pytest.mark.parametrize("authority", ["en", "fr"])
async def test_each_complainant_is_written_to_in_their_language_and_the_controller_in_the_authoritys(
    services, tokens: Tokens, authority: str
):
    intake, case, notifier = services
    controller = f"Langues {uuid4().hex[:8]}"

    async def filed(**language: str) -> UUID:
        response = await intake.http.post(
            "/paper-complaints",
            headers=tokens(INTAKE_OFFICER),
            json=submission(received_on="2026-09-14", controller={"name": controller, "country": "US"}, **language),
        )
        assert response.status_code == 201, response.text
        return UUID(response.json()["id"])

    french, english, unsaid = await filed(language="fr"), await filed(language="en"), await filed()
    complaints = {french, english, unsaid}
    filings = ours(await published(intake), complaints)
    assert {p.complaint_id: p.language for _, p in filings} == {french: "fr", english: "en", unsaid: "fr"}
    await consume(case, case_handlers.EVENT_HANDLERS, filings)
    await notifier_takes(notifier, filings)
    taken_in = ours(await published(case), complaints)  # the case opened from one, the others joined
    [case_id] = [p.case_id for _, p in taken_in if isinstance(p, CaseOpened)]
    await notifier_takes(notifier, taken_in)

    async def post(path: str, body: dict, who: str = INTAKE_OFFICER) -> None:
        response = await case.http.post(path, json=body, headers=tokens(who))
        assert response.status_code == 200, response.text

    for complaint in (french, english):
        await post(f"/complaints/{complaint}/admissibility", {"decision": "admissible"})
        await post(f"/complaints/{complaint}/controller-letters", {"request": "Answer the access request."})
        await post(
            f"/complaints/{complaint}/closure",
            {"reason": "not_pursued", "reasons": "The controller gave access."},
            INVESTIGATOR,
        )
    await post(
        f"/complaints/{unsaid}/admissibility",
        {"decision": "inadmissible", "reason": "not_personal_data", "reasons": "A parcel delivered late."},
    )
    await notifier_takes(notifier, ours(await published(case), complaints, case_id))

    async def letters(**about: UUID) -> list[dict]:
        response = await notifier.http.get(
            "/notifications", params={k: str(v) for k, v in about.items()}, headers=tokens(INVESTIGATOR)
        )
        assert response.status_code == 200, response.text
        return response.json()

    for complaint, language in ((french, "fr"), (english, "en")):
        written = {letter["source_event_type"]: letter for letter in await letters(complaint_id=complaint)}
        assert set(written) - {"docket.case.opened", "docket.complaint.linked"} == {
            "docket.complaint.filed",
            "docket.case.complaint_admissibility_decided",
            "docket.case.complaint_controller_asked",
            "docket.case.complaint_closed",
        }
        for kind, letter in written.items():
            assert_written_in(letter, language, SAYS[kind][language])
            assert not any(phrase in letter["text"] for phrase in SAYS[kind][OTHER[language]])
        assert REMEDY[language] in written["docket.case.complaint_closed"]["text"]

    refused = [
        letter
        for letter in await letters(complaint_id=unsaid)
        if letter["source_event_type"] == "docket.case.complaint_admissibility_decided"
    ]
    assert len(refused) == 1
    assert_written_in(refused[0], "fr", (*INADMISSIBLE["fr"], REMEDY["fr"]))  # intake's DEFAULT_LANGUAGE

    to_controller = [letter for letter in await letters(case_id=case_id) if letter["recipient_role"] == "controller"]
    assert [letter["source_event_type"] for letter in to_controller] == ["docket.case.controller_asked_to_act"] * 2
    for letter in to_controller:  # one asked for the French complaint, one for the English: both the authority's
        assert_written_in(letter, authority, SAYS["docket.case.controller_asked_to_act"][authority])
