"""The notifier's event handlers: one per event type a subscriber may ask for, in one table, and what each
writes (letters, Art 78(2) clocks, early links, deliveries), against its records kept in memory."""

from __future__ import annotations

import base64
from datetime import date
from uuid import UUID, uuid4

from docket_contracts import registry
from docket_contracts.envelope import CloudEvent
from docket_contracts.events import (
    ADDRESS_CODE,
    COMPLAINANT_NAME,
    CaseClosed,
    CaseOpened,
    ComplaintAddressCodeIssued,
    ComplaintAddressProven,
    ComplaintFiled,
    ComplaintLinked,
    ComplaintWithdrawn,
    Controller,
    InvestigationOpened,
    Payload,
    PersonalDataErased,
)
from docket_contracts.registry import new_event
from docket_privacy.personal import PersonalData
from services.notifier.config import NotifierSettings
from services.notifier.domain import reminder_due_on
from services.notifier.domain.webhooks import SUBSCRIBABLE
from services.notifier.handlers import EVENT_HANDLERS, Needs, case_event, handlers
from tests.factories import JEANNE, openable_complaint_filed
from tests.unit.fakes import InMemoryKeyStore, InMemoryRecords


def test_every_event_a_subscriber_may_ask_for_has_its_handler_and_no_other_has_one():
    assert sorted(registry.BY_PAYLOAD[payload].type for payload in EVENT_HANDLERS) == sorted(SUBSCRIBABLE)


def test_the_events_of_complaints_and_of_the_case_taking_them_in_have_their_own_handlers():
    own = {registry.BY_PAYLOAD[payload].type for payload, handler in EVENT_HANDLERS.items() if handler != case_event}
    assert own == {
        "docket.complaint.filed",
        "docket.complaint.address_code_issued",
        "docket.complaint.address_proven",
        "docket.complaint.withdrawn",
        "docket.complaint.personal_data_erased",
        "docket.case.opened",
        "docket.complaint.linked",
        *(spec.type for spec in registry.EVENTS if spec.name.startswith("case.complaint_")),
        "docket.case.assigned",
        "docket.case.controller_asked_to_act",
        "docket.case.controller_answer_overdue",
        "docket.cooperation.complaint_registered",
        "docket.cooperation.complaint_transmitted",
        "docket.cooperation.complaint_resolved_early",
    }


def test_the_consumer_gets_the_table_by_event_type():
    settings = NotifierSettings(
        database_url="postgresql+asyncpg://u@h/d",
        oidc_issuer="https://login.invalid/realms/d",
        keystore_database_url="postgresql+asyncpg://k@h/d",
        keystore_master_key=base64.b64encode(bytes(32)).decode(),
    )
    assert sorted(handlers(settings, settings.personal_data())) == sorted(SUBSCRIBABLE)


# --- taking events in, against the records in memory ------------------------------------------------------

LEAD_DAYS = 14


def given() -> tuple[InMemoryRecords, Needs]:
    return InMemoryRecords(), Needs(PersonalData(InMemoryKeyStore()), LEAD_DAYS)


async def take(records: InMemoryRecords, needs: Needs, payload: Payload, subject: UUID) -> CloudEvent:
    event = new_event(payload, source="/docket/test", subject=str(subject))
    await EVENT_HANDLERS[type(payload)](records, event, payload, needs)
    return event


def to(records: InMemoryRecords, role: str, source: CloudEvent | None = None) -> list:
    return [
        (letter, sealed)
        for source_id, _, letter, sealed in records.letters
        if letter.recipient_role == role and (source is None or source_id == source.id)
    ]


def opened_case(filed: ComplaintFiled, case_id: UUID, on: date = date(2020, 6, 2)) -> CaseOpened:
    return CaseOpened(
        case_id=case_id,
        controller=filed.controller,
        complaint_id=filed.complaint_id,
        complaint_kind=filed.kind,
        opened_on=on,
    )


