"""Which module may import which: reads never reach for writes, and an app never imports one above it."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def imported_modules(path: str) -> set[str]:
    tree = ast.parse((ROOT / path).read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
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
