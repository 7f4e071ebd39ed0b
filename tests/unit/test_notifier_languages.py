"""Letters in the complainant's language: every message of the letters is translated in every catalog (a
missing, empty or fuzzy translation fails here), and the French letters read as the authority writes them, with
French dates and amounts; the English ones are the domain's own (test_notifier_domain.py)."""

import re
from dataclasses import replace
from datetime import date
from pathlib import Path
from uuid import uuid4

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from docket_contracts.events import ComplaintAdmissibilityDecided, ComplaintClosed
from services.notifier.application.languages import BabelWords, Languages, catalog_path, translations
from services.notifier.domain import letters_for, reminder
from services.notifier.domain.letters import ENGLISH, Complainant
from tests.unit.test_notifier_domain import CASE, JEANNE, LODGED, NOTICE, REPRIMAND, SANCTION, handled

DOMAIN = Path("services/notifier/domain")
LANGUAGES = [language for language in Languages()._words if language != "en"]
# French writes "Madame, Monsieur," to everyone: the greeting alone may leave its name out.
NAME_LEFT_OUT = {"Dear {name},"}


def placeholders(text: str) -> set[str]:
    return set(re.findall(r"{(\w+)}", text))


def extracted() -> dict[str | tuple[str, str], int]:
    found = {}
    for _, line, message, _, _ in extract_from_dir(
        DOMAIN, method_map=[("**.py", "python")], keywords={"t": None, "tn": (1, 2)}
    ):
        found[message] = line
    return found


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_of_the_letters_is_translated_with_its_placeholders_and_nothing_is_left_over(language):
    with catalog_path(language).open("rb") as po:
        catalog = read_po(po, locale=language)
    messages = extracted()
    assert len(messages) > 200
    for message in messages:
        entry = catalog.get(message[0] if isinstance(message, tuple) else message)
        assert entry is not None, f"{language}: not in the catalog (make messages): {message!r}"
        assert not entry.fuzzy, f"{language}: fuzzy: {message!r}"
        forms = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        sources = set().union(*map(placeholders, message if isinstance(message, tuple) else (message,)))
        for form in forms:
            assert form, f"{language}: not translated: {message!r}"
            assert placeholders(form) <= sources, f"{language}: a placeholder the English lacks: {form!r}"
            if message not in NAME_LEFT_OUT and not isinstance(message, tuple):
                assert placeholders(form) == sources, f"{language}: a placeholder left out: {form!r}"
    obsolete = {entry.id if isinstance(entry.id, str) else tuple(entry.id) for entry in catalog if entry.id}
    obsolete -= set(messages)
    assert not obsolete, f"{language}: in the catalog but no longer in the letters (make messages): {obsolete}"


class Strict(BabelWords):
    """French words that fail on a message the catalog does not translate."""

    def gettext(self, message: str) -> str:
        translated = super().gettext(message)
        assert translated != message or message == "{subject} ({reference})", f"untranslated: {message!r}"
        return translated


FRENCH = Strict("fr", translations("fr"))
FRENCH_CASE = replace(
    CASE,
    words=FRENCH,
    complainants=tuple(replace(complainant, words=FRENCH) for complainant in CASE.complainants),
)


def test_the_french_formal_notice_dates_it_as_french_does():
    [letter] = letters_for(NOTICE, FRENCH_CASE)[:1]
    assert letter.language == "fr" and 'lang="fr"' in letter.html
    assert letter.text.startswith("Madame, Monsieur,\n")
    assert "Nous vous prions d'agréer, Madame, Monsieur, l'expression de nos salutations distinguées." in letter.text
    assert letter.paragraphs[0] == (
        f"Votre plainte {JEANNE.reference} : le 26 novembre 2021, nous avons mis en demeure Clearview AI de mettre son "
        "traitement en conformité au plus tard le 26 janvier 2022."
    )


def test_the_french_sanction_writes_its_amounts_and_remedy_as_the_authority_does():
    letters = letters_for(SANCTION, FRENCH_CASE)
    [to_controller] = [letter for letter in letters if letter.recipient_role == "controller"]
    assert "une amende administrative de 20\u202f000\u202f000\xa0€" in to_controller.text
    assert "dans un délai de deux mois à compter de sa notification" in to_controller.text
    assert "Ce recours n'est pas suspensif" in to_controller.text
    assert to_controller.subject == "Décision de sanction du 17 octobre 2022"


def test_every_kind_of_letter_is_written_in_french_without_a_word_left_in_english():
    events = [
        NOTICE,
        SANCTION,
        REPRIMAND,
        LODGED,
        handled(
            ComplaintAdmissibilityDecided,
            complaint_id=JEANNE.complaint_id,
            decision="inadmissible",
            reason="manifestly_unfounded_or_excessive",
            reasons="la même demande, pour la dixième fois ce mois-ci",
            decided_on=date(2020, 6, 15),
        ),
        handled(
            ComplaintClosed,
            complaint_id=JEANNE.complaint_id,
            reason="resolved",
            reasons="le responsable a donné accès aux données",
            closed_on=date(2020, 7, 25),
        ),
    ]
    lacking = handled(
        ComplaintAdmissibilityDecided,
        complaint_id=JEANNE.complaint_id,
        decision="inadmissible",
        reason="cross_border_content_missing",
        reasons="aucun registre ni numéro sous lequel l'association est constituée",
        missing_content=("constitution_proof",),
        decided_on=date(2027, 5, 10),
    )
    [lacking_letter] = letters_for(lacking, FRENCH_CASE)
    assert "l'article 4, paragraphe 2, impose à l'autorité" in lacking_letter.text
    assert "valablement constitué conformément au droit d'un État membre" in lacking_letter.text
    written = [letter for event in events for letter in letters_for(event, FRENCH_CASE)]
    assert {letter.recipient_role for letter in written} == {"complainant", "controller"}
    closed = written[-1]
    assert "vous pouvez saisir le Conseil d'État" in closed.text and "article 78, paragraphe 1, du RGPD" in closed.text


def test_a_complaint_in_english_and_one_in_french_each_get_their_own_language_and_the_controller_the_authority_s():
    english = replace(JEANNE, complaint_id=uuid4(), reference="DKT-2021-00EN01", words=ENGLISH)
    french: Complainant = replace(JEANNE, words=FRENCH)
    case = replace(CASE, complainants=(english, french), words=FRENCH)
    letters = {letter.complaint_id or letter.recipient_role: letter for letter in letters_for(SANCTION, case)}
    assert letters[english.complaint_id].language == "en"
    assert letters[english.complaint_id].text.startswith("Dear Jeanne Martin,")
    assert "including a fine of EUR 20,000,000" in letters[english.complaint_id].text
    assert letters[french.complaint_id].language == "fr"
    assert "dont une amende de 20\u202f000\u202f000\xa0€" in letters[french.complaint_id].text
    assert letters["controller"].language == "fr"


def test_staff_reminders_come_in_the_authority_s_language():
    letter = reminder(uuid4(), "DKT-2020-00A1B2", None, "Clearview AI", date(2020, 5, 25), None, FRENCH)
    assert letter.paragraphs[0] == (
        "le plaignant de la plainte DKT-2020-00A1B2 (concernant Clearview AI) a été informé de son avancement pour "
        "la dernière fois le 25 mai 2020."
    )


def test_an_unknown_language_is_the_authority_s():
    languages = Languages("fr")
    assert languages.words(None).language == "fr" and languages.words("de").language == "fr"
    assert languages.words("en") is ENGLISH
    with pytest.raises(ValueError, match="no catalog"):
        Languages("de")
