"""Which module may import which: reads never reach for writes, and an app never imports one above it."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# docs/architecture.md: the apps stack in this order; an app imports the ones below it, never one above.
STACK = ("core", "students", "attendance", "interventions")


def imported_modules(path: str) -> set[str]:
    tree = ast.parse((ROOT / path).read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


@pytest.mark.parametrize(
    ("path", "forbidden"),
    [
        ("interventions/alerts/detection.py", ("interventions.alerts.services", "core.audit")),
        ("students/selectors.py", ("interventions", "attendance")),
        ("students/api.py", ("interventions", "attendance")),
        ("students/sections.py", ("interventions", "attendance")),
        ("attendance/services.py", ("interventions",)),
    ],
)
def test_module_does_not_import(path, forbidden):
    """Detection only reads; students' reads know nothing of the apps built on students."""
    clashes = sorted(name for name in imported_modules(path) if name.startswith(forbidden))
    assert clashes == [], f"{path} imports {clashes}"


def app_modules(app: str) -> list[str]:
    """The app's own code: everything but its tests and migrations."""
    return sorted(
        str(path.relative_to(ROOT))
        for path in (ROOT / app).rglob("*.py")
        if "tests" not in path.parts and "migrations" not in path.parts
    )


@pytest.mark.parametrize("app", STACK[:-1])
def test_no_app_imports_one_above_it(app):
    above = STACK[STACK.index(app) + 1 :]
    clashes = {
        path: sorted(name for name in imported_modules(path) if name.split(".")[0] in above)
        for path in app_modules(app)
    }
    assert {path: names for path, names in clashes.items() if names} == {}
    assert len(app_modules(app)) > 5  # the walk found the app's code


# docs/architecture.md: query counts are pinned one way, exact and with the SQL printed on failure. A test
# that reads the statements themselves takes them from `assert_query_count(n) as captured`.
OTHER_QUERY_COUNTERS = {
    "django_assert_num_queries",
    "django_assert_max_num_queries",
    "assertNumQueries",
    "CaptureQueriesContext",
}


def counters_used(path: Path) -> set[str]:
    """Names of other query counters the file uses: as a fixture argument, a name or an attribute."""
    used = set()
    for node in ast.walk(ast.parse(path.read_text())):
        name = getattr(node, "arg", None) or getattr(node, "id", None) or getattr(node, "attr", None)
        if isinstance(node, ast.arg | ast.Name | ast.Attribute) and name in OTHER_QUERY_COUNTERS:
            used.add(name)
    return used


def test_query_counts_are_pinned_with_the_one_helper():
    test_files = [path for app in STACK for path in (ROOT / app).rglob("test_*.py")]
    clashes = {str(path.relative_to(ROOT)): sorted(names) for path in test_files if (names := counters_used(path))}
    assert clashes == {}, "use core.testing.queries.assert_query_count"
    assert len(test_files) > 50  # the walk found the tests


def audit_rows_built(path: str) -> list[int]:
    """Lines where the module builds or saves AuditLog rows itself: `AuditLog(…)`, `AuditLog.objects.create`,
    `AuditLog.objects.bulk_create` (bulk writes insert what `entry` built with `record_entries`)."""
    lines = []
    for node in ast.walk(ast.parse((ROOT / path).read_text())):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        named = isinstance(func, ast.Name) and func.id == "AuditLog"
        created = (
            isinstance(func, ast.Attribute)
            and func.attr in ("create", "get_or_create", "update_or_create", "bulk_create")
            and isinstance(func.value, ast.Attribute)
            and func.value.attr == "objects"
            and isinstance(func.value.value, ast.Name)
            and func.value.value.id == "AuditLog"
        )
        if named or created:
            lines.append(node.lineno)
    return lines


def test_audit_rows_are_built_only_by_core_audit():
    """docs/architecture.md: every audit row goes through core.audit (entry / record), bulk writes too."""
    modules = [path for app in STACK for path in app_modules(app) if path != "core/audit.py"]
    clashes = {path: lines for path in modules if (lines := audit_rows_built(path))}
    assert clashes == {}, (
        "build audit rows with core.audit.entry (or record); insert a bulk write's with record_entries"
    )
    assert audit_rows_built("core/audit.py")  # the walk recognises the one place that does it


# The filters that refuse a bad value with a message naming it; core/api/filters.py builds them.
RAW_FILTERS = {"ChoiceFilter", "BooleanFilter", "NumberFilter", "TypedChoiceFilter", "IdFilter"}


def raw_filters_built(path: str) -> list[int]:
    """Lines where the module builds a choice, yes/no or number filter itself (`django_filters.ChoiceFilter(…)`,
    `IdFilter(…)`) instead of through `choice_filter` / `flag_filter` / `row_id_filter`."""
    lines = []
    for node in ast.walk(ast.parse((ROOT / path).read_text())):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if name in RAW_FILTERS:
                lines.append(node.lineno)
    return lines


def test_list_filters_are_built_from_the_core_pieces():
    """docs/architecture.md: every list's FilterSet (API and page) refuses a bad id, choice or yes/no with
    a 400 naming it (never a list quietly unfiltered, as a BooleanFilter does with `?due=maybe`)."""
    modules = [path for app in STACK for path in app_modules(app) if path != "core/api/filters.py"]
    clashes = {path: lines for path in modules if (lines := raw_filters_built(path))}
    assert clashes == {}, "build list filters with core.api.filters (choice_filter, flag_filter, row_id_filter)"
    assert raw_filters_built("core/api/filters.py")  # the walk recognises the one place that does it
