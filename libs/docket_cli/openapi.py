"""The case commands as the case service declares them in its live OpenAPI document; pure.

`docket case do ID ROUTE --set field=value` finds ROUTE among the case service's command routes (a path under
`/cases/{case_id}/`, written with the ids filled in: `formal-notices/3f2.../compliance`), checks each field
against the route's request body schema and gives it the JSON type the schema names. A route the service
gains later is a command at once, with no change here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .problems import Problem

CASE_PREFIX = "/cases/{case_id}/"
COMMAND_METHODS = ("post", "put", "patch", "delete")
VERSIONED_BY = "If-Match"  # the header a command route takes the case version in
HIDDEN = frozenset({"expected_version"})  # the version travels as If-Match
PARAMETER = re.compile(r"^\{(\w+)\}$")

Schema = Mapping[str, Any]


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    required: bool
    description: str


@dataclass(frozen=True)
class Route:
    """One command route of the case service, with the document its schemas refer into."""

    method: str
    template: str
    operation: Schema
    document: Schema

    @property
    def name(self) -> str:
        """The route as `docket case do` takes it: `formal-notices/{notice_id}/compliance`."""
        return self.template.removeprefix(CASE_PREFIX)

    @property
    def summary(self) -> str:
        return str(
            self.operation.get("summary") or self.operation.get("operationId", "").split("_cases_")[0].replace("_", " ")
        )

    @property
    def roles(self) -> str:
        found = re.search(r"\*\*Roles:\*\*\s*([^.\n]+)", str(self.operation.get("description", "")))
        return found.group(1).strip() if found else ""

    @property
    def versioned(self) -> bool:
        """Whether the route takes the case version the caller saw (every lifecycle command does)."""
        return any(
            p.get("in") == "header" and p.get("name") == VERSIONED_BY for p in self.operation.get("parameters", ())
        )

    @property
    def body_schema(self) -> Schema | None:
        content = self.operation.get("requestBody", {}).get("content", {})
        schema = content.get("application/json", {}).get("schema")
        return resolve(self.document, schema) if schema else None

    def fields(self) -> list[Field]:
        schema = self.body_schema or {}
        required = set(schema.get("required", ()))
        return [
            Field(name, type_text(self.document, sub), name in required, str(sub.get("description", "")))
            for name, sub in schema.get("properties", {}).items()
            if name not in HIDDEN
        ]

    def path(self, case_id: str, written: str) -> str:
        """The request path for a route written with its ids filled in."""
        return f"/cases/{case_id}/{written.strip('/')}"


def resolve(document: Schema, schema: Schema) -> Schema:
    """A schema with its `$ref` (to `#/components/schemas/...`) followed."""
    seen = 0
    while "$ref" in schema:
        seen += 1
        if seen > 50:
            raise Problem(f"the case service's OpenAPI document refers in a circle at {schema['$ref']}")
        node: Any = document
        for part in str(schema["$ref"]).removeprefix("#/").split("/"):
            node = node[part]
        schema = node
    return schema


def alternatives(document: Schema, schema: Schema) -> list[Schema]:
    """The non-null schemas a value may match (`anyOf`/`oneOf`; a plain schema is its own one)."""
    schema = resolve(document, schema)
    options = schema.get("anyOf") or schema.get("oneOf")
    if not options:
        return [schema]
    found = [resolve(document, option) for option in options]
    return [option for option in found if option.get("type") != "null"]


def nullable(document: Schema, schema: Schema) -> bool:
    schema = resolve(document, schema)
    return any(resolve(document, o).get("type") == "null" for o in schema.get("anyOf") or schema.get("oneOf") or ())


def type_text(document: Schema, schema: Schema) -> str:
    """How a field's type reads in a listing: `date`, `list of integer`, `one of a, b`, `object (orders, ...)`."""
    texts = []
    for option in alternatives(document, schema):
        if "enum" in option:
            texts.append("one of " + ", ".join(str(v) for v in option["enum"]))
        elif option.get("type") == "array":
            texts.append("list of " + type_text(document, option.get("items", {})))
        elif option.get("type") == "object" or "properties" in option:
            texts.append(f"object ({', '.join(option.get('properties', {}))})")
        else:
            texts.append(str(option.get("format") or option.get("type") or "any"))
    return " or ".join(texts) or "any"


def command_routes(document: Schema) -> list[Route]:
    """Every command route under /cases/{case_id}/, in the order the document lists them."""
    return [
        Route(method, template, operation, document)
        for template, operations in document.get("paths", {}).items()
        if template.startswith(CASE_PREFIX)
        for method, operation in operations.items()
        if method in COMMAND_METHODS
    ]


def segments(text: str) -> list[str]:
    return [part for part in text.strip("/").split("/") if part]


