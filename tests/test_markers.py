"""`make test-fast` leaves out the builds and the e2e processes by their markers: every test
module under tests/e2e and tests/bundle must carry one, or the fast loop quietly grows."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

TESTS = Path(__file__).parent
MARKED = {"e2e": "e2e", "bundle": "build"}


def _module_marks(path: Path) -> set[str]:
    """The names in `pytestmark = pytest.mark.NAME` at a module's top level."""
    marks: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "pytestmark" for t in node.targets)
            and isinstance(node.value, ast.Attribute)
        ):
            marks.add(node.value.attr)
    return marks


@pytest.mark.parametrize("folder", sorted(MARKED))
def test_every_process_test_module_carries_its_marker(folder: str) -> None:
    unmarked = [
        path.name
        for path in sorted((TESTS / folder).glob("test_*.py"))
        if MARKED[folder] not in _module_marks(path)
    ]
    assert unmarked == [], f"tests/{folder}: no pytestmark = pytest.mark.{MARKED[folder]}"
