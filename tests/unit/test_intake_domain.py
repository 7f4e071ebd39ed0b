"""Intake's rules without I/O: controller identity, filing, receipts, evidence, rate limits."""

from dataclasses import replace
from datetime import date
from uuid import uuid4

import pytest

from docket_contracts.cooperation import EEA_STATES
from docket_contracts.events import Body, Controller, Party
from services.case.config import AUTHORITIES
from services.intake.domain import (
    FileComplaint,
    Invalid,
    check_evidence,
    controller_key,
    file_complaint,
    new_reference,
    new_status_token,
    presumed_cross_border,
    safe_filename,
    token_digest,
    token_matches,
)
from tests.factories import sealed

SUBJECT = uuid4()
JEANNE = Party(name=sealed(SUBJECT, "Jeanne Martin"), email=sealed(SUBJECT, "jeanne@example.org"), country="FR")


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Clearview AI", "clearview-ai"),
        ("  Clearview   AI ", "clearview-ai"),
        ("Clearview AI, Inc.", "clearview-ai"),
        ("clearview.ai", "clearview-ai"),
        ("https://www.clearview.ai/privacy", "clearview-ai"),
        ("Société Générale S.A.", "societe-generale"),
        ("acme.com", "acme"),
        ("Acme Ltd", "acme"),
        ("Inc", "inc"),  # a name that is only a legal form keeps it
    ],
)
def test_spellings_of_one_controller_resolve_to_one_key(name, key):
    assert controller_key(name) == key


def test_a_name_without_letters_or_digits_has_no_key():
    with pytest.raises(ValueError, match="no letters or digits"):
        controller_key("!!!")


def command(**changes) -> FileComplaint:
    fields = {
        "complaint_id": uuid4(),
        "reference": "DKT-2021-ABC123",
        "kind": "art80_1_mandated",
        "mandate_reference": "noyb mandate 2021-17",
        "constitution_proof": "ZVR 123456789",
        "complainant": JEANNE,
        "controller_name": " Clearview AI, Inc. ",
        "controller_country": "US",
        "controller_website": "clearview.ai",
        "category": "access_request_ignored",
        "articles_alleged": (17, 15, 17),
        "territory": ("FR", "AT", "FR"),
        "received_on": date(2021, 5, 27),
    }
    return FileComplaint(**(fields | changes))


def test_filing_produces_complaint_filed_with_the_resolved_controller_and_sorted_distinct_lists():
    event = file_complaint(command(), today=date(2021, 6, 1))
    assert event.kind == "art80_1_mandated" and event.mandate_reference == "noyb mandate 2021-17"
    assert event.controller == Controller(
        key="clearview-ai", name="Clearview AI, Inc.", country="US", website="clearview.ai"
    )
    assert event.articles_alleged == (15, 17) and event.territory == ("AT", "FR")
    assert event.complainant == JEANNE and event.received_on == date(2021, 5, 27)


def test_a_body_lodging_under_art_80_is_named_in_clear_and_written_to_in_its_language():
    event = file_complaint(
        command(body_name=" noyb - European Center for Digital Rights ", language="fr"), date(2021, 6, 1)
    )
    assert event.body == Body(
        key="noyb-european-center-for-digital-rights", name="noyb - European Center for Digital Rights"
    )
    assert event.language == "fr"
    own = file_complaint(
        command(kind="art77_complaint", mandate_reference=None, constitution_proof=None, body_name="Jeanne"),
        date(2021, 6, 1),
    )
    assert own.body is None and own.language == "en"  # a data subject's own complaint names no body


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"received_on": date(2021, 6, 2)}, "received_on", "2021-06-02 is after today (2021-06-01)"),
        ({"mandate_reference": None}, "mandate_reference", "must give its mandate"),
        ({"kind": "art77_complaint"}, "mandate_reference", "only a body mandated under Art 80(1)"),
        ({"kind": "alert", "mandate_reference": None}, "constitution_proof", "only a body lodging under GDPR Art 80"),
        ({"body_name": "!!!"}, "complainant.name", "needs a letter or digit"),
        ({"body_name": "word " * 60}, "complainant.name", "longer than 200"),
    ],
)
def test_filing_rules_name_the_field(changes, field, message):
    with pytest.raises(Invalid) as refused:
        file_complaint(command(**changes), today=date(2021, 6, 1))
    assert refused.value.field == field and message in refused.value.message


