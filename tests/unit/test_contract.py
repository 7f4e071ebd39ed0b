"""The contract: envelope rules, payload validation, schema versions and upcasting."""

from dataclasses import replace
from datetime import date, datetime
from uuid import uuid4

import pytest

from docket_contracts import cooperation as co
from docket_contracts import events as ev
from docket_contracts import registry, topics
from docket_contracts.envelope import CloudEvent
from docket_contracts.registry import EventSpec, SchemaViolation, UnknownEventType
from tests.factories import complaint_filed


def filed(**changes: object) -> ev.ComplaintFiled:
    return complaint_filed(controller=ev.Controller(key="clearview-ai", name="Clearview AI"), **changes)


def test_new_event_carries_type_schema_version_and_json_payload():
    payload = filed()
    event = registry.new_event(payload, source="/docket/intake", subject=str(payload.complaint_id))
    assert event.type == "docket.complaint.filed"
    assert event.dataschema == "urn:docket:schema:docket.complaint.filed:v4"
    assert event.data["received_on"] == "2020-05-25"
    assert event.data["controller"] == {"key": "clearview-ai", "name": "Clearview AI", "country": None, "website": None}
    assert registry.parse(event) == payload


def test_envelope_refuses_naive_time_and_empty_attributes():
    with pytest.raises(ValueError, match="timezone-aware"):
        CloudEvent(type="t", source="s", subject="x", dataschema="d", data={}, time=datetime(2022, 10, 17))
    with pytest.raises(ValueError, match="subject"):
        CloudEvent(type="t", source="s", subject="", dataschema="d", data={})


def test_payloads_are_frozen_and_strict():
    payload = filed()
    with pytest.raises(ValueError):
        payload.kind = "alert"  # type: ignore[misc]
    with pytest.raises(ValueError, match="extra"):
        ev.ComplaintFiled.model_validate(payload.model_dump() | {"complainant_email": "a@b.c"})


def test_parse_refuses_unknown_type():
    event = registry.new_event(filed(), source="/docket/intake", subject="x")
    with pytest.raises(UnknownEventType, match=r"docket\.complaint\.exploded"):
        registry.parse(replace(event, type="docket.complaint.exploded"))


def test_parse_refuses_payload_that_breaks_its_schema():
    event = registry.new_event(filed(), source="/docket/intake", subject="x")
    with pytest.raises(SchemaViolation, match="articles_alleged"):
        registry.parse(replace(event, data=event.data | {"articles_alleged": [150]}))


def test_parse_refuses_dataschema_of_another_type():
    event = registry.new_event(filed(), source="/docket/intake", subject="x")
    with pytest.raises(SchemaViolation, match="does not belong"):
        registry.parse(replace(event, dataschema="urn:docket:schema:docket.case.opened:v1"))


def test_parse_refuses_a_version_newer_than_the_contract():
    event = registry.new_event(filed(), source="/docket/intake", subject="x")
    with pytest.raises(SchemaViolation, match="newer"):
        registry.parse(replace(event, dataschema="urn:docket:schema:docket.complaint.filed:v7"))


def test_upcasters_bring_an_old_payload_to_the_current_version():
    spec = EventSpec(
        name="case.closed",
        payload=ev.CaseClosed,
        topic=topics.CASES,
        producer="case",
        summary="",
        version=3,
        upcasters={
            1: lambda d: {k: v for k, v in d.items() if k != "reason"} | {"reasons": d["reason"]},
            2: lambda d: {**d, "outcome": {"ok": "complied"}.get(d["outcome"], d["outcome"])},
        },
    )
    v1 = {"case_id": str(uuid4()), "outcome": "ok", "reason": "orders met", "closed_on": "2023-04-13"}
    assert registry.upcast(spec, dict(v1), 1) == {
        "case_id": v1["case_id"],
        "outcome": "complied",
        "reasons": "orders met",
        "closed_on": "2023-04-13",
    }
    assert registry.upcast(spec, {"x": 1}, 3) == {"x": 1}
    with pytest.raises(SchemaViolation, match="no upcaster from v0"):
        registry.upcast(spec, {}, 0)


