"""`moderator --demo`: the whole loop on one machine, as a new user first sees it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import run_demo

pytestmark = pytest.mark.e2e


def test_demo_mutes_everyone_but_mary_and_reports_it(tmp_path: Path) -> None:
    shot = tmp_path / "demo.png"
    demo = run_demo(
        tmp_path, *("--demo-speed", "10", "--quit-after", "8", "--screenshot", str(shot))
    )
    assert shot.stat().st_size > 10_000

    (meeting,) = demo.report()["conferences"]
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
