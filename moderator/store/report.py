"""The attendance report from the journal: conferences, who attended when, what the console did."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from moderator.domain.csv_cells import safe_cell
from moderator.domain.recordings import RecordingLedger
from moderator.domain.roster import Conference, Participant, Roster
from moderator.domain.rules import HOST
from moderator.domain.timeline import ConferenceTimeline, Track
from moderator.store.history import Wanted, conference_index, open_roster
from moderator.store.journal import ActionRecord, Journal
from moderator.store.report_recordings import (
    journal_recordings,
    recordings_cell,
    recordings_of,
    recordings_text,
)

FORMATS = ("json", "csv", "text", "html")  # html: report_html.py
DAY_TIME = "%Y-%m-%d %H:%M:%S %Z"  # the text report's dates: the reader's local time


class ReportError(Exception):
    """The report cannot be made as asked (one-line message for the user)."""


def _iso(moment: datetime | None) -> str | None:
    """UTC ISO 8601 to the second ("2026-11-25T15:00:03Z"), as JSON and CSV carry times."""
    if moment is None:
        return None
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def _local(iso: str | None, fmt: str = "%H:%M:%S") -> str | None:
    """A report time in the reader's local time zone, for the text report."""
    if iso is None:
        return None
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone().strftime(fmt)


def rebuild_roster(journal: Journal) -> Roster:
    """The roster as the journal left it: every callback and REST snapshot folded in."""
    roster = Roster()
    roster.replay(journal.events())
    roster.replay(journal.snapshots())
    return roster


def named(conference: str | None) -> Wanted | None:
    """Which conferences a report of `conference` (a SID or a friendly name) must fold."""
    if conference is None:
        return None
    return lambda sid, name: conference in (sid, name)


NameOf = Callable[[str | None], str | None]


def build_report(
    journal: Journal, conference: str | None = None, name_of: NameOf | None = None
) -> dict[str, Any]:
    """The report object (DESIGN.md's JSON shape); `conference` is a SID or friendly name.

    `name_of` names callers by number (the address book). "door" lists what happened at the
    meeting's door (PIN attempts, lock, waiting room, admitted, denied, moved): those actions
    are journaled under the meeting's name, as a caller at the door is in no conference yet.
    """
    # one conference's report reads that conference's rows, not the whole journal
    roster = open_roster(journal, named(conference))
    conferences = roster.conferences()
    actions = journal.actions()
    sids = {indexed.sid for indexed in conference_index(journal)}
    # account-level actions (connecting a number) name no conference: not the door's
    door = [a for a in actions if a.conference_sid and a.conference_sid not in sids]
    if conference is not None:
        conferences = [c for c in conferences if conference in (c.sid, c.friendly_name)]
        if not conferences and all(a.conference_sid != conference for a in door):
            raise ReportError(f"no conference {conference!r} in the journal {journal.path}")
    callers = {a.call_sid: a.params for a in door if a.call_sid and "from" in a.params}
    meetings = {c.friendly_name for c in conferences} if conference is not None else None
    recordings = journal_recordings(journal)

    def caller(call_sid: str | None) -> tuple[str | None, str | None]:
        params = callers.get(call_sid or "", {})
        number = params.get("from")
        return number, (name_of(number) if name_of else None) or params.get("name")

    return {
        "conferences": [
            with_measures(
                roster,
                c,
                _conference_entry(c, roster.participants(c.sid), actions, caller),
                recordings,
            )
            for c in conferences
        ],
        "door": [
            _door_entry(a, caller)
            for a in door
            if meetings is None or a.conference_sid in meetings or conference == a.conference_sid
        ],
    }


def _door_entry(
    action: ActionRecord, caller: Callable[[str | None], tuple[str | None, str | None]]
) -> dict[str, Any]:
    number, name = caller(action.call_sid)
    return {
        "at": _iso(action.at),
        "meeting": action.conference_sid,
        "kind": action.kind,
        "call_sid": action.call_sid,
        "number": number or action.params.get("from"),
        "name": name or action.params.get("name"),
        "ok": action.ok,
        "error": action.error,
        "by": action.origin,  # "door" (decided at the door) or "host"
        "detail": {k: v for k, v in action.params.items() if k not in ("from", "name")},
    }


