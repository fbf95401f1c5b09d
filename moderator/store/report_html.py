"""The report as one self-contained HTML page: attendance, talk-time bars, an SVG timeline."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from html import escape
from typing import Any

from moderator.domain.names import plural
from moderator.domain.recordings import RecordingLedger
from moderator.domain.rooms import side_of
from moderator.domain.roster import Conference, Roster
from moderator.domain.timeline import Marker
from moderator.domain.transcripts import Transcript
from moderator.store.history import open_roster
from moderator.store.journal import ActionRecord, Journal
from moderator.store.report import (
    NameOf,
    action_detail,
    clock,
    door_actions,
    door_rows,
    door_words,
    heading,
    name_callers,
    named,
    people_of,
    report_of,
    select,
    status_words,
    with_sides,
)
from moderator.store.report_recordings import journal_recordings, recordings_html
from moderator.store.report_transcript import journal_transcript, transcript_html
from moderator.store.timeline_svg import timeline_svg

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;color:#1f2430;margin:2em;
max-width:1000px}
h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.1em;margin-top:1.6em}
.facts{color:#6b7280;margin-top:0}
table{border-collapse:collapse;width:100%;font-size:.92em}
th,td{text-align:left;padding:.35em .6em;border-bottom:1px solid #e5e7eb}
th{color:#6b7280;font-weight:600}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.bar{background:#e5e7eb;border-radius:3px;height:10px;width:160px;display:inline-block;
vertical-align:middle;margin-right:.5em}
.bar span{display:block;height:100%;background:#34d399;border-radius:3px}
.svg{overflow-x:auto}
footer{color:#9ca3af;font-size:.8em;margin-top:3em}
"""


def markers_of(actions: list[ActionRecord]) -> list[Marker]:
    """Journaled actions as timeline markers (who took each: the host or a rule)."""
    return [Marker(a.at, a.kind, a.origin, a.call_sid, a.ok) for a in actions]


class JournalViews:
    """What the console's windows read from the journal: markers and a live HTML report."""

    def __init__(self, roster: Roster, journal: Journal) -> None:
        self.roster = roster
        self.journal = journal

    def markers(self, conference_sid: str) -> list[Marker]:
        try:
            return markers_of(self.journal.actions(conference_sid))
        except sqlite3.Error:  # closed at shutdown while a timeline still refreshed
            return []

    def html(self, conference_sid: str) -> str:
        """The live page of one conference, with its meeting's door rows of that meeting's
        time (as `report --format html --conference CF…` would print it)."""
        conference = self.roster.conference(conference_sid)
        chosen = [conference] if conference else []
        everything = self.journal.actions()
        door = door_rows(
            self.roster, door_actions(self.journal, everything), chosen, conference_sid
        )
        own = [a for a in everything if a.conference_sid == conference_sid]
        transcript = journal_transcript(self.journal.path)
        return render_html(self.roster, own, chosen, door=door, transcript=transcript)


def html_report(
    journal: Journal, conference: str | None = None, name_of: NameOf | None = None
) -> str:
    """The page for every conference in the journal, or the one named (SID or name), with the
    door's rows of those meetings (`name_of`: the address book, as the other formats use it)."""
    roster = open_roster(journal, named(conference))
    door = door_actions(journal, journal.actions())
    name_callers(roster, door, name_of)
    chosen = with_sides(select(roster, conference, journal))
    return render_html(
        roster,
        journal.actions(),
        chosen,
        recordings=journal_recordings(journal),
        door=door_rows(roster, door, chosen, conference, name_of),
        transcript=journal_transcript(journal.path),
    )


def render_html(
    roster: Roster,
    actions: list[ActionRecord],
    conferences: list[Conference],
    now: datetime | None = None,
    recordings: RecordingLedger | None = None,
    door: list[dict[str, Any]] | None = None,
    transcript: Transcript | None = None,
) -> str:
    """The page for `conferences` of `roster` (also used by the console for a live roster)."""
    report = report_of(roster, actions, conferences, recordings, transcript)
    made = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    # the meetings' names: a waiting room or breakout room is part of its meeting
    names = list(
        dict.fromkeys(
            (side[0] if (side := side_of(c.friendly_name)) else c.friendly_name) or c.sid
            for c in conferences
        )
    )
    title = "Conference report: " + ", ".join(names) if names else "Conference report"
    body = [_conference(roster, entry, actions) for entry in report["conferences"]]
    if not body and not door:
        body = ["<p>No conferences in the journal yet.</p>"]
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>",
            *body,
            *_door(door or []),
            f"<footer>Made by the Conference Moderator Console at {made:%Y-%m-%d %H:%M} UTC"
            " from Twilio's conference callbacks.</footer>",
            "</body></html>",
            "",
        ]
    )


