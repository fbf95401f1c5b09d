"""The report's recordings: per conference sid, status, duration and Twilio's media URL."""

from __future__ import annotations

from html import escape
from typing import Any
from urllib.parse import urlsplit

from moderator.domain.recordings import RecordingLedger
from moderator.store.journal import Journal, JournalError
from moderator.store.recording_log import RecordingLog


def journal_recordings(journal: Journal) -> RecordingLedger:
    """Every recording the journal's file holds callbacks of (none: an empty ledger)."""
    try:
        store = RecordingLog(journal.path, read_only=True)
    except JournalError:
        return RecordingLedger()
    try:
        return store.ledger()
    finally:
        store.close()


def recordings_of(ledger: RecordingLedger | None, conference_sid: str) -> list[dict[str, Any]]:
    """The conference's `recordings` list of the JSON report."""
    if ledger is None:
        return []
    return [
        {
            "sid": r.sid,
            "status": r.status,
            "duration_seconds": r.duration,
            "media_url": r.url,
            "started_at": None
            if r.started_at is None
            else r.started_at.isoformat(timespec="seconds").replace("+00:00", "Z"),
            "error_code": r.error_code,
        }
        for r in ledger.of(conference_sid)
    ]


def _duration(seconds: int | None) -> str:
    return "?" if seconds is None else f"{seconds // 60}:{seconds % 60:02}"


def recordings_cell(conference: dict[str, Any]) -> str:
    """One CSV cell: `RE… completed 0:42 URL` per recording, `; ` between them."""
    return "; ".join(
        " ".join(
            [r["sid"], r["status"], _duration(r["duration_seconds"]), r["media_url"] or ""]
        ).strip()
        for r in conference.get("recordings", [])
    )


def recordings_text(conference: dict[str, Any]) -> list[str]:
    """The text report's lines for the conference's recordings."""
    return [
        f"  recording {r['sid']}  {r['status']:<11} {_duration(r['duration_seconds']):>7}"
        f"  {r['media_url'] or ''}".rstrip()
        for r in conference.get("recordings", [])
    ]


def _is_web_address(url: str) -> bool:
    """Only an http(s) URL becomes a link: `javascript:`, `data:` and the like stay text."""
    parts = urlsplit(url.strip())
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def _media_cell(url: str | None) -> str:
    if not url:
        return "<td></td>"
    if _is_web_address(url):
        return f'<td><a href="{escape(url)}">{escape(url)}</a></td>'
    return f"<td>{escape(url)}</td>"


def recordings_html(conference: dict[str, Any]) -> list[str]:
    """The HTML report's recordings table (nothing when there are none)."""
    rows = [
        f"<tr><td>{escape(r['sid'])}</td><td>{escape(r['status'])}</td>"
        f'<td class="num">{_duration(r["duration_seconds"])}</td>'
        + _media_cell(r["media_url"])
        + "</tr>"
        for r in conference.get("recordings", [])
    ]
    if not rows:
        return []
    return [
        "<h2>Recordings</h2>",
        "<table><thead><tr><th>Recording</th><th>Status</th><th>Duration</th><th>Media</th>"
        "</tr></thead><tbody>",
        *rows,
        "</tbody></table>",
    ]