def test_every_event_has_a_unique_type_a_known_topic_and_a_registered_payload():
    assert len(registry.BY_TYPE) == len(registry.EVENTS)
    assert {spec.topic for spec in registry.EVENTS} == set(topics.ALL)
    payload_classes = {
        cls
        for module in (ev, co)
        for cls in vars(module).values()
        if isinstance(cls, type) and issubclass(cls, ev.Payload) and cls is not ev.Payload
    }
    nested = {
        ev.Body,
        ev.CheckpointedHead,
        ev.ConductFined,
        ev.Controller,
        ev.FineCap,
        ev.Injunction,
        ev.Order,
        ev.Party,
        ev.Sealed,
        ev.TimeLimit,
        ev.Rapporteur,
        co.ConcernedAuthority,
        co.Consultation,
        co.Step,
        co.WithheldDocument,
    }
    assert payload_classes - nested == set(registry.BY_PAYLOAD)


def test_lifecycle_of_the_design_is_in_the_contract():
    names = {spec.name for spec in registry.EVENTS}
    assert names >= {
        "complaint.filed",
        "case.opened",
        "complaint.linked",
        "investigation.opened",
        "finding.recorded",
        "formal_notice.issued",
        "formal_notice.complied",
        "formal_notice.deadline_expired",
        "sanction.imposed",
        "penalty_payment.imposed",
        "penalty_payment.liquidated",
        "case.closed",
    }


def test_dead_letter_topic_is_per_consumer_group():
    assert topics.dead_letter_topic("docket-case") == "docket.dlq.docket-case"
    assert topics.dead_letter_topic("docket-case") != topics.dead_letter_topic("docket-notifier")


def test_a_version_1_formal_notice_is_upcast_to_orders_that_name_their_art_58_point():
    case_id, notice_id = uuid4(), uuid4()
    v1 = CloudEvent(
        type="docket.formal_notice.issued",
        source="/docket/case",
        subject=str(case_id),
        dataschema="urn:docket:schema:docket.formal_notice.issued:v1",
        data={
            "case_id": str(case_id),
            "notice_id": str(notice_id),
            "orders": ["stop the processing"],
            "issued_on": "2021-11-26",
            "compliance_deadline": "2022-01-26",
        },
    )
    payload = registry.parse(v1)
    assert payload == ev.FormalNoticeIssued(
        case_id=case_id,
        notice_id=notice_id,
        orders=(ev.Order(point="d", text="stop the processing"),),
        issued_on=date(2021, 11, 26),
        compliance_deadline=date(2022, 1, 26),
    )
    assert registry.BY_TYPE["docket.formal_notice.issued"].dataschema.endswith(":v3")  # a v2 kept its deadline too


def test_a_version_1_publication_reads_as_decided_by_the_authority_of_its_decision_with_no_day_of_anonymisation():
    case_id = uuid4()
    data = {
        "case_id": str(case_id),
        "publication_id": str(uuid4()),
        "decision": "formal_notice",
        "decision_id": str(uuid4()),
        "decision_dated": "2021-11-26",
        "published_on": "2021-12-16",
    }
    v1 = CloudEvent(
        type="docket.publication.made",
        source="/docket/case",
        subject=str(case_id),
        dataschema="urn:docket:schema:docket.publication.made:v1",
        data=data,
    )
    notice = registry.parse(v1)
    assert isinstance(notice, ev.PublicationMade)
    assert (notice.decided_by, notice.anonymised_on, notice.republishes) == ("bureau", None, None)
    sanction = registry.parse(replace(v1, data=data | {"decision": "sanction"}))
    assert isinstance(sanction, ev.PublicationMade) and sanction.decided_by == "restricted_committee"


