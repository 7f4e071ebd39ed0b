"""Which letters each event calls for, what they say, and the Art 78(2) reminder clock; no I/O."""

from datetime import UTC, date, datetime
from uuid import uuid4

from docket_contracts.events import (
    AppealDecided,
    AppealLodged,
    CaseClosed,
    CaseOpened,
    ComplaintAdmissibilityDecided,
    ComplaintClosed,
    ComplaintControllerAsked,
    ComplaintFiled,
    ComplaintJoinedInvestigation,
    ComplaintLinked,
    ComplaintTransferred,
    ComplaintWithdrawn,
    ConductFined,
    Controller,
    ControllerAnswerOverdue,
    ControllerAskedToAct,
    FindingRecorded,
    FineCap,
    FormalNoticeComplied,
    FormalNoticeDeadlineExpired,
    FormalNoticeExpirySuperseded,
    FormalNoticeIssued,
    Injunction,
    InjunctionComplied,
    InvestigationOpened,
    Order,
    PenaltyPaymentImposed,
    PenaltyPaymentLiquidated,
    PublicationMade,
    PublicationWithdrawn,
    ReprimandIssued,
    SanctionImposed,
    SanctionNotified,
)
from docket_contracts.progress import news
from services.notifier.domain import (
    CaseFile,
    Complainant,
    letters_for,
    remedies,
    reminder,
    reminder_due_on,
)
from tests.factories import complaint_filed, one_of_each

CLEARVIEW = Controller(key="clearview-ai", name="Clearview AI")
CASE_ID = uuid4()
JEANNE = Complainant(uuid4(), "DKT-2020-00A1B2", "art77_complaint", "Jeanne Martin", "jeanne@example.org")
PRIVACY_INTL = Complainant(uuid4(), "DKT-2021-00C3D4", "alert", "Privacy International", "pi@example.org")
MANDATED = Complainant(uuid4(), "DKT-2020-00E5F6", "art80_1_mandated", "noyb", "info@example.org")
CASE = CaseFile(
    case_id=CASE_ID,
    controller=CLEARVIEW,
    controller_email="legal@clearview.example",
    complainants=(JEANNE, PRIVACY_INTL, MANDATED),
)
NOTICE = FormalNoticeIssued(
    case_id=CASE_ID,
    notice_id=uuid4(),
    issued_on=date(2021, 11, 26),
    compliance_deadline=date(2022, 1, 26),
    orders=(
        Order(point="f", text="stop collecting and processing the data of people in France"),
        Order(point="c", text="delete the data of people in France after answering their requests"),
    ),
)
SANCTION = SanctionImposed(
    case_id=CASE_ID,
    sanction_id=uuid4(),
    decided_on=date(2022, 10, 17),
    fine_eur=20_000_000,
    articles_infringed=(6, 12, 15, 17, 31),
    cap=FineCap(paragraph="83(5)", fixed_eur=20_000_000, turnover_percent=4, turnover_eur=None, cap_eur=20_000_000),
    injunction=Injunction(
        orders=(Order(point="f", text="stop processing the data of people in France"),),
        deadline=date(2022, 12, 17),
        daily_penalty_eur=100_000,
    ),
)


def roles(letters):
    return sorted((letter.recipient_role, letter.recipient_name) for letter in letters)


def on_file(filed) -> CaseFile:
    """The case file the notifier builds for a new complaint: its complainant, name and address opened."""
    return CaseFile(
        complainants=(
            Complainant(filed.complaint_id, filed.reference, filed.kind, "Jeanne Martin", "jeanne.martin@example.org"),
        )
    )


