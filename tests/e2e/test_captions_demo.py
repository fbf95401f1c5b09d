"""`moderator --demo --captions`: the demo's callers are transcribed, and the report carries
the meeting's transcript (final lines only, named as the tiles are)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from moderator.sim.scenarios import MARY, TEAM_MEETING_LINES
from tests.e2e.conftest import child_env, run_moderator

pytestmark = pytest.mark.e2e


def test_demo_with_captions_reports_the_transcript(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = child_env(tmp_path)
    for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN"):
        env.pop(name)
    shot = tmp_path / "captions.png"
    result = run_moderator(
        "--demo",
        "--captions",
        "--demo-speed",
        "20",
        "--quit-after",
        "10",
        "--screenshot",
        str(shot),
        "--data-dir",
        str(data),
        "--port",
        "0",
        env=env,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert shot.stat().st_size > 0
    report = run_moderator("report", "--data-dir", str(data), "--format", "json", env=env)
    assert report.returncode == 0, report.stderr
    (meeting,) = json.loads(report.stdout)["conferences"]
    lines = meeting["transcript"]
    assert lines, "no transcript"
    assert {line["name"] for line in lines} <= {p["name"] for p in meeting["participants"]}
    marys = [line["text"] for line in lines if line["name"] == MARY.label]
    assert marys and set(marys) <= set(TEAM_MEETING_LINES[MARY.number])
    assert [line["at"] for line in lines] == sorted(line["at"] for line in lines)