def _door(rows: list[dict[str, Any]]) -> list[str]:
    """The "At the door" section: PIN attempts, turned away, admitted, lock, rooms, moves."""
    if not rows:
        return []
    cells = [
        f"<tr><td>{_when(d['at'])}</td><td>{escape(d['meeting'] or '')}</td>"
        f"<td>{escape(door_words(d))}</td></tr>"
        for d in rows
    ]
    return [
        "<section><h2>At the door</h2>",
        "<table><thead><tr><th>At</th><th>Meeting</th><th>What happened</th></tr></thead>",
        "<tbody>",
        *cells,
        "</tbody></table></section>",
    ]


def _conference(roster: Roster, entry: dict[str, Any], actions: list[ActionRecord]) -> str:
    name = entry["friendly_name"] or entry["sid"]
    people = people_of(entry["participants"])
    facts = [
        status_words(entry),
        f"duration {clock(entry['duration_seconds'])}",
        f"{plural(len(people), 'participant')}, at most {entry['peak_participants']} at once",
    ]
    total_talk = sum(p["talk_seconds"] for p in people) or 1.0
    most = max((p["talk_seconds"] for p in people), default=0.0) or 1.0
    rows = []
    for p in people:
        share = p["talk_seconds"] / total_talk
        rejoined = f" (rejoined {plural(p['calls'] - 1, 'time')})" if p["calls"] > 1 else ""
        rows.append(
            "<tr>"
            f"<td>{escape(p['name'])}{escape(rejoined)}</td>"
            f"<td>{_when(p['joined_at'])}</td><td>{_when(p['left_at']) or '-'}</td>"
            f'<td class="num">{clock(p["present_seconds"])}</td>'
            f'<td><span class="bar"><span style="width:{100 * p["talk_seconds"] / most:.0f}%">'
            f"</span></span>{clock(p['talk_seconds'])} ({share:.0%})</td>"
            f'<td class="num">{clock(p["muted_seconds"])}</td>'
            "</tr>"
        )
    timeline = roster.timeline(entry["sid"])
    own = markers_of([a for a in actions if a.conference_sid == entry["sid"]])
    svg = timeline_svg(timeline, own, f"Timeline of {name}") if timeline else ""
    action_rows = [
        f"<tr><td>{_when(a['at'])}</td><td>{escape(_what(a))}</td>"
        f"<td>{escape(a.get('target') or 'everyone')}</td><td>{escape(a.get('by') or '')}</td>"
        f"<td>{escape(_outcome(a))}</td></tr>"
        for a in entry["actions"]
    ]
    return "\n".join(
        [
            f"<section><h1>{escape(heading(entry))}</h1>",
            f'<p class="facts">{escape(" · ".join(facts))}</p>',
            "<h2>Attendance and talk time</h2>",
            "<table><thead><tr><th>Participant</th><th>Joined</th><th>Left</th>"
            "<th>Present</th><th>Talk time (share)</th><th>Muted</th></tr></thead>",
            "<tbody>",
            *rows,
            "</tbody></table>",
            "<h2>Timeline</h2>",
            f'<div class="svg">{svg}</div>',
            *recordings_html(entry),
            *transcript_html(entry),
            *(
                [
                    "<h2>What the console did</h2>",
                    "<table><thead><tr><th>At</th><th>Action</th><th>For</th><th>By</th><th>Outcome</th>"
                    "</tr></thead><tbody>",
                    *action_rows,
                    "</tbody></table>",
                ]
                if action_rows
                else []
            ),
            "</section>",
        ]
    )


def _what(action: dict[str, Any]) -> str:
    """'mute'; 'whisper to Alice'; 'announce "Break until 3"'."""
    return f"{action['kind']} {action_detail(action)}".rstrip()


def _outcome(action: dict[str, Any]) -> str:
    if action["confirmed"]:
        return "confirmed"
    return "ok" if action["ok"] else str(action["error"] or "sent")


def _when(iso: str | None) -> str:
    """'2026-11-25 15:00:03' from the report's ISO form ('' when not known)."""
    if not iso:
        return ""
    return escape(iso.replace("T", " ").replace("Z", "")[:19])