def test_a_version_1_sanction_reads_as_charging_gdpr_articles_and_no_national_provision():
    case_id, sanction_id = uuid4(), uuid4()
    cap = {"paragraph": "83(5)", "fixed_eur": 20_000_000, "turnover_percent": 4, "turnover_eur": None, "cap_eur": 1}
    v1 = CloudEvent(
        type="docket.sanction.imposed",
        source="/docket/case",
        subject=str(case_id),
        dataschema="urn:docket:schema:docket.sanction.imposed:v1",
        data={
            "case_id": str(case_id),
            "sanction_id": str(sanction_id),
            "decided_on": "2022-10-17",
            "fine_eur": 1,
            "articles_infringed": [6],
            "cap": cap,
        },
    )
    payload = registry.parse(v1)
    assert isinstance(payload, ev.SanctionImposed)
    assert (payload.articles_infringed, payload.national_provisions) == ((6,), ())
    assert registry.BY_TYPE["docket.sanction.imposed"].dataschema.endswith(":v2")


@pytest.mark.parametrize(
    ("type_", "dated"), [("docket.case.opened", "opened_on"), ("docket.complaint.linked", "received_on")]
)
def test_a_version_2_complaint_taken_into_a_case_reads_as_missing_no_content(type_, dated):
    """Regulation 2025/2518 art 4(2): version 3 names what of art 4(1) a complaint was recorded without."""
    case_id, complaint_id = uuid4(), uuid4()
    data = {"case_id": str(case_id), "complaint_id": str(complaint_id), "complaint_kind": "art80_2_unmandated"}
    data |= {dated: "2027-05-03", "category": "other", "body_key": "noyb"}
    if type_ == "docket.case.opened":
        data["controller"] = {"key": "dublin-social", "name": "Dublin Social"}
    v2 = CloudEvent(
        type=type_, source="/docket/case", subject=str(case_id), dataschema=f"urn:docket:schema:{type_}:v2", data=data
    )
    payload = registry.parse(v2)
    assert isinstance(payload, ev.CaseOpened | ev.ComplaintLinked)
    assert (payload.body_key, payload.missing_content) == ("noyb", ())
    assert registry.BY_TYPE[type_].dataschema.endswith(":v3")


def test_a_version_1_admissibility_decision_reads_as_naming_no_missing_content():
    case_id, complaint_id = uuid4(), uuid4()
    data = {"case_id": str(case_id), "complaint_id": str(complaint_id), "decision": "inadmissible"}
    data |= {"reason": "duplicate", "reasons": "again", "duplicate_of": str(uuid4()), "decided_on": "2021-01-04"}
    type_ = "docket.case.complaint_admissibility_decided"
    v1 = CloudEvent(
        type=type_, source="/docket/case", subject=str(case_id), dataschema=f"urn:docket:schema:{type_}:v1", data=data
    )
    payload = registry.parse(v1)
    assert isinstance(payload, ev.ComplaintAdmissibilityDecided) and payload.missing_content == ()
    assert registry.BY_TYPE[type_].dataschema.endswith(":v2")
    with pytest.raises(ValueError, match="missing content"):
        ev.ComplaintAdmissibilityDecided.model_validate(
            data | {"reason": "cross_border_content_missing", "duplicate_of": None}
        )


def _personal_paths(schema: dict, definitions: dict, path: str = "") -> tuple[set[str], set[str]]:
    """(paths of fields marked x-personal, paths of every field whose schema is the Sealed model)."""
    marked, sealed = set(), set()
    for name, field in schema.get("properties", {}).items():
        here = f"{path}{name}"
        options = field.get("anyOf", [field])
        refs = [o["$ref"].rsplit("/", 1)[-1] for o in options if "$ref" in o]
        if any(o.get("x-personal") for o in [field, *options]):
            marked.add(here)
        if "Sealed" in refs:
            sealed.add(here)
        for ref in refs:
            if ref != "Sealed":
                inner = _personal_paths(definitions[ref], definitions, f"{here}.")
                marked |= inner[0]
                sealed |= inner[1]
    return marked, sealed


