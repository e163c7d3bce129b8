"""Which package may import which: the boundaries DESIGN §4 draws, checked on the source."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def importers_of(package: str, under: str) -> dict[str, set[str]]:
    found = {}
    for path in sorted((ROOT / under).rglob("*.py")):
        hits = {
            name for name in imported_modules(path) if name.split(".")[:2] == package.split(".")
        }
        if hits:
            found[str(path.relative_to(ROOT))] = hits
    return found


def test_services_do_not_import_selectors():
    assert importers_of("cases.selectors", "cases/services") == {}


def test_services_do_not_import_the_tasks():
    """The tasks call the services; services ask for tasks by name (``cases.enqueue``)."""
    assert importers_of("cases.tasks", "cases/services") == {}


def test_models_import_no_services_selectors_or_views():
    for layer in ("cases.services", "cases.selectors", "cases.views", "cases.admin"):
        assert importers_of(layer, "cases/models") == {}, layer


def test_the_pure_modules_import_no_model():
    """Deadline arithmetic, clock rules, choices, actors: plain Python on plain values."""
    for module in ("deadlines", "clock_rules", "choices", "actors"):
        path = ROOT / "cases" / f"{module}.py"
        hits = {name for name in imported_modules(path) if name.startswith("cases.models")}
        assert not hits, (module, hits)


def test_only_the_events_module_writes_case_events():
    """``CaseEvent`` rows are created by the named functions of ``cases/events.py``."""
    writers = set()
    for path in sorted((ROOT / "cases").rglob("*.py")):
        text = path.read_text()
        if "CaseEvent.objects.create" in text or "CaseEvent.objects.bulk_create" in text:
            writers.add(str(path.relative_to(ROOT)))
    assert writers == {"cases/events.py"}


def test_only_the_seed_demo_command_imports_the_demo_data():
    """The demo and benchmark generators are dev tooling, not the app's runtime."""
    outside = {
        path: names
        for path, names in importers_of("cases.demo", "cases").items()
        if not path.startswith("cases/demo/")
    }
    assert set(outside) == {"cases/management/commands/seed_demo.py"}
    assert importers_of("cases.demo", "protection_center") == {}


def test_routes_are_declared_in_urls_modules():
    """Views do not register their own paths (the admin's ``get_urls`` aside)."""
    declaring = {
        path
        for under in ("cases", "protection_center")
        for path, names in importers_of("django.urls", under).items()
        if names & {"django.urls.path", "django.urls.re_path"}
        and not path.endswith("/urls.py")
        and not path.startswith("cases/admin/")
    }
    assert declaring == set()