async def test_a_filed_complaint_is_acknowledged_sealed_and_starts_its_three_months_from_receipt():
    records, needs = given()
    filed = await openable_complaint_filed(needs.personal, received_on=date(2020, 5, 25))
    event = await take(records, needs, filed, filed.complaint_id)

    [(letter, sealed)] = to(records, "complainant", event)
    assert letter.complaint_id == filed.complaint_id and letter.address == JEANNE[1]
    assert sealed is not None and sealed["recipient_address"].subject == filed.complaint_id  # never in clear
    assert await needs.personal.open_many([("letter.recipient_name", sealed["recipient_name"])]) == [JEANNE[0]]
    row = records.complainants[filed.complaint_id]
    assert (row.last_news_on, row.reminder_due_on) == (date(2020, 5, 25), reminder_due_on(date(2020, 5, 25), 14))
    assert row.waiting and row.case_id is None
    # subscriptions are matched on the controller the complaint names; there is no case yet
    assert records.deliveries == [("docket.complaint.filed", filed.controller.key, None)]


async def test_an_alert_starts_no_clock():
    records, needs = given()
    alert = await openable_complaint_filed(needs.personal, kind="alert")
    await take(records, needs, alert, alert.complaint_id)

    row = records.complainants[alert.complaint_id]
    assert (row.last_news_on, row.reminder_due_on) == (None, None)


async def test_a_case_opened_on_a_known_complaint_ties_it_to_the_case_and_tells_its_complainant():
    records, needs = given()
    filed = await openable_complaint_filed(needs.personal)
    await take(records, needs, filed, filed.complaint_id)
    case_id = uuid4()
    event = await take(records, needs, opened_case(filed, case_id), case_id)

    assert records.complainants[filed.complaint_id].case_id == case_id
    assert records.controllers[case_id] == filed.controller and records.early_links == {}
    [(letter, sealed)] = to(records, "complainant", event)
    assert letter.case_id == case_id and sealed is not None
    assert records.deliveries[-1] == ("docket.case.opened", filed.controller.key, case_id)


async def test_a_case_opened_before_its_complaint_arrives_is_told_when_the_complaint_arrives():
    records, needs = given()
    filed = await openable_complaint_filed(needs.personal)
    case_id = uuid4()
    opened = await take(records, needs, opened_case(filed, case_id), case_id)

    assert to(records, "complainant") == []  # nobody to write to yet
    assert records.early_links[filed.complaint_id].event_id == opened.id

    await take(records, needs, filed, filed.complaint_id)
    assert records.early_links == {}
    assert records.complainants[filed.complaint_id].case_id == case_id
    [(late, _)] = to(records, "complainant", opened)  # the case.opened letter, written now
    assert late.case_id == case_id and late.address == JEANNE[1]
    assert [source_type for _, source_type, letter, _ in records.letters if letter.recipient_role == "complainant"] == [
        "docket.complaint.filed",
        "docket.case.opened",
    ]


async def test_closing_the_case_writes_to_every_complainant_waiting_and_ends_their_wait():
    records, needs = given()
    case_id = uuid4()
    complaints = []
    for name in ("Jeanne Martin", "Paul Durand"):
        filed = await openable_complaint_filed(needs.personal, name=name)
        await take(records, needs, filed, filed.complaint_id)
        complaints.append(filed)
    await take(records, needs, opened_case(complaints[0], case_id), case_id)
    linked = ComplaintLinked(
        case_id=case_id,
        complaint_id=complaints[1].complaint_id,
        complaint_kind="art77_complaint",
        received_on=date(2020, 6, 3),
    )
    await take(records, needs, linked, case_id)
    bystander = await openable_complaint_filed(needs.personal)  # of no case: untouched
    await take(records, needs, bystander, bystander.complaint_id)

    closed = await take(
        records,
        needs,
        CaseClosed(
            case_id=case_id, outcome="complied", reasons="The controller erased the data.", closed_on=date(2020, 9, 1)
        ),
        case_id,
    )
    told = {letter.complaint_id for letter, _ in to(records, "complainant", closed)}
    assert told == {c.complaint_id for c in complaints}
    for filed in complaints:
        row = records.complainants[filed.complaint_id]
        assert not row.waiting and row.reminder_due_on is None
    assert records.complainants[bystander.complaint_id].waiting
    assert records.deliveries[-1] == ("docket.case.closed", complaints[0].controller.key, case_id)