def select(roster: Roster, conference: str | None, journal: Journal) -> list[Conference]:
    """Every conference, or the one named (ReportError when the journal has none such)."""
    conferences = roster.conferences()
    if conference is not None:
        conferences = [c for c in conferences if conference in (c.sid, c.friendly_name)]
        if not conferences:
            raise ReportError(f"no conference {conference!r} in the journal {journal.path}")
    return conferences


def _nobody(call_sid: str | None) -> tuple[str | None, str | None]:
    return None, None


def report_of(
    roster: Roster,
    actions: list[ActionRecord],
    conferences: list[Conference],
    recordings: RecordingLedger | None = None,
) -> dict[str, Any]:
    """The conferences' part of the report from a roster (the journal's, or the live one)."""
    return {
        "conferences": [
            with_measures(
                roster,
                c,
                _conference_entry(c, roster.participants(c.sid), actions, _nobody),
                recordings,
            )
            for c in conferences
        ]
    }


def with_measures(
    roster: Roster,
    conference: Conference,
    entry: dict[str, Any],
    recordings: RecordingLedger | None = None,
) -> dict[str, Any]:
    """`entry` with the conference's duration and peak, each participant's seconds and the
    conference's recordings."""
    entry["recordings"] = recordings_of(recordings, conference.sid)
    timeline = roster.timelines.conference(conference.sid)
    entry.update(conference_measures(timeline))
    seconds = participant_measures(timeline)
    for participant in entry["participants"]:
        participant.update(seconds.get(participant["call_sid"], dict.fromkeys(MEASURED, 0.0)))
    return entry


def _target(action: ActionRecord, labels: dict[str, str]) -> str | None:
    """Whom an action was aimed at: the participant, the number dialled, or None (conference)."""
    if action.call_sid:
        return labels.get(action.call_sid) or action.call_sid
    number, label = action.params.get("to"), action.params.get("label")
    if number and label:
        return f"{label} ({number})"
    return number or label


def _conference_entry(
    conference: Conference,
    participants: list[Participant],
    actions: list[ActionRecord],
    caller: Callable[[str | None], tuple[str | None, str | None]],
) -> dict[str, Any]:
    labels: dict[str, str] = {}
    for p in participants:
        label = caller(p.call_sid)[1] or p.label
        if label:
            labels[p.call_sid] = label
    return {
        "sid": conference.sid,
        "friendly_name": conference.friendly_name,
        "status": conference.status.value,
        "started_at": _iso(conference.started_at),
        "ended_at": _iso(conference.ended_at),
        "participants": [
            {
                "call_sid": p.call_sid,
                "label": p.label,
                "joined_at": _iso(p.joined_at),
                "left_at": _iso(p.left_at),
                "present": p.present,
                "muted": p.muted,
                "hold": p.hold,
                "number": caller(p.call_sid)[0],
                "name": caller(p.call_sid)[1],
            }
            for p in participants
        ],
        "actions": [
            {
                "at": _iso(a.at),
                "kind": a.kind,
                "call_sid": a.call_sid,
                "ok": a.ok,
                "confirmed": a.confirmed,
                "error": a.error,
                "by": a.origin,  # "host" or the rule that acted (auto-mute, mute-on-entry)
                "target": _target(a, labels),
            }
            for a in actions
            if a.conference_sid == conference.sid
        ],
    }


# Wave-2 figures. A conference still running is measured up to its latest callback.
MEASURED = {
    "talk_seconds": Track.SPEAKING,
    "present_seconds": Track.PRESENT,
    "muted_seconds": Track.MUTED,
}


def conference_measures(timeline: ConferenceTimeline | None) -> dict[str, Any]:
    """`duration_seconds` (null before anything is known) and `peak_participants`."""
    duration = timeline.duration_seconds() if timeline else None
    return {
        "duration_seconds": None if duration is None else round(duration, 1),
        "peak_participants": timeline.peak_participants() if timeline else 0,
    }


def participant_measures(timeline: ConferenceTimeline | None) -> dict[str, dict[str, float]]:
    """Seconds talking, present and muted, per call SID."""
    until = timeline.until() if timeline else None
    if timeline is None or until is None:
        return {}
    return {
        p.call_sid: {key: round(p.seconds(track, until), 1) for key, track in MEASURED.items()}
        for p in timeline.participants
    }


