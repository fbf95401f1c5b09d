"""The report's transcript: per conference, the final caption lines in order, each called by
the speaker's one display name. Partial results never reach it, and only callbacks whose
signature checked out were ever journaled."""

from __future__ import annotations

from datetime import datetime, timezone
from html import escape
from typing import Any

from moderator.domain.names import display_name
from moderator.domain.roster import Conference, Roster
from moderator.domain.timeline import Track
from moderator.domain.transcripts import Line, Transcript, place
from moderator.store.transcript_log import journal_transcript


def placed_lines(
    roster: Roster, conferences: list[Conference], transcript: Transcript | None
) -> dict[str, list[Line]]:
    """Each conference's final lines (see domain/transcripts.place)."""
    if transcript is None:
        return {}
    presence = {}
    for conference in conferences:
        timeline = roster.timeline(conference.sid)
        calls = {}
        if timeline is not None:
            calls = {p.call_sid: p.spans[Track.PRESENT] for p in timeline.participants}
        for participant in roster.participants(conference.sid):
            calls.setdefault(participant.call_sid, ())
        presence[conference.sid] = calls
    return place(transcript.finals(), presence)


def _iso(moment: datetime) -> str:
    """To the millisecond: lines a second apart keep their order for a reader."""
    utc = moment.astimezone(timezone.utc)
    return utc.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def transcript_entries(lines: list[Line], names: dict[str, str]) -> list[dict[str, Any]]:
    """The conference's `transcript` list of the JSON report."""
    return [
        {
            "at": _iso(line.at),
            "call_sid": line.call_sid,
            "name": names.get(line.call_sid) or display_name(),
            "text": line.text,
        }
        for line in lines
    ]


def _clock(at: str, zone: timezone | None = None) -> str:
    """'15:00:03' in the reader's local time (the text report), or in `zone` (HTML: UTC)."""
    moment = datetime.fromisoformat(at.replace("Z", "+00:00"))
    return moment.astimezone(zone).strftime("%H:%M:%S")


def transcript_text(conference: dict[str, Any]) -> list[str]:
    """The text report's transcript lines ('  Transcript:' then time, name, words)."""
    lines = conference.get("transcript", [])
    if not lines:
        return []
    return ["  Transcript:"] + [
        f"    {_clock(t['at'])}  {t['name']}: {' '.join(t['text'].split())}" for t in lines
    ]


def transcript_html(conference: dict[str, Any]) -> list[str]:
    """The HTML report's transcript (nothing when there is none): every word escaped."""
    rows = [
        f'<tr><td class="num">{escape(_clock(t["at"], timezone.utc))}</td>'
        f"<td>{escape(t['name'])}</td><td>{escape(t['text'])}</td></tr>"
        for t in conference.get("transcript", [])
    ]
    if not rows:
        return []
    return [
        "<h2>Transcript</h2>",
        '<table class="transcript"><thead><tr><th>UTC</th><th>Speaker</th><th>Said</th>'
        "</tr></thead><tbody>",
        *rows,
        "</tbody></table>",
    ]


__all__ = [
    "journal_transcript",
    "placed_lines",
    "transcript_entries",
    "transcript_html",
    "transcript_text",
]