def test_a_complainant_gets_an_acknowledgement_but_an_alert_does_not():
    filed = complaint_filed(controller=CLEARVIEW)
    [letter] = letters_for(filed, on_file(filed))
    assert (letter.channel, letter.recipient_role, letter.complaint_id) == ("letter", "complainant", filed.complaint_id)
    assert (letter.recipient_name, letter.address) == ("Jeanne Martin", "jeanne.martin@example.org")
    assert filed.reference in letter.subject and filed.reference in letter.text
    assert "Clearview AI" in letter.summary and "2020-05-25" in letter.summary
    assert "Art 78(2)" in letter.text
    alert = complaint_filed(kind="alert")
    assert letters_for(alert, on_file(alert)) == []
    assert letters_for(filed) == []  # an erased complainant is not in the case file: no letter


def test_opening_tells_only_the_complainant_whose_complaint_opened_the_case():
    opened = CaseOpened(
        case_id=CASE_ID,
        controller=CLEARVIEW,
        complaint_id=JEANNE.complaint_id,
        complaint_kind="art77_complaint",
        opened_on=date(2020, 5, 25),
    )
    [letter] = letters_for(opened, CASE)
    assert (letter.complaint_id, letter.case_id) == (JEANNE.complaint_id, CASE_ID)
    assert letter.summary.startswith("A case on Clearview AI was opened on 2020-05-25")


def test_linking_tells_the_linked_complainant_and_not_an_alert():
    linked = ComplaintLinked(
        case_id=CASE_ID,
        complaint_id=MANDATED.complaint_id,
        complaint_kind="art80_1_mandated",
        received_on=date(2020, 6, 1),
    )
    [letter] = letters_for(linked, CASE)
    assert letter.complaint_id == MANDATED.complaint_id and "Clearview AI" in letter.text
    alert = ComplaintLinked(
        case_id=CASE_ID, complaint_id=PRIVACY_INTL.complaint_id, complaint_kind="alert", received_on=date(2021, 5, 27)
    )
    assert letters_for(alert, CASE) == []


def test_each_step_that_concerns_complainants_reaches_every_complainant_but_not_alerts():
    steps = [
        InvestigationOpened(case_id=CASE_ID, opened_on=date(2020, 8, 1), scope="checks"),
        FormalNoticeComplied(case_id=CASE_ID, notice_id=NOTICE.notice_id, complied_on=date(2022, 1, 20)),
        FormalNoticeDeadlineExpired(
            case_id=CASE_ID,
            notice_id=NOTICE.notice_id,
            deadline=date(2022, 1, 26),
            detected_at=datetime(2022, 1, 27, tzinfo=UTC),
        ),
        InjunctionComplied(case_id=CASE_ID, sanction_id=SANCTION.sanction_id, complied_on=date(2022, 12, 10)),
        CaseClosed(case_id=CASE_ID, outcome="sanctioned", reasons="fine and penalty paid", closed_on=date(2023, 6, 1)),
    ]
    for step in steps:
        letters = letters_for(step, CASE)
        assert roles(letters) == [("complainant", "Jeanne Martin"), ("complainant", "noyb")], step
        assert {letter.case_id for letter in letters} == {CASE_ID}


def test_a_finding_is_internal_a_penalty_imposed_is_told_in_the_sanction_letter_and_a_superseded_expiry_retracted():
    finding = FindingRecorded(case_id=CASE_ID, finding_id=uuid4(), articles=(6,), facts="no legal basis")
    imposed = PenaltyPaymentImposed(
        case_id=CASE_ID, sanction_id=SANCTION.sanction_id, daily_rate_eur=100_000, accrues_from=date(2022, 12, 18)
    )
    assert letters_for(finding, CASE) == [] and letters_for(imposed, CASE) == []
    superseded = FormalNoticeExpirySuperseded(
        case_id=CASE_ID, notice_id=NOTICE.notice_id, complied_on=date(2022, 1, 25)
    )
    [jeanne, noyb] = letters_for(superseded, CASE)  # the news they had of the expiry no longer stands
    assert "no longer stands" in jeanne.text and noyb.recipient_name == "noyb"