def render(report: dict[str, Any], fmt: str) -> str:
    """The report as json, csv (a row per participant) or text (for a person)."""
    if fmt == "json":
        return json.dumps(report, indent=2) + "\n"
    if fmt == "csv":
        return _csv(report)
    if fmt == "text":
        return _text(report)
    raise ReportError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")


_CSV_COLUMNS = ["conference_sid", "friendly_name", "call_sid", "label", "joined_at", "left_at"]
_CSV_FLAGS = ["present", "muted", "hold"]
_CSV_SECONDS = [*MEASURED]  # per participant
_CSV_CONFERENCE = ["duration_seconds", "peak_participants"]  # repeated on each row
_CSV_RECORDINGS = "recordings"  # one cell: sid status duration URL per recording


def _csv(report: dict[str, Any]) -> str:
    """A row per participant; text cells neutralised, so a caller's name runs no formula."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(_CSV_COLUMNS + _CSV_FLAGS + _CSV_SECONDS + _CSV_CONFERENCE + [_CSV_RECORDINGS])
    for conference in report["conferences"]:
        for p in conference["participants"]:
            row = (
                [conference["sid"], conference["friendly_name"]]
                + [p[key] or "" for key in _CSV_COLUMNS[2:]]
                + [str(p[key]).lower() for key in _CSV_FLAGS]
                + [p[key] for key in _CSV_SECONDS]
                + ["" if conference[key] is None else conference[key] for key in _CSV_CONFERENCE]
                + [recordings_cell(conference)]
            )
            writer.writerow([safe_cell(cell) if isinstance(cell, str) else cell for cell in row])
    return out.getvalue()


def clock(seconds: float | None) -> str:
    """'4:05' or '1:02:09' ('?' when not known)."""
    if seconds is None:
        return "?"
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"


def _text(report: dict[str, Any]) -> str:
    lines: list[str] = []
    if not report["conferences"] and not report.get("door"):
        return "No conferences in the journal yet.\n"
    for conference in report["conferences"]:
        lines.append(
            f"{conference['friendly_name'] or conference['sid']} ({conference['sid']}):"
            f" {conference['status']}, {_local(conference['started_at'], DAY_TIME) or '?'}"
            f" to {_local(conference['ended_at'], DAY_TIME) or 'now'}"
            f" ({clock(conference['duration_seconds'])}, at most {conference['peak_participants']})"
        )
        for p in conference["participants"]:
            state = ", ".join(
                word
                for word, on in (
                    ("present", p["present"]),
                    ("muted", p["muted"]),
                    ("on hold", p["hold"]),
                )
                if on
            )
            who = p.get("name") or p["label"] or p["call_sid"]
            lines.append(
                f"  {who:<20} joined {_local(p['joined_at']) or '?'}"
                f"  left {_local(p['left_at']) or '-':<8}  talked {clock(p['talk_seconds']):>7}"
                f"  {state}"
            )
        for a in conference["actions"]:
            outcome = (
                "confirmed" if a["confirmed"] else ("ok" if a["ok"] else (a["error"] or "sent"))
            )
            target = a["target"] or "the conference"
            by = "host" if a["by"] == HOST else f"rule {a['by']}"
            lines.append(f"  {_local(a['at'])}  {a['kind']:<14} {target:<20} {outcome}, by {by}")
        lines.extend(recordings_text(conference))
        lines.append("")
    if report.get("door"):
        lines.append("At the door:")
        for d in report["door"]:
            who = d["name"] or d["number"] or d["call_sid"] or ""
            if d["name"] and d["number"]:
                who = f"{d['name']} ({d['number']})"
            attempt, to = d["detail"].get("attempt"), d["detail"].get("to")
            outcome = "" if d["ok"] is not False else f"  failed: {d['error']}"
            lines.append(
                f"  {_local(d['at'])}  {d['meeting']:<14} {d['kind']:<14} {who}"
                + (f", attempt {attempt}" if attempt else "")
                + (f" to {to}" if to else "")
                + f", by {d['by']}{outcome}"
            )
        lines.append("")
    return "\n".join(lines)