@pytest.mark.parametrize("spec", registry.EVENTS, ids=lambda s: s.type)
def test_every_sealed_field_is_marked_personal_and_no_personal_field_travels_in_clear(spec):
    schema = spec.payload.model_json_schema(mode="serialization")
    marked, sealed = _personal_paths(schema, schema.get("$defs", {}))
    assert marked == sealed
    clear_strings = {
        name
        for name, field in schema.get("properties", {}).items()
        if field.get("type") == "string" and name in {"name", "email", "narrative", "text"}
    }
    assert clear_strings == set()


def test_the_complainant_of_complaint_filed_is_personal_and_the_letter_text_of_notification_recorded_too():
    filed = ev.ComplaintFiled.model_json_schema(mode="serialization")
    assert _personal_paths(filed, filed["$defs"])[0] == {"complainant.name", "complainant.email"}
    recorded = ev.NotificationRecorded.model_json_schema(mode="serialization")
    assert _personal_paths(recorded, recorded.get("$defs", {}))[0] == {"text"}


def test_a_version_1_complaint_filed_reads_with_its_personal_data_withheld():
    complaint_id = uuid4()
    v1 = {
        "complaint_id": str(complaint_id),
        "reference": "DKT-2020-ABC123",
        "kind": "art77_complaint",
        "complainant": {"name": "Jeanne Martin", "email": "jeanne@example.org", "country": "FR"},
        "controller": {"key": "clearview-ai", "name": "Clearview AI"},
        "category": "other",
        "articles_alleged": [15],
        "territory": ["FR"],
        "received_on": "2020-05-25",
    }
    event = CloudEvent(
        type="docket.complaint.filed",
        source="/docket/intake",
        subject=str(complaint_id),
        dataschema="urn:docket:schema:docket.complaint.filed:v1",
        data=v1,
    )
    payload = registry.parse(event)
    assert payload.complainant.name == ev.Sealed(subject=complaint_id, ciphertext="")
    assert payload.complainant.email.ciphertext == "" and payload.complainant.country == "FR"
    assert "Jeanne" not in payload.model_dump_json()
    assert payload.constitution_proof is None  # v4's: asked of a body since Regulation 2025/2518 art 4(1)(b)


def test_a_schema_violation_says_where_and_why_but_never_repeats_the_values():
    event = CloudEvent(
        type="docket.complaint.filed",
        source="/docket/intake",
        subject="x",
        dataschema="urn:docket:schema:docket.complaint.filed:v3",
        data={"complainant": {"name": "Jeanne Martin", "email": "jeanne@example.org"}},
    )
    with pytest.raises(registry.SchemaViolation) as refused:
        registry.parse(event)
    assert "complainant.name" in str(refused.value) and "complaint_id: Field required" in str(refused.value)
    assert "Jeanne" not in str(refused.value) and "jeanne@example.org" not in str(refused.value)


def test_an_upcaster_meeting_data_it_cannot_read_is_a_schema_violation_not_a_crash():
    event = CloudEvent(
        type="docket.formal_notice.issued",
        source="/docket/case",
        subject="x",
        dataschema="urn:docket:schema:docket.formal_notice.issued:v1",
        data={"orders": 5},
    )
    with pytest.raises(registry.SchemaViolation, match="cannot be upcast: TypeError"):
        registry.parse(event)


def test_a_sanction_recorded_before_conducts_were_kept_still_parses_and_a_conduct_charges_something():
    imposed = {
        "case_id": str(uuid4()),
        "sanction_id": str(uuid4()),
        "decided_on": "2022-10-17",
        "fine_eur": 1,
        "articles_infringed": [6],
        "cap": {
            "paragraph": "83(5)",
            "fixed_eur": 20_000_000,
            "turnover_percent": 4,
            "turnover_eur": None,
            "cap_eur": 20_000_000,
        },
    }
    assert ev.SanctionImposed.model_validate(imposed).conducts is None
    with pytest.raises(ValueError, match="infringes an article or a provision, or does not comply with an order"):
        ev.ConductFined.model_validate({"fine_eur": 1, "cap": imposed["cap"]})