def test_the_injunction_letter_dates_the_compliance():
    [letter, _] = letters_for(
        InjunctionComplied(case_id=CASE_ID, sanction_id=SANCTION.sanction_id, complied_on=date(2022, 12, 10)), CASE
    )
    text = " ".join(letter.paragraphs)
    assert "10 December 2022" in text and "stopped accruing" in text and letter.recipient_role == "complainant"


def test_the_formal_notice_letter_states_each_order_with_its_point_and_the_deadline():
    letters = letters_for(NOTICE, CASE)
    [to_controller] = [letter for letter in letters if letter.recipient_role == "controller"]
    assert (to_controller.address, to_controller.controller_key, to_controller.kind) == (
        "legal@clearview.example",
        "clearview-ai",
        "formal_notice",
    )
    assert to_controller.subject == "Formal notice of 26 November 2021"
    text = to_controller.text
    assert "Art 58(2)(f) GDPR: stop collecting and processing the data of people in France" in text
    assert "Art 58(2)(c) GDPR: delete the data" in text
    assert "by 26 January 2022" in text and text.startswith("Dear Clearview AI,")
    assert "<li>Art 58(2)(f) GDPR: stop collecting" in to_controller.html
    assert roles(letter for letter in letters if letter.recipient_role == "complainant") == [
        ("complainant", "Jeanne Martin"),
        ("complainant", "noyb"),
    ]


def test_the_sanction_letter_states_fine_cap_injunction_and_penalty():
    [to_controller] = [letter for letter in letters_for(SANCTION, CASE) if letter.recipient_role == "controller"]
    text = to_controller.text
    assert "EUR 20,000,000" in text and "Article 83(5) GDPR" in text
    assert "Articles 6, 12, 15, 17, 31" in text
    assert "injunction to comply by 17 December 2022" in text
    assert "EUR 100,000 per day of delay" in text
    assert "simplified procedure" not in text


def test_a_sanction_taken_under_the_simplified_procedure_says_so_to_the_controller():
    small = SANCTION.model_copy(update={"fine_eur": 15_000, "procedure": "simplified"})
    [to_controller] = [letter for letter in letters_for(small, CASE) if letter.recipient_role == "controller"]
    assert (
        "By its decision of 17 October 2022, taken under the simplified procedure (loi Informatique et Libertés "
        "art 22-1), it imposes:"
    ) in to_controller.text


def test_a_sanction_for_separate_conducts_states_each_fine_within_its_own_cap_and_the_order_not_complied_with():
    under_83_4 = FineCap(
        paragraph="83(4)", fixed_eur=10_000_000, turnover_percent=2, turnover_eur=None, cap_eur=10_000_000
    )
    under_83_6 = SANCTION.cap.model_copy(update={"paragraph": "83(6)"})
    several = SANCTION.model_copy(
        update={
            "fine_eur": 25_000_000,
            "articles_infringed": (6, 32, 58),
            "conducts": (
                ConductFined(
                    articles_infringed=(6,), orders_not_complied=("58(2)",), fine_eur=20_000_000, cap=under_83_6
                ),
                ConductFined(articles_infringed=(32,), fine_eur=5_000_000, cap=under_83_4),
            ),
        }
    )
    letters = letters_for(several, CASE)
    [to_controller] = [letter for letter in letters if letter.recipient_role == "controller"]
    assert (
        "you infringed Articles 6, 32 of the GDPR and the authority's order under Article 58(2) GDPR. By its "
        "decision of 17 October 2022, it imposes:"
    ) in to_controller.text
    assert "an administrative fine of EUR 25,000,000 for 2 separate conducts" in to_controller.text
    assert (
        "EUR 5,000,000 for infringing Articles 32 of the GDPR, within the cap of EUR 10,000,000 of Article 83(4) GDPR"
    ) in to_controller.text
    assert "within the cap of EUR 20,000,000 of Article 83(6) GDPR" in to_controller.text
    assert "Articles 6, 32, 58" not in to_controller.text
    to_jeanne = next(letter for letter in letters if letter.recipient_name == "Jeanne Martin")
    assert (
        "for infringing Articles 6, 32 of the GDPR and the authority's order under Article 58(2) GDPR."
        in to_jeanne.text
    )


