"""`moderator --demo`: the whole loop on one machine, as a new user first sees it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.conftest import child_env, run_moderator

pytestmark = pytest.mark.e2e


def test_demo_mutes_everyone_but_mary_and_reports_it(tmp_path: Path) -> None:
    data, shot = tmp_path / "data", tmp_path / "demo.png"
    env = child_env(tmp_path)
    for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN"):
        env.pop(name)  # the demo needs no account
    result = run_moderator(
        "--demo",
        "--demo-speed",
        "10",
        "--quit-after",
        "8",
        "--data-dir",
        str(data),
        "--port",
        "0",
        "--screenshot",
        str(shot),
        env=env,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert shot.stat().st_size > 10_000

    report = run_moderator("report", "--data-dir", str(data), "--format", "json", env=env)
    assert report.returncode == 0, report.stderr
    (meeting,) = json.loads(report.stdout)["conferences"]
    assert meeting["friendly_name"] == "TeamMeeting"
    people = meeting["participants"]
    present = {p["label"]: p for p in people if p["present"]}
    assert set(present) == {"Mary", "Alice", "Bob", "Charles"}
    assert not present["Mary"]["muted"]
    assert all(present[name]["muted"] for name in ("Alice", "Bob", "Charles"))

    label_of = {p["call_sid"]: p["label"] for p in people}
    confirmed_mutes = {
        label_of[a["call_sid"]]
        for a in meeting["actions"]
        if a["kind"] == "mute" and a["ok"] and a["confirmed"]
    }
    assert confirmed_mutes == {"Alice", "Bob", "Charles"}
    assert present["Bob"]["call_sid"] in {a["call_sid"] for a in meeting["actions"]}
