"""Every letter that notifies a decision to a controller states the court and the time limit to appeal it, and that
an appeal does not suspend it (code of administrative justice R. 311-1 4°, R. 421-1, R. 421-7, L. 4; the time
limit runs only if the notification states them, R. 421-5); every letter that closes a complaint names the
complainant's judicial remedies (GDPR Art 77(2), 78(1)-(2)). One test per letter; no I/O."""

from datetime import date
from uuid import uuid4

from docket_contracts.events import CaseClosed, PenaltyPaymentLiquidated, PublicationMade, WarningIssued
from services.notifier.domain import CaseFile, Letter, letters_for
from tests.unit.test_notifier_domain import CASE, CASE_ID, CLEARVIEW, NOTICE, REPRIMAND, SANCTION

COURT = "before the Conseil d'État (code of administrative justice, art R. 311-1 4°)"
TIME_LIMIT = (
    "within two months of its notification to you (code of administrative justice, art R. 421-1), or within 4 "
    "months if you reside abroad (two months more, art R. 421-7)"
)
NOT_SUSPENSIVE = "An appeal does not suspend the decision (art L. 4): it applies meanwhile."


def to_controller(event, case: CaseFile = CASE) -> Letter:
    [letter] = [letter for letter in letters_for(event, case) if letter.recipient_role == "controller"]
    return letter


def states_the_appeal(letter: Letter) -> bool:
    return f"You may appeal this decision {COURT} {TIME_LIMIT}. {NOT_SUSPENSIVE}" in letter.text


def test_the_formal_notice_letter_states_the_court_and_the_time_limit():
    assert states_the_appeal(to_controller(NOTICE))


def test_the_warning_letter_states_the_court_and_the_time_limit():
    warning = WarningIssued(
        case_id=CASE_ID,
        warning_id=uuid4(),
        decided_on=date(2021, 3, 1),
        reference="AVT-2021-001",
        articles=(6,),
        intended_processing="matching faces against scraped images",
    )
    letter = to_controller(warning)
    assert states_the_appeal(letter) and "Article 58(2)(a) of the GDPR" in letter.text


def test_the_sanction_letter_states_the_court_and_the_time_limit():
    letter = to_controller(SANCTION)
    assert states_the_appeal(letter) and "competent court" not in letter.text


def test_the_reprimand_letter_states_the_court_and_the_time_limit():
    letter = to_controller(REPRIMAND)
    assert states_the_appeal(letter) and "the time limit the law sets" not in letter.text


def test_the_liquidation_letter_states_the_court_and_the_time_limit():
    liquidated = PenaltyPaymentLiquidated(
        case_id=CASE_ID,
        sanction_id=SANCTION.sanction_id,
        period_start=date(2022, 12, 19),
        period_end=date(2023, 2, 9),
        days_counted=52,
        convention="exclusive_end",
        amount_eur=5_200_000,
        decided_on=date(2023, 4, 13),
    )
    assert states_the_appeal(to_controller(liquidated))


def test_the_publication_letter_states_the_court_and_the_time_limit():
    made = PublicationMade(
        case_id=CASE_ID,
        publication_id=uuid4(),
        decision="sanction",
        decision_id=SANCTION.sanction_id,
        decision_dated=date(2022, 10, 17),
        published_on=date(2022, 10, 20),
        decided_by="restricted_committee",
        anonymised_on=date(2024, 10, 20),
    )
    assert states_the_appeal(to_controller(made))


def test_a_controller_known_to_reside_abroad_is_given_four_months_and_one_in_france_two():
    abroad = CaseFile(case_id=CASE_ID, controller=CLEARVIEW.model_copy(update={"country": "US"}))
    assert (
        f"You may appeal this decision {COURT} within 4 months of its notification to you, since you reside abroad "
        f"(two months, code of administrative justice, art R. 421-1, and two more, art R. 421-7). {NOT_SUSPENSIVE}"
    ) in to_controller(SANCTION, abroad).text
    in_france = CaseFile(case_id=CASE_ID, controller=CLEARVIEW.model_copy(update={"country": "FR"}))
    assert (
        f"You may appeal this decision {COURT} within two months of its notification to you (code of administrative "
        f"justice, art R. 421-1). {NOT_SUSPENSIVE}"
    ) in to_controller(SANCTION, in_france).text


def test_the_closing_letter_names_the_complainant_s_court_time_limit_and_remedies():
    closed = CaseClosed(
        case_id=CASE_ID, outcome="dismissed", reasons="no infringement found", closed_on=date(2023, 1, 5)
    )
    letters = letters_for(closed, CASE)
    assert letters and all(letter.recipient_role == "complainant" for letter in letters)
    for letter in letters:
        assert (
            "You have the right to an effective judicial remedy against this decision of the authority (GDPR Art "
            "78(1)): you may bring it before the Conseil d'État (code of administrative justice, art R. 311-1 4°) "
            "within two months of this letter (art R. 421-1), or four months if you reside abroad (art R. 421-7)."
        ) in letter.text
        assert "GDPR Art 78(2) also gives you a judicial remedy" in letter.text
        assert "GDPR Art 77(2) requires" in letter.text