def test_a_sanction_for_cookies_names_loi_78_17_art_82_and_the_cap_of_its_art_20():
    cap = FineCap(
        paragraph="loi-78-17-art-20-III-7",
        fixed_eur=10_000_000,
        turnover_percent=2,
        turnover_eur=None,
        cap_eur=10_000_000,
    )
    cookies = SANCTION.model_copy(
        update={
            "fine_eur": 10_000_000,
            "articles_infringed": (),
            "national_provisions": ("loi-78-17-art-82",),
            "cap": cap,
            "injunction": None,
        }
    )
    [to_controller] = [letter for letter in letters_for(cookies, CASE) if letter.recipient_role == "controller"]
    assert "you infringed Article 82 of the loi Informatique et Libertés (cookies and trackers)." in to_controller.text
    assert "within the cap of EUR 10,000,000 of Article 20 III 7° of the loi Informatique et Libertés" in (
        to_controller.text
    )


def test_a_controller_letter_without_a_known_address_is_still_written():
    [to_controller] = [
        letter
        for letter in letters_for(SANCTION, CaseFile(case_id=CASE_ID, controller=CLEARVIEW))
        if letter.recipient_role == "controller"
    ]
    assert to_controller.address is None and to_controller.text


def test_the_liquidation_letter_counts_the_days():
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
    [letter] = [letter for letter in letters_for(liquidated, CASE) if letter.recipient_role == "controller"]
    assert "EUR 5,200,000: 52 days" in letter.text and "decision of 13 April 2023" in letter.text


def test_a_withdrawal_is_acknowledged_to_that_complainant_only():
    [letter] = letters_for(ComplaintWithdrawn(complaint_id=JEANNE.complaint_id, withdrawn_on=date(2020, 7, 1)), CASE)
    assert letter.complaint_id == JEANNE.complaint_id


def test_html_escapes_what_came_from_outside():
    hostile = CaseFile(
        case_id=CASE_ID, controller=Controller(key="evil", name="<script>x</script>"), complainants=(JEANNE,)
    )
    [letter] = letters_for(InvestigationOpened(case_id=CASE_ID, opened_on=date(2020, 8, 1), scope="s"), hostile)
    assert "<script>" not in letter.html and "&lt;script&gt;" in letter.html
    assert "<script>" in letter.text


def test_staff_are_reminded_before_three_months_without_news_end():
    assert reminder_due_on(date(2020, 5, 25), lead_days=14) == date(2020, 8, 11)
    letter = reminder(
        JEANNE.complaint_id, JEANNE.reference, CASE_ID, "Clearview AI", date(2020, 5, 25), "staff@authority.example"
    )
    assert (letter.recipient_role, letter.channel, letter.address) == ("staff", "email", "staff@authority.example")
    assert JEANNE.reference in letter.subject and "25 August 2020" in letter.text
    assert "Jeanne Martin" not in letter.text  # staff find the complainant through the reference


def test_an_injunction_due_a_period_after_notification_is_explained_and_its_deadline_sent_when_notified():
    period = SANCTION.model_copy(
        update={"injunction": SANCTION.injunction.model_copy(update={"deadline": None, "days_after_notification": 60})}
    )
    [to_controller] = [letter for letter in letters_for(period, CASE) if letter.recipient_role == "controller"]
    assert "comply by the end of 60 days from the notification of this decision" in to_controller.text
    notified = SanctionNotified(
        case_id=CASE_ID,
        sanction_id=SANCTION.sanction_id,
        notified_on=date(2022, 10, 20),
        injunction_deadline=date(2022, 12, 19),
    )
    [deadline] = letters_for(notified, CASE)
    assert deadline.recipient_role == "controller" and "comply by 19 December 2022" in deadline.text
    assert letters_for(notified.model_copy(update={"injunction_deadline": None}), CASE) == []


