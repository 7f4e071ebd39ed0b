"""The house keeps its shape: the law imports nothing of the runtime, and no room or function outgrows what a
reader takes in at once (docs/ARCHITECTURE.md, "How it fits together")."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ROOT / "services"
LIBS = ROOT / "libs"
# What a domain may import besides its own package and the standard library.
DOMAIN_MAY_IMPORT = {"docket_contracts"}
MODULE_LINES = 500
FUNCTION_LINES = 80


def python_files(*folders: Path) -> list[Path]:
    return sorted(
        path
        for folder in folders
        for path in folder.rglob("*.py")
        if "migrations" not in path.relative_to(ROOT).parts and "__pycache__" not in path.parts
    )


def domain_modules() -> list[Path]:
    found = []
    for service in sorted(p for p in SERVICES.iterdir() if p.is_dir() and (p / "main.py").exists()):
        found += [service / "domain.py"] if (service / "domain.py").exists() else []
        found += sorted((service / "domain").glob("*.py")) if (service / "domain").is_dir() else []
    return found


def imported_roots(path: Path) -> set[str]:
    """The top-level packages a module imports absolutely (relative imports stay inside its own package)."""
    roots = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_there_are_domains_to_check():
    names = {path.relative_to(SERVICES).parts[0] for path in domain_modules()}
    assert names == {"intake", "case", "notifier"}


@pytest.mark.parametrize("path", domain_modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_a_domain_imports_only_the_standard_library_and_the_contract(path: Path):
    foreign = imported_roots(path) - set(sys.stdlib_module_names) - DOMAIN_MAY_IMPORT - {"__future__"}
    assert not foreign, f"{path.relative_to(ROOT)} imports {sorted(foreign)}"


def test_the_check_sees_a_domain_that_imports_the_runtime(tmp_path):
    module = tmp_path / "domain.py"
    module.write_text("from docket_messaging.outbox import PostgresOutbox\nimport sqlmodel\nfrom . import fines\n")
    assert imported_roots(module) == {"docket_messaging", "sqlmodel"}


@pytest.mark.parametrize("path", python_files(SERVICES / "case"), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_of_the_case_service_is_over_500_lines(path: Path):
    assert len(path.read_text().splitlines()) <= MODULE_LINES


def long_functions(path: Path) -> list[str]:
    """Each function of `path` longer than FUNCTION_LINES, from its `def` to its last line."""
    return [
        f"{path.name}:{node.lineno} {node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno is not None
        and node.end_lineno - node.lineno + 1 > FUNCTION_LINES
    ]


def test_no_function_of_the_services_or_the_libraries_is_over_80_lines():
    """Migrations (snapshots of a schema's history), the benchmarks and the tests are not held to it."""
    found = [
        f"{path.relative_to(ROOT)}: {line}" for path in python_files(SERVICES, LIBS) for line in long_functions(path)
    ]
    assert not found, "\n".join(found)


def test_the_function_check_counts_a_function_from_def_to_last_line(tmp_path):
    module = tmp_path / "m.py"  # 81 lines, then 2
    body = "\n".join(f"    x{n} = {n}" for n in range(FUNCTION_LINES))
    module.write_text(f"def long():\n{body}\n\ndef short():\n    return 1\n")
    assert [line.split()[1] for line in long_functions(module)] == ["long"]
