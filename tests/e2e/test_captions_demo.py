"""`moderator --demo --captions`: the demo's callers are transcribed, and the report carries
the meeting's transcript (final lines only, named as the tiles are)."""

from __future__ import annotations

from pathlib import Path

import pytest

from moderator.sim.scenarios import MARY, TEAM_MEETING_LINES
from tests.e2e.conftest import run_demo

pytestmark = pytest.mark.e2e


def test_demo_with_captions_reports_the_transcript(tmp_path: Path) -> None:
    shot = tmp_path / "captions.png"
    demo = run_demo(
        tmp_path,
        *("--captions", "--demo-speed", "20", "--quit-after", "10", "--screenshot", str(shot)),
    )
    assert shot.stat().st_size > 0
    (meeting,) = demo.report()["conferences"]
    lines = meeting["transcript"]
    assert lines, "no transcript"
    assert {line["name"] for line in lines} <= {p["name"] for p in meeting["participants"]}
    marys = [line["text"] for line in lines if line["name"] == MARY.label]
    assert marys and set(marys) <= set(TEAM_MEETING_LINES[MARY.number])
    assert [line["at"] for line in lines] == sorted(line["at"] for line in lines)