async def test_a_withdrawal_ends_that_complainants_wait_only_and_is_delivered_as_of_its_case():
    records, needs = given()
    case_id = uuid4()
    first = await openable_complaint_filed(needs.personal)
    second = await openable_complaint_filed(needs.personal)
    for filed in (first, second):
        await take(records, needs, filed, filed.complaint_id)
    await take(records, needs, opened_case(first, case_id), case_id)
    await take(
        records,
        needs,
        ComplaintLinked(
            case_id=case_id,
            complaint_id=second.complaint_id,
            complaint_kind="art77_complaint",
            received_on=date(2020, 6, 3),
        ),
        case_id,
    )

    withdrawn = await take(
        records,
        needs,
        ComplaintWithdrawn(complaint_id=first.complaint_id, withdrawn_on=date(2020, 7, 1)),
        first.complaint_id,
    )
    assert {letter.complaint_id for letter, _ in to(records, "complainant", withdrawn)} == {first.complaint_id}
    assert not records.complainants[first.complaint_id].waiting
    assert records.complainants[second.complaint_id].waiting
    assert records.deliveries[-1] == ("docket.complaint.withdrawn", first.controller.key, case_id)


async def test_after_an_erasure_nothing_of_the_complainant_opens_and_nothing_is_owed_to_them():
    records, needs = given()
    filed = await openable_complaint_filed(needs.personal)
    await take(records, needs, filed, filed.complaint_id)
    assert await needs.personal.open_many([(COMPLAINANT_NAME, filed.complainant.name)]) == [JEANNE[0]]  # cached now
    await needs.personal.keystore.erase(filed.complaint_id, by="test")

    erased = await take(
        records,
        needs,
        PersonalDataErased(complaint_id=filed.complaint_id, erased_on=date(2020, 7, 1)),
        filed.complaint_id,
    )
    assert await needs.personal.open_many([(COMPLAINANT_NAME, filed.complainant.name)]) == [None]  # dropped too
    assert to(records, "complainant", erased) == []
    assert not records.complainants[filed.complaint_id].waiting


# --- an address to prove ----------------------------------------------------------------------------------


async def test_a_filing_with_a_code_sends_the_code_alone_and_holds_every_other_letter_until_proven():
    records, needs = given()
    lure = Controller(key="refund-desk", name="Refund desk: call +33 1 23 45 67 89")
    filed = await openable_complaint_filed(needs.personal, name="Your bank", controller=lure)
    code = await needs.personal.seal(filed.complaint_id, ADDRESS_CODE, "7K3Q-9ZXM")
    await take(
        records, needs, ComplaintAddressCodeIssued(complaint_id=filed.complaint_id, code=code), filed.complaint_id
    )
    event = await take(records, needs, filed, filed.complaint_id)
    case_id = uuid4()
    await take(records, needs, opened_case(filed, case_id), case_id)

    letters = [letter for letter, _ in to(records, "complainant")]
    [proof] = [letter for letter in letters if letter.asks_for_proof]
    assert "7K3Q-9ZXM" in proof.text and filed.reference in proof.text and not proof.waits_for_proof
    for chosen in ("Your bank", "Refund desk", "+33"):
        assert chosen not in proof.text + proof.html + proof.subject
    assert {letter.kind for letter in letters if letter.waits_for_proof} == {"acknowledgement", "progress"}
    assert next(letter for letter, _ in to(records, "complainant", event)) is proof  # the first one written
    assert records.address_codes == {}  # taken with the filing

    await take(
        records,
        needs,
        ComplaintAddressProven(complaint_id=filed.complaint_id, proven_on=date(2020, 6, 1)),
        filed.complaint_id,
    )
    assert records.proven == {filed.complaint_id} and records.complainants[filed.complaint_id].address_proven
    investigating = await take(
        records, needs, InvestigationOpened(case_id=case_id, opened_on=date(2020, 7, 1), scope="x"), case_id
    )
    [(later, _)] = to(records, "complainant", investigating)
    assert not later.waits_for_proof


async def test_a_filing_without_a_code_writes_to_its_address_at_once():
    records, needs = given()
    filed = await openable_complaint_filed(needs.personal)
    await take(records, needs, filed, filed.complaint_id)
    [(letter, _)] = to(records, "complainant")
    assert not letter.waits_for_proof and not letter.asks_for_proof
