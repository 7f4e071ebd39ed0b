"""The generated JSON Schemas and AsyncAPI document in docs/ match the contract."""

import shutil
from pathlib import Path

import yaml

from docket_contracts import registry
from docket_contracts.export import render, stale, write

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_docs_are_up_to_date_with_the_contract():
    assert stale(DOCS) == [], "run: python -m docket_contracts.export docs"


def test_a_changed_missing_or_stray_file_is_reported_stale(tmp_path):
    shutil.copytree(DOCS, tmp_path / "docs")
    docs = tmp_path / "docs"
    assert stale(docs) == []
    (docs / "asyncapi.yaml").write_text("asyncapi: 3.0.0\n")
    (docs / "schemas" / "docket.case.opened.v1.json").unlink()
    (docs / "schemas" / "docket.case.reopened.v1.json").write_text("{}")
    assert stale(docs) == ["schemas/docket.case.opened.v1.json", "asyncapi.yaml",
                           "schemas/docket.case.reopened.v1.json"]
    write(docs)
    assert stale(docs) == []


def test_asyncapi_lists_every_event_on_its_topic_with_cloudevents_headers():
    document = yaml.safe_load(render()["asyncapi.yaml"])
    assert document["asyncapi"] == "3.0.0"
    addressed = {(channel["address"], message_ref["$ref"].rsplit("/", 1)[1])
                 for channel in document["channels"].values() for message_ref in channel["messages"].values()}
    assert addressed == {(spec.topic, spec.type.replace(".", "_")) for spec in registry.EVENTS}
    message = document["components"]["messages"]["docket_sanction_imposed"]
    assert {"ce_id", "ce_type", "ce_source", "ce_time", "ce_subject"} <= set(message["headers"]["required"])
    assert message["payload"]["$ref"] == "schemas/docket.sanction.imposed.v1.json"
