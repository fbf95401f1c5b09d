"""docs/ARCHITECTURE.md stays true: every `file:function` it names exists in that file."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAP = ROOT / "docs" / "ARCHITECTURE.md"
# `moderator/x/y.py:Name` or `moderator/x/y.py:Class.method`; a bare file is checked to exist
NAMED = re.compile(r"(moderator/[\w/]+\.py)(?::([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)?))?")


def _defined(path: Path) -> set[str]:
    """Top-level names and Class.method names the file defines."""
    names: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    names.add(f"{node.name}.{item.name}")
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(t.id for t in targets if isinstance(t, ast.Name))
    return names


def test_every_file_and_function_the_map_names_exists() -> None:
    text = MAP.read_text(encoding="utf-8")
    found = NAMED.findall(text)
    assert len(found) > 50, "the map names its chains as file:function"
    missing = []
    for file, name in found:
        path = ROOT / file
        if not path.exists():
            missing.append(file)
        elif name and name not in _defined(path):
            missing.append(f"{file}:{name}")
    assert not missing, "\n".join(sorted(set(missing)))


def test_the_map_answers_the_six_questions_and_the_readme_links_it() -> None:
    headings = [line for line in MAP.read_text(encoding="utf-8").splitlines() if line[:3] == "## "]
    for question in ("auto-mute", "confirmed mute", "pending", "waiting room", "breakout", "Talk"):
        assert any(question in heading for heading in headings), question
    assert "docs/ARCHITECTURE.md" in (ROOT / "README.md").read_text(encoding="utf-8")
