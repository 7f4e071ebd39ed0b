"""The generated JSON Schemas and AsyncAPI document in docs/ match the contract."""

import re
import shutil
from pathlib import Path

import yaml

from docket_contracts import registry, topics
from docket_contracts.export import render, stale, write
from services.case import store as case
from services.intake import store as intake
from services.notifier import store as notifier

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"


def test_docs_are_up_to_date_with_the_contract():
    assert stale(DOCS) == [], "run: python -m docket_contracts.export docs"


def test_a_changed_missing_or_stray_file_is_reported_stale(tmp_path):
    shutil.copytree(DOCS, tmp_path / "docs")
    docs = tmp_path / "docs"
    assert stale(docs) == []
    (docs / "asyncapi.yaml").write_text("asyncapi: 3.0.0\n")
    (docs / "schemas" / "docket.case.opened.v3.json").unlink()
    (docs / "schemas" / "docket.case.reopened.v1.json").write_text("{}")
    assert stale(docs) == [
        "schemas/docket.case.opened.v3.json",
        "asyncapi.yaml",
        "schemas/docket.case.reopened.v1.json",
    ]
    write(docs)
    assert stale(docs) == []


def test_asyncapi_lists_every_event_on_its_topic_with_cloudevents_headers():
    document = yaml.safe_load(render()["asyncapi.yaml"])
    assert document["asyncapi"] == "3.0.0"
    addressed = {
        (channel["address"], message_ref["$ref"].rsplit("/", 1)[1])
        for channel in document["channels"].values()
        for message_ref in channel["messages"].values()
    }
    assert addressed == {(spec.topic, spec.type.replace(".", "_")) for spec in registry.EVENTS}
    message = document["components"]["messages"]["docket_sanction_imposed"]
    assert {"ce_id", "ce_type", "ce_source", "ce_time", "ce_subject"} <= set(message["headers"]["required"])
    assert message["payload"]["$ref"] == "schemas/docket.sanction.imposed.v2.json"


ARCHITECTURE = DOCS / "ARCHITECTURE.md"


def test_every_link_of_the_architecture_page_reaches_the_code_it_names():
    """A link [`name`](path) reaches an existing path, and a named function or class is defined there."""

    text = ARCHITECTURE.read_text()
    links = re.findall(r"\[`?([^\]`]+)`?\]\(([^)]+)\)", text)
    assert len(links) > 20
    for name, target in links:
        path = (ARCHITECTURE.parent / target).resolve()
        assert path.exists(), target
        symbol = name.rsplit(".", 1)[-1]
        if not name.endswith(".py") and path.is_file() and path.suffix == ".py" and symbol.isidentifier():
            assert re.search(rf"^\s*(async def|def|class) {symbol}\b", path.read_text(), re.M), (name, target)


def test_the_architecture_page_names_each_services_tables_and_every_topic():
    text = ARCHITECTURE.read_text()
    for service, store in (("intake", intake), ("case", case), ("notifier", notifier)):
        box = re.search(rf"subgraph {service} .*?\[\(\"(.*?)\"\)\]", text, re.S)
        assert box is not None, service
        assert set(re.split(r",\s*(?:<br/>)?\s*", box.group(1))) == store.TABLES, service
    assert all(topic in text for topic in topics.ALL)


def test_the_readme_layout_names_every_module_of_every_service():
    readme = ARCHITECTURE.read_text()
    start = readme.index("## How it fits together")
    layout = readme[start : readme.index("```", readme.index("```", start) + 3)]
    named = set(re.findall(r"[a-z_]+\.py", layout))
    modules = {path.name for path in ROOT.glob("services/*/*.py") if not path.name.startswith("__")}
    assert modules - named == set(), "README's layout section does not name these modules"
