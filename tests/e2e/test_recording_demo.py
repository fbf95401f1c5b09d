"""`moderator --demo --record`: the demo meeting is recorded, and the report lists the
completed recording with its duration and Twilio's media URL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.conftest import child_env, run_moderator

pytestmark = pytest.mark.e2e


def test_demo_with_record_reports_a_completed_recording(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = child_env(tmp_path)
    for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN"):
        env.pop(name)
    result = run_moderator(
        "--demo",
        "--record",
        "--demo-speed",
        "60",
        "--quit-after",
        "9",
        "--data-dir",
        str(data),
        "--port",
        "0",
        env=env,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr

    report = run_moderator("report", "--data-dir", str(data), "--format", "json", env=env)
    assert report.returncode == 0, report.stderr
    (meeting,) = json.loads(report.stdout)["conferences"]
    assert meeting["status"] == "completed"
    (recording,) = meeting["recordings"]
    assert recording["status"] == "completed"
    assert recording["sid"].startswith("RE")
    # the meeting lasts about 175 scenario seconds from its start
    assert 100 <= recording["duration_seconds"] <= 200
    assert recording["media_url"].endswith("/Recordings/" + recording["sid"])
    text = run_moderator("report", "--data-dir", str(data), "--format", "text", env=env)
    assert f"recording {recording['sid']}" in text.stdout