@pytest.mark.parametrize(
    ("received_on", "earliest", "refused"),
    [
        (date(2021, 5, 2), date(2021, 5, 2), None),
        (
            date(2021, 5, 1),
            date(2021, 5, 2),
            "2021-05-01 is before the earliest receipt date this door accepts (2021-05-02)",
        ),
        (date(1900, 1, 1), None, None),  # staff recording a paper complaint: no earliest day
        (date(2021, 6, 1), None, None),
    ],
)
def test_a_receipt_date_is_bounded_by_the_door_it_came_through(received_on, earliest, refused):
    if refused is None:
        assert file_complaint(command(received_on=received_on), date(2021, 6, 1), earliest).received_on == received_on
        return
    with pytest.raises(Invalid) as error:
        file_complaint(command(received_on=received_on), date(2021, 6, 1), earliest)
    assert error.value.field == "received_on" and error.value.message.startswith(refused)


@pytest.mark.parametrize(
    ("controller_country", "own_state", "presumed"),
    [
        ("IE", "FR", True),  # established in another EEA State: cross-border processing presumed
        ("NO", "FR", True),  # the EEA's three count as the Union's 27
        ("FR", "FR", False),  # established here: a national complaint, until staff frame it otherwise
        ("US", "FR", False),  # none in the Union: no one-stop shop (GDPR Art 3(2), Art 56(1))
        (None, "FR", False),
        ("IE", None, False),  # an authority of no Member State given: nothing presumed
    ],
)
def test_a_complaint_against_a_controller_established_in_another_eea_state_is_presumed_cross_border(
    controller_country, own_state, presumed
):
    assert presumed_cross_border(controller_country, own_state) is presumed


@pytest.mark.parametrize("field", ["category", "articles_alleged", "territory"])
def test_a_presumed_cross_border_complaint_needs_only_what_regulation_2025_2518_lists(field):
    """Art 4(1) (as reported): who lodges it and how to reach them, a body's mandate, the controller, a
    description; "no information additional" may be required. A national complaint still needs the rest."""
    empty = {"category": None, "articles_alleged": (), "territory": ()}[field]
    bare = command(**{field: empty}, controller_name="Ireland Social Ltd", controller_country="IE")
    with pytest.raises(Invalid) as refused:
        file_complaint(bare, date(2021, 6, 1), own_state="IE")  # lodged with the controller's own authority
    assert refused.value.field == field and "Regulation 2025/2518 art 4(1)" in refused.value.message
    filed = file_complaint(bare, date(2021, 6, 1), own_state="FR")
    assert (filed.category, filed.articles_alleged, filed.territory) == (
        "other" if field == "category" else "access_request_ignored",
        () if field == "articles_alleged" else (15, 17),
        ("FR",) if field == "territory" else ("AT", "FR"),  # the complainant's own, where none is named
    )


def test_a_presumed_cross_border_complaint_of_a_mandated_body_still_names_its_mandate():
    """Regulation 2025/2518 art 4(1)(c), as reported: a body under Art 80(1) shows it acts on a mandate."""
    with pytest.raises(Invalid) as refused:
        file_complaint(command(mandate_reference=None, controller_country="IE"), date(2021, 6, 1), own_state="FR")
    assert refused.value.field == "mandate_reference"


@pytest.mark.parametrize("kind", ["art80_1_mandated", "art80_2_unmandated"])
def test_a_body_lodging_a_presumed_cross_border_complaint_proves_it_is_properly_constituted(kind):
    """Regulation 2025/2518 art 4(1)(b), as reported: "proof that that body ... has been properly constituted in
    accordance with the law of a Member State". Carried on the filing; a national complaint is not asked it."""
    mandate = "noyb mandate 2021-17" if kind == "art80_1_mandated" else None
    bare = command(kind=kind, mandate_reference=mandate, constitution_proof=None, controller_country="IE")
    with pytest.raises(Invalid) as refused:
        file_complaint(bare, date(2021, 6, 1), own_state="FR")
    assert refused.value.field == "constitution_proof"
    assert "Regulation 2025/2518 art 4(1)(b), as reported" in refused.value.message
    assert file_complaint(bare, date(2021, 6, 1), own_state="IE").constitution_proof is None  # national procedure
    proven = replace(bare, constitution_proof="Vereinsregister ZVR 123456789")
    filed = file_complaint(proven, date(2021, 6, 1), own_state="FR")
    assert filed.constitution_proof == "Vereinsregister ZVR 123456789"


