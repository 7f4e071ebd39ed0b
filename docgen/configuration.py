"""The configuration reference: every setting of the three services, its default, which services read it and
what it does, taken from their settings classes. It is the table under "Configuration" in docs/operations.md,
written by `make docs`; tests/unit/test_configuration.py fails when that copy is stale.

    python -m docgen.configuration docs/operations.md          # write the table into the page
    python -m docgen.configuration docs/operations.md --check  # exit 1 if the page's table is stale
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings

from services.case.config import CaseSettings
from services.intake.config import IntakeSettings
from services.notifier.config import NotifierSettings

SETTINGS: dict[str, type[BaseSettings]] = {"intake": IntakeSettings, "case": CaseSettings, "notifier": NotifierSettings}
BEGIN = "<!-- the settings table: written by `make docs` (python -m docgen.configuration docs/operations.md) -->"
END = "<!-- end of the settings table -->"


def default_of(field: FieldInfo) -> str:
    if field.is_required():
        return "required"
    value = field.get_default(call_default_factory=True)
    if value is None:
        return "unset"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, float):
        return f"`{value:g}`"
    if isinstance(value, list | tuple | set | frozenset):  # a list of records by their ids (the authorities')
        return f"`{', '.join(sorted(str(getattr(item, 'id', item)) for item in value))}`" if value else "empty"
    return f"`{value}`"


def description_of(settings: type[BaseSettings], name: str) -> str:
    """The field's description, from the class that gave one (a service that sets its own default for a
    setting of every service keeps the common description)."""
    for cls in settings.__mro__:
        field = getattr(cls, "model_fields", {}).get(name)
        if field is not None and field.description:
            return field.description
    return ""


def by_service(values: Mapping[str, str]) -> str:
    """One value when every service that reads the setting has the same, else each group's."""
    groups: dict[str, list[str]] = {}
    for service, value in values.items():
        groups.setdefault(value, []).append(service)
    if len(groups) == 1:
        return next(iter(groups))
    return "; ".join(f"{', '.join(services)}: {value}" for value, services in groups.items())


def rows() -> Iterator[tuple[str, str, str, str]]:
    """(variable, default, read by, meaning) for every setting: those of every service first, then those of
    fewer, each group in the order the classes declare them."""
    names = list(dict.fromkeys(name for settings in SETTINGS.values() for name in settings.model_fields))
    names.sort(key=lambda name: -sum(name in settings.model_fields for settings in SETTINGS.values()))
    for name in names:
        readers = {service: settings for service, settings in SETTINGS.items() if name in settings.model_fields}
        yield (
            f"`{name.upper()}`",
            by_service({service: default_of(s.model_fields[name]) for service, s in readers.items()}),
            "all" if len(readers) == len(SETTINGS) else ", ".join(readers),
            by_service({service: description_of(s, name) for service, s in readers.items()}),
        )


def render() -> str:
    lines = ["| variable | default | read by | meaning |", "|---|---|---|---|"]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows()]
    return "\n".join([BEGIN, *lines, END])


def replaced(page: str) -> str:
    """`page` with its table (between BEGIN and END) rendered anew."""
    start, end = page.index(BEGIN), page.index(END) + len(END)
    return page[:start] + render() + page[end:]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m docgen.configuration", description=__doc__.split("\n\n")[0])
    parser.add_argument("page", type=Path, help="the Markdown page that holds the table")
    parser.add_argument("--check", action="store_true", help="exit 1 if the table is stale, change nothing")
    args = parser.parse_args(argv)
    text = args.page.read_text()
    if args.check:
        if replaced(text) != text:
            sys.stderr.write(f"{args.page}: the settings table is stale: run make docs\n")
            return 1
        return 0
    args.page.write_text(replaced(text))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
