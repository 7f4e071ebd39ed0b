"""The settings table of docs/operations.md is the one generated from the services' settings classes."""

from pathlib import Path

from pydantic import Field

from docgen import configuration
from services.case.config import CaseSettings

PAGE = Path(__file__).resolve().parents[2] / "docs" / "operations.md"


def table() -> dict[str, tuple[str, str, str]]:
    return {variable.strip("`"): tuple(rest) for variable, *rest in configuration.rows()}


def test_the_readme_s_table_is_up_to_date():
    text = PAGE.read_text()
    assert configuration.replaced(text) == text, "run: make docs"
    assert text.count(configuration.BEGIN) == 1 and text.count(configuration.END) == 1


def test_every_setting_of_every_service_is_in_the_table_with_what_it_does():
    rows = table()
    for service, settings in configuration.SETTINGS.items():
        for name in settings.model_fields:
            _default, readers, meaning = rows[name.upper()]
            assert readers == "all" or service in readers.split(", ")
            assert meaning, f"{name} of {service} has no description"


def test_defaults_required_settings_and_the_services_that_read_them():
    rows = table()
    assert rows["DATABASE_URL"][:2] == ("required", "all")
    assert rows["HTTP_PORT"][0] == "intake: `8001`; case: `8002`; notifier: `8003`"
    assert rows["KEYSTORE_MASTER_KEY"][:2] == ("unset", "intake, notifier")
    assert rows["RUN_TIMERS"][:2] == ("`true`", "case")
    assert rows["WEBHOOK_ALLOW_LIST"][:2] == ("empty", "notifier")
    assert rows["RELAY_POLL_INTERVAL_S"][0] == "`2`"
    assert rows["MAX_BODY_BYTES"][0] == "`65536`"


def test_a_new_or_changed_setting_makes_the_readme_s_table_stale(monkeypatch, tmp_path):
    class Changed(CaseSettings):
        timer_interval_s: float = Field(default=60.0, description="how often due deadlines are looked for")
        archive_after_days: int = Field(default=3650, description="when a closed case is archived")

    readme = tmp_path / "operations.md"
    readme.write_text(PAGE.read_text())
    assert configuration.main([str(readme), "--check"]) == 0
    monkeypatch.setitem(configuration.SETTINGS, "case", Changed)
    assert configuration.main([str(readme), "--check"]) == 1
    assert configuration.main([str(readme)]) == 0
    written = readme.read_text()
    assert "| `ARCHIVE_AFTER_DAYS` | `3650` | case | when a closed case is archived |" in written
    assert "| `TIMER_INTERVAL_S` | `60` | case |" in written
    assert configuration.main([str(readme), "--check"]) == 0