@pytest.mark.parametrize("kind", ["art80_1_mandated", "art80_2_unmandated"])
def test_a_body_s_paper_complaint_without_its_proof_of_constitution_is_recorded_naming_what_is_missing(kind):
    """Regulation 2025/2518 art 4(2), as reported: a complaint lacking art 4(1)'s content is still received, and
    declared inadmissible within two weeks of it. The public door refuses it on the spot; staff record the letter."""
    mandate = "noyb mandate 2021-17" if kind == "art80_1_mandated" else None
    bare = command(kind=kind, mandate_reference=mandate, constitution_proof=None, controller_country="IE")
    filed = file_complaint(bare, date(2021, 6, 1), own_state="FR", from_paper=True)
    assert filed.missing_content == ("constitution_proof",) and filed.constitution_proof is None
    with pytest.raises(Invalid):
        file_complaint(bare, date(2021, 6, 1), own_state="FR")
    national = file_complaint(bare, date(2021, 6, 1), own_state="IE", from_paper=True)
    assert national.missing_content == ()  # national procedure: not asked of it
    proven = replace(bare, constitution_proof="Vereinsregister ZVR 123456789")
    assert file_complaint(proven, date(2021, 6, 1), own_state="FR", from_paper=True).missing_content == ()


def test_a_data_subject_s_paper_complaint_misses_nothing_a_body_proves():
    own = command(kind="art77_complaint", mandate_reference=None, constitution_proof=None, controller_country="IE")
    assert file_complaint(own, date(2021, 6, 1), own_state="FR", from_paper=True).missing_content == ()


def test_references_are_readable_and_tokens_are_stored_only_as_digests():
    assert new_reference(2020).startswith("DKT-2020-") and len(new_reference(2020)) == 15
    assert len({new_reference(2020) for _ in range(200)}) == 200
    token = new_status_token()
    assert len(token) >= 32 and token_digest(token) != token
    assert token_matches(token, token_digest(token))
    assert not token_matches(token + "x", token_digest(token)) and not token_matches(None, token_digest(token))


ALLOWED = frozenset({"application/pdf", "image/png", "image/jpeg", "text/plain"})


@pytest.mark.parametrize(
    ("content_type", "content", "message"),
    [
        ("application/x-msdownload", b"MZ\x90\x00", "type application/x-msdownload is not accepted"),
        ("application/pdf", b"", "is empty"),
        ("application/pdf", b"%PDF-" + b"x" * 100, "is larger than 50 bytes"),
        ("application/pdf", b"<html>", "does not look like application/pdf"),
        ("image/png", b"\xff\xd8\xff\xe0", "does not look like image/png"),
        ("text/plain", b"\xff\xfe\xfa", "is not UTF-8 text"),
    ],
)
def test_evidence_of_the_wrong_type_size_or_content_is_refused(content_type, content, message):
    with pytest.raises(Invalid) as refused:
        check_evidence(content_type, content, ALLOWED, max_bytes=50)
    assert refused.value.field == "file" and message in refused.value.message


def test_evidence_that_is_what_it_says_is_accepted_and_names_are_made_safe():
    check_evidence("application/pdf", b"%PDF-1.7 ...", ALLOWED, max_bytes=50)
    check_evidence("text/plain", "réponse".encode(), ALLOWED, max_bytes=50)
    assert safe_filename("../../etc/passwd") == "passwd"
    assert safe_filename("C:\\Users\\me\\capture écran.png") == "capture _cran.png"
    assert safe_filename("...") == "evidence"


def test_the_states_where_the_gdpr_applies_are_those_of_the_case_service_s_directory_of_authorities():
    """One list of the EEA's States (docket_contracts.cooperation), and the directory of authorities the case
    service ships names one authority in each: a State missing from either would be treated as outside the GDPR."""
    assert {authority.member_state for authority in AUTHORITIES} == EEA_STATES and len(EEA_STATES) == 30