def test_complainants_get_a_letter_about_exactly_the_events_that_are_news_for_them():
    """docket_contracts.progress decides what is news for whom; the notifier writes a letter for each of those
    complainants (an alert's excepted), and about no other event but the acknowledgement and the withdrawal."""
    kept_informed = {JEANNE.complaint_id, MANDATED.complaint_id}
    for kind, event in one_of_each(CASE_ID, JEANNE.complaint_id).items():
        told = news(event)
        written = {letter.complaint_id for letter in letters_for(event, CASE) if letter.recipient_role == "complainant"}
        if told is None:
            acknowledged = kind in (ComplaintFiled, ComplaintWithdrawn)
            assert written == ({JEANNE.complaint_id} if acknowledged else set()), kind.__name__
        else:
            assert written == ({told.only} if told.only else kept_informed), kind.__name__


REPRIMAND = ReprimandIssued(
    case_id=CASE_ID,
    reprimand_id=uuid4(),
    decided_on=date(2022, 10, 17),
    articles_infringed=(12, 15),
    reasons="access requests answered months late",
)


def test_a_reprimand_is_explained_to_the_controller_and_told_to_complainants_without_a_fine():
    letters = letters_for(REPRIMAND, CASE)
    [to_controller] = [letter for letter in letters if letter.recipient_role == "controller"]
    assert (
        "you infringed Articles 12, 15 of the GDPR. By its decision of 17 October 2022, it issues you a "
        "reprimand under Article 58(2)(b) of the GDPR, without a fine."
    ) in to_controller.text
    assert "Reasons: access requests answered months late" in to_controller.text
    assert "Conseil d'État" in to_controller.text and to_controller.kind == "reprimand_decision"
    assert roles(letter for letter in letters if letter.recipient_role == "complainant") == [
        ("complainant", "Jeanne Martin"),
        ("complainant", "noyb"),
    ]
    [simplified] = [
        letter
        for letter in letters_for(REPRIMAND.model_copy(update={"procedure": "simplified"}), CASE)
        if letter.recipient_role == "controller"
    ]
    assert "taken under the simplified procedure" in simplified.text


def test_a_case_closed_as_reprimanded_says_so():
    closed = CaseClosed(case_id=CASE_ID, outcome="reprimanded", reasons="reprimand issued", closed_on=date(2022, 11, 1))
    [letter, _] = letters_for(closed, CASE)
    assert "closed on 1 November 2022: the controller was reprimanded." in letter.text


def test_a_publication_is_told_to_the_controller_and_complainants_and_its_withdrawal_to_the_controller_only():
    made = PublicationMade(
        case_id=CASE_ID,
        publication_id=uuid4(),
        decision="formal_notice",
        decision_id=NOTICE.notice_id,
        decision_dated=date(2021, 11, 26),
        published_on=date(2021, 12, 16),
        decided_by="bureau",
        anonymised_on=date(2023, 12, 16),
    )
    letters = letters_for(made, CASE)
    [to_controller] = [letter for letter in letters if letter.recipient_role == "controller"]
    assert (
        "the bureau of the authority, at its President's request (loi Informatique et Libertés art 20 II) made the "
        "formal notice of 26 November 2021 public on 16 December 2021" in to_controller.text
    )
    assert "Your name will be removed from the publication on 16 December 2023" in to_controller.text
    assert roles(letter for letter in letters if letter.recipient_role == "complainant") == [
        ("complainant", "Jeanne Martin"),
        ("complainant", "noyb"),
    ]
    withdrawn = PublicationWithdrawn(
        case_id=CASE_ID,
        publication_id=made.publication_id,
        decision="formal_notice",
        decision_id=NOTICE.notice_id,
        withdrawn_on=date(2023, 12, 16),
        reasons="the two years set for the publication ended",
    )
    [letter] = letters_for(withdrawn, CASE)
    assert (
        letter.recipient_role == "controller"
        and "withdrew the publication of its formal notice on 16 December 2023" in letter.text
        and "Reasons: the two years set for the publication ended" in letter.text
    )


