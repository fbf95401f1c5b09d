"""`moderator --demo --record`: the demo meeting is recorded, and the report lists the
completed recording with its duration and Twilio's media URL."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import run_demo, run_moderator

pytestmark = pytest.mark.e2e


def test_demo_with_record_reports_a_completed_recording(tmp_path: Path) -> None:
    demo = run_demo(tmp_path, "--record", "--demo-speed", "60", "--quit-after", "9")
    (meeting,) = demo.report()["conferences"]
    assert meeting["status"] == "completed"
    (recording,) = meeting["recordings"]
    assert recording["status"] == "completed"
    assert recording["sid"].startswith("RE")
    # the meeting lasts about 175 scenario seconds from its start
    assert 100 <= recording["duration_seconds"] <= 200
    assert recording["media_url"].endswith("/Recordings/" + recording["sid"])
    text = run_moderator("report", "--data-dir", str(demo.data), "--format", "text", env=demo.env)
    assert f"recording {recording['sid']}" in text.stdout