def match(routes: Sequence[Route], written: str) -> Route:
    """The route `written` names, ids filled in (`sanctions/5b1.../liquidations`) or as templated; where two
    fit, the one with more fixed segments."""
    parts = segments(written)
    fitting = []
    for route in routes:
        template = segments(route.name)
        if len(template) == len(parts) and all(
            PARAMETER.match(t) or t == p for t, p in zip(template, parts, strict=False)
        ):
            fitting.append((sum(not PARAMETER.match(t) for t in template), route))
    if not fitting:
        offered = ", ".join(sorted({route.name for route in routes})) or "none"
        raise Problem(
            f"the case service has no command {written!r}; it has: {offered} (`docket case routes` describes each)"
        )
    return max(fitting, key=lambda found: found[0])[1]


def parse_assignment(text: str, option: str) -> tuple[list[str], str]:
    name, equals, value = text.partition("=")
    if not equals or not name.strip():
        raise Problem(f"{option} takes field=value, not {text!r}")
    return name.strip().split("."), value


INTEGER = re.compile(r"[+-]?\d+(_\d+)*")  # 20_000_000 reads as it is written
NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
BOOLEANS = {"true": True, "yes": True, "false": False, "no": False}


def coerce(document: Schema, schema: Schema, value: str, field: str) -> Any:
    """`value` as typed on the command line, in the JSON type the schema gives the field (the first of its
    alternatives that takes it)."""
    if value == "null" and nullable(document, schema):
        return None
    for option in alternatives(document, schema):
        kind = option.get("type") or ("object" if "properties" in option else None)
        if kind == "array":
            return [
                coerce(document, option.get("items", {}), item.strip(), field)
                for item in value.split(",")
                if item.strip()
            ]
        if kind == "integer" and INTEGER.fullmatch(value):
            return int(value)
        if kind == "number" and NUMBER.fullmatch(value):
            return int(value) if INTEGER.fullmatch(value) else float(value)
        if kind == "boolean" and value.lower() in BOOLEANS:
            return BOOLEANS[value.lower()]
        if kind == "string":
            return value
        if kind in ("object", None):
            try:
                return json.loads(value)
            except ValueError:
                if kind is None:
                    return value
    hint = (
        f"; give an object with --set-json {field}='{{...}}' or field by field ({field}.name=value)"
        if "object" in type_text(document, schema)
        else ""
    )
    raise Problem(f"{field}: {value!r} is not {type_text(document, schema)}{hint}")


def child(document: Schema, schema: Schema, part: str, field: str) -> Schema:
    """The schema one step down a dotted field: an object's property, or an array's item by its index."""
    for option in alternatives(document, schema):
        properties = option.get("properties")
        if properties is not None:
            if part not in properties or part in HIDDEN:
                known = ", ".join(name for name in properties if name not in HIDDEN)
                raise Problem(f"{field}: no such field; the fields here are {known}")
            return resolve(document, properties[part])
        if option.get("type") == "array" and part.isdigit():
            return resolve(document, option.get("items", {}))
    raise Problem(f"{field}: {type_text(document, schema)} has no part {part!r}")


def put(target: Any, path: list[str], value: Any, field: str) -> None:
    """Set `value` at `path` in the nested dicts and lists of `target`; a list given again is extended."""
    key: str | int = int(path[0]) if path[0].isdigit() else path[0]
    if len(path) == 1:
        if isinstance(key, int):
            while len(target) <= key:
                target.append(None)
            target[key] = value
        elif isinstance(value, list) and isinstance(target.get(key), list):
            target[key].extend(value)
        else:
            target[key] = value
        return
    empty: Any = [] if path[1].isdigit() else {}
    if isinstance(key, int):
        while len(target) <= key:
            target.append(None)
        if target[key] is None:
            target[key] = empty
        put(target[key], path[1:], value, field)
    else:
        if not isinstance(target.get(key), (dict, list)):
            target[key] = empty
        put(target[key], path[1:], value, field)


def body(route: Route, sets: Sequence[str] = (), jsons: Sequence[str] = ()) -> dict[str, Any]:
    """The request body from `--set field=value` (typed by the schema) and `--set-json field=JSON` (as given);
    dotted fields reach into objects and lists: `injunction.orders.0.text=...`."""
    schema = route.body_schema
    if schema is None:
        if sets or jsons:
            raise Problem(f"{route.name} takes no fields")
        return {}
    found: dict[str, Any] = {}
    for option, given in (("--set", sets), ("--set-json", jsons)):
        for text in given:
            path, value = parse_assignment(text, option)
            node, field = schema, ".".join(path)
            for part in path:
                node = child(route.document, node, part, field)
            if option == "--set-json":
                try:
                    typed = json.loads(value)
                except json.JSONDecodeError as exc:
                    raise Problem(f"{field}: --set-json takes a JSON value ({exc.msg})") from None
            else:
                typed = coerce(route.document, node, value, field)
            put(found, path, typed, field)
    return found