def test_a_liquidation_made_public_and_a_reformed_sanction_made_public_again_say_so():
    liquidation = PublicationMade(
        case_id=CASE_ID,
        publication_id=uuid4(),
        decision="liquidation",
        decision_id=uuid4(),
        decision_dated=date(2023, 4, 13),
        published_on=date(2023, 5, 10),
        decided_by="restricted_committee",
        anonymised_on=date(2025, 5, 10),
    )
    [to_controller] = [letter for letter in letters_for(liquidation, CASE) if letter.recipient_role == "controller"]
    assert (
        "the restricted committee (loi Informatique et Libertés art 22) made the liquidation of the penalty payment "
        "of 13 April 2023 public on 10 May 2023, under your name." in to_controller.text
    )
    again = liquidation.model_copy(update={"decision": "sanction", "republishes": uuid4()})
    letters = letters_for(again, CASE)
    assert all("public again, as the Conseil d'État reformed it," in letter.text for letter in letters)


LODGED = AppealLodged(
    case_id=CASE_ID,
    appeal_id=uuid4(),
    decision="sanction",
    decision_id=SANCTION.sanction_id,
    decision_dated=date(2022, 10, 17),
    lodged_on=date(2022, 12, 16),
)


def test_complainants_are_told_of_an_appeal_and_both_sides_of_the_ruling_and_its_effect():
    [to_jeanne, _] = letters_for(LODGED, CASE)
    assert (
        "Clearview AI appealed the authority's sanction of 17 October 2022 before the Conseil d'État on "
        "16 December 2022"
    ) in to_jeanne.text
    ruling = AppealDecided(
        case_id=CASE_ID,
        appeal_id=LODGED.appeal_id,
        decision="sanction",
        decision_id=SANCTION.sanction_id,
        decision_dated=date(2022, 10, 17),
        decided_on=date(2023, 6, 1),
        outcome="annulled",
    )
    letters = letters_for(ruling, CASE)
    [to_controller] = [letter for letter in letters if letter.recipient_role == "controller"]
    assert (
        "the Conseil d'État annulled the authority's sanction of 17 October 2022: the sanction no longer stands: "
        "its fine, its injunction and any periodic penalty payment are not due"
    ) in to_controller.text
    assert roles(letter for letter in letters if letter.recipient_role == "complainant") == [
        ("complainant", "Jeanne Martin"),
        ("complainant", "noyb"),
    ]
    reduced = ruling.model_copy(update={"outcome": "fine_reduced", "fine_eur": 10_000_000})
    [to_controller] = [letter for letter in letters_for(reduced, CASE) if letter.recipient_role == "controller"]
    assert (
        "reduced the fine of the authority's sanction of 17 October 2022: the fine due is now EUR 10,000,000"
        in to_controller.text
    )


# --- a complaint's own handling ---------------------------------------------------------------------------


def handled(event_type, **fields):
    return event_type(case_id=CASE_ID, **fields)


def test_each_step_of_a_complaint_is_written_to_its_complainant_only():
    steps = [
        handled(
            ComplaintAdmissibilityDecided,
            complaint_id=JEANNE.complaint_id,
            decision="admissible",
            decided_on=date(2020, 6, 15),
        ),
        handled(
            ComplaintControllerAsked,
            complaint_id=JEANNE.complaint_id,
            letter_id=uuid4(),
            asked_on=date(2020, 6, 16),
            answer_due=date(2020, 7, 16),
        ),
        handled(ComplaintJoinedInvestigation, complaint_id=JEANNE.complaint_id, joined_on=date(2020, 8, 1)),
        handled(
            ComplaintTransferred,
            complaint_id=JEANNE.complaint_id,
            authority="Data Protection Commission",
            authority_country="IE",
            reasons="main establishment in Ireland",
            transferred_on=date(2020, 6, 20),
        ),
    ]
    for step in steps:
        [letter] = letters_for(step, CASE)
        assert (letter.recipient_role, letter.complaint_id) == ("complainant", JEANNE.complaint_id)
        assert JEANNE.reference in letter.subject and news(step) is not None
        assert "Conseil d'État" not in letter.text  # no decision that ends it: no remedies to name
    [asked] = letters_for(steps[1], CASE)
    assert "Clearview AI" in asked.text and "16 July 2020" in asked.text
    [sent] = letters_for(steps[3], CASE)
    assert "Data Protection Commission (IE)" in sent.text and "main establishment in Ireland" in sent.text


