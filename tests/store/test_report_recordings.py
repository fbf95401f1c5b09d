"""Recordings in the report: JSON per conference, and a mention in CSV, text and HTML."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from moderator.domain.events import parse_callback
from moderator.domain.recordings import parse_recording_callback
from moderator.store.journal import Journal
from moderator.store.recording_log import RecordingLog
from moderator.store.report import build_report, render
from moderator.store.report_html import html_report
from tests.forms import CONFERENCE_SID, team_meeting

NOW = datetime(2026, 11, 25, 16, 0, tzinfo=timezone.utc)
RE = "RE" + "b" * 32
URL = f"https://api.twilio.com/2010-04-01/Accounts/AC/Recordings/{RE}"


def recording(status: str, **extra: str) -> dict[str, str]:
    return {
        "AccountSid": "AC" + "0" * 32,
        "ConferenceSid": CONFERENCE_SID,
        "RecordingSid": RE,
        "RecordingUrl": URL,
        "RecordingStatus": status,
        "RecordingStartTime": "Wed, 25 Nov 2026 15:00:03 +0000",
        **extra,
    }


def test_recordings_in_json_csv_text_and_html(tmp_path: Path) -> None:
    journal = Journal.in_dir(tmp_path)
    journal.append_callbacks([(NOW, f, parse_callback(f, NOW)) for f in team_meeting()])
    store = RecordingLog(journal.path)
    # out of order: the completed callback first, a late in-progress after it
    for form in (recording("completed", RecordingDuration="125"), recording("in-progress")):
        store.append(NOW, form, parse_recording_callback(form, NOW))
    store.close()
    report = build_report(journal)
    (conference,) = json.loads(render(report, "json"))["conferences"]
    assert conference["recordings"] == [
        {
            "sid": RE,
            "status": "completed",
            "duration_seconds": 125,
            "media_url": URL,
            "started_at": "2026-11-25T15:00:03Z",
            "error_code": None,
        }
    ]
    assert f"{RE} completed 2:05 {URL}" in render(report, "csv")
    assert f"recording {RE}  completed" in render(report, "text")
    page = html_report(journal)
    assert "<h2>Recordings</h2>" in page and f'href="{URL}"' in page
    journal.close()


def test_a_recording_url_that_is_not_http_is_no_link(tmp_path: Path) -> None:
    journal = Journal.in_dir(tmp_path)
    journal.append_callbacks([(NOW, f, parse_callback(f, NOW)) for f in team_meeting()])
    store = RecordingLog(journal.path)
    hostile = "javascript:alert(document.cookie)"
    form = recording("completed", RecordingDuration="5", RecordingUrl=hostile)
    store.append(NOW, form, parse_recording_callback(form, NOW))
    store.close()
    page = html_report(journal)
    journal.close()
    assert hostile in page  # shown as text
    assert 'href="javascript' not in page.replace(" ", "").lower()
    assert "<a " not in page.split("<h2>Recordings</h2>", 1)[1]