def test_a_decision_that_ends_a_complaint_names_its_reasons_and_the_complainants_remedies():
    inadmissible = handled(
        ComplaintAdmissibilityDecided,
        complaint_id=MANDATED.complaint_id,
        decision="inadmissible",
        reason="no_prior_request",
        reasons="no request for access was made to the controller",
        decided_on=date(2020, 6, 15),
    )
    closed = handled(
        ComplaintClosed,
        complaint_id=JEANNE.complaint_id,
        reason="resolved",
        reasons="the controller gave access on 18 July",
        closed_on=date(2020, 7, 25),
    )
    for event, who, said in (
        (inadmissible, MANDATED, "first asked the controller"),
        (closed, JEANNE, "the controller acted on it after our letter"),
    ):
        [letter] = letters_for(event, CASE)
        assert letter.complaint_id == who.complaint_id and said in letter.text
        assert event.reasons in letter.text
        assert remedies.for_complainant() in letter.text  # the court, the time limit, Art 78(1) and (2)
        assert "R. 421-7" in letter.text  # two more months for a complainant abroad


def test_a_cross_border_complaint_lacking_art_4_1_content_is_told_what_it_lacks_and_the_rule():
    """Regulation 2025/2518 art 4(2), as reported: declared inadmissible, the complainant is told the reasons."""
    lacking = handled(
        ComplaintAdmissibilityDecided,
        complaint_id=MANDATED.complaint_id,
        decision="inadmissible",
        reason="cross_border_content_missing",
        reasons="the letter of 3 May 2027 gave no register or number the association is constituted under",
        missing_content=("constitution_proof",),
        decided_on=date(2027, 5, 10),
    )
    [letter] = letters_for(lacking, CASE)
    assert "Regulation (EU) 2025/2518 art 4(1)" in letter.text and "art 4(2)" in letter.text
    assert "properly constituted under the law of a Member State, art 4(1)(b)" in letter.text
    assert lacking.reasons in letter.text and remedies.for_complainant() in letter.text
    told = news(lacking)
    assert told is not None and "art 4(1)" in told.line and "properly constituted" in told.line


def test_the_controller_is_written_to_once_for_every_complaint_of_a_letter_and_reminded_when_late():
    letter_id = uuid4()
    asked = handled(
        ControllerAskedToAct,
        letter_id=letter_id,
        complaint_ids=tuple(uuid4() for _ in range(500)),
        request="Bring your cookie banner into line: refusing must be as easy as accepting.",
        asked_on=date(2021, 8, 17),
        answer_due=date(2021, 9, 17),
    )
    [letter] = letters_for(asked, CASE)
    assert (letter.recipient_role, letter.address) == ("controller", "legal@clearview.example")
    assert "500 complaints" in letter.text and "17 September 2021" in letter.text and asked.request in letter.text
    overdue = handled(
        ControllerAnswerOverdue,
        letter_id=letter_id,
        answer_due=date(2021, 9, 17),
        detected_at=datetime(2021, 9, 18, tzinfo=UTC),
    )
    [reminder_letter] = letters_for(overdue, CASE)
    assert reminder_letter.recipient_role == "controller" and "17 September 2021" in reminder_letter.text
