"""The attendance report from the journal: conferences, who attended when, what the console did."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from moderator.domain.actions import ActionKind, Origin
from moderator.domain.csv_cells import safe_cell
from moderator.domain.names import display_name, plural
from moderator.domain.recordings import RecordingLedger
from moderator.domain.rooms import place_words, side_of
from moderator.domain.roster import Conference, Participant, Roster
from moderator.domain.timeline import ConferenceTimeline, Track
from moderator.domain.transcripts import Line, Transcript
from moderator.store.history import Wanted, conference_index, note_callers, open_roster
from moderator.store.journal import ActionRecord, Journal
from moderator.store.report_recordings import (
    journal_recordings,
    recordings_cell,
    recordings_of,
    recordings_text,
)
from moderator.store.report_transcript import (
    journal_transcript,
    placed_lines,
    transcript_entries,
    transcript_text,
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
    actions = journal.actions()
    door = door_actions(journal, actions)
    name_callers(roster, door, name_of)
    conferences = with_sides(roster.conferences())
    if conference is not None:
        conferences = [c for c in conferences if conference in (c.sid, c.friendly_name)]
        if not conferences and all(a.conference_sid != conference for a in door):
            raise ReportError(f"no conference {conference!r} in the journal {journal.path}")
    recordings = journal_recordings(journal)
    report = report_of(roster, actions, conferences, recordings, journal_transcript(journal.path))
    report["door"] = door_rows(roster, door, conferences, conference, name_of)
    return report


def with_sides(conferences: list[Conference]) -> list[Conference]:
    """The conferences in order, each meeting's waiting room and breakout rooms right after the
    meeting of that name nearest in time (a waiting room fills before its meeting starts)."""
    meetings = [c for c in conferences if side_of(c.friendly_name) is None]
    under: dict[str, list[Conference]] = {c.sid: [] for c in meetings}
    alone: list[Conference] = []
    for conference in conferences:
        side = side_of(conference.friendly_name)
        if side is None:
            continue
        mine = [m for m in meetings if m.friendly_name == side[0]]
        if not mine:
            alone.append(conference)
            continue
        moment = conference.started_at or conference.ended_at
        closest = min(mine, key=lambda m: _distance(m, moment))
        under[closest.sid].append(conference)
    ordered = [x for m in meetings for x in (m, *under[m.sid])]
    return ordered + alone


def _distance(meeting: Conference, moment: datetime | None) -> float:
    if moment is None or meeting.started_at is None:
        return 0.0 if meeting.ended_at is None else float("inf")
    end = meeting.ended_at or datetime.max.replace(tzinfo=timezone.utc)
    if meeting.started_at <= moment <= end:
        return 0.0
    edge = meeting.started_at if moment < meeting.started_at else end
    return abs((moment - edge).total_seconds())


def door_actions(journal: Journal, actions: list[ActionRecord]) -> list[ActionRecord]:
    """The actions journaled under a meeting's name (the door's), not under a conference SID."""
    sids = {indexed.sid for indexed in conference_index(journal)}
    # account-level actions (connecting a number) name no conference: not the door's
    return [a for a in actions if a.conference_sid and a.conference_sid not in sids]


def name_callers(roster: Roster, door: list[ActionRecord], name_of: NameOf | None) -> None:
    """Tell the roster each caller's number and CallerName as the door saw them, and name them
    by the address book (else the name the door journaled), so every row of every format is
    called by the one display name the console's tiles use."""
    journaled = note_callers(roster, door)

    def name(number: str | None) -> str | None:
        known = name_of(number) if name_of else None
        return known or journaled.get(number or "")

    roster.set_names(name)


def door_rows(
    roster: Roster,
    door: list[ActionRecord],
    conferences: list[Conference],
    conference: str | None,
    name_of: NameOf | None = None,
) -> list[dict[str, Any]]:
    """The door's rows for the report: every meeting's, or those of the meeting asked for.

    Asked by SID, only the rows of that meeting's time: after the previous conference of the
    same name ended and up to this one's end (a meeting name is reused day after day).
    """
    if conference is None:
        chosen = door
    else:
        windows = [_window(roster, c) for c in conferences if conference == c.sid]
        names = {c.friendly_name for c in conferences}
        chosen = [
            a
            for a in door
            if a.conference_sid == conference
            or (
                a.conference_sid in names
                and (not windows or any(low < a.at <= high for low, high in windows))
            )
        ]
    # a caller who got in is called as their tile was (a label the door cannot know)
    called = {p.call_sid: p.display_name for c in conferences for p in roster.participants(c.sid)}
    return [_door_entry(a, name_of, called.get(a.call_sid or "")) for a in chosen]


_EVER = (datetime.min.replace(tzinfo=timezone.utc), datetime.max.replace(tzinfo=timezone.utc))


def _window(roster: Roster, conference: Conference) -> tuple[datetime, datetime]:
    """From the end of the previous conference of the same name to this one's end."""
    low, high = _EVER
    for other in roster.conferences():
        if other.friendly_name != conference.friendly_name or other.sid == conference.sid:
            continue
        before = (
            other.started_at and conference.started_at and other.started_at < conference.started_at
        )
        if before and other.ended_at and other.ended_at > low:
            low = other.ended_at
    return low, conference.ended_at or high


def _door_entry(
    action: ActionRecord, name_of: NameOf | None, called: str | None = None
) -> dict[str, Any]:
    number = action.params.get("from")
    name = (name_of(number) if name_of else None) or action.params.get("name") or called
    shown = display_name(name=name, caller_name=action.params.get("caller_name"), number=number)
    return {
        "at": _iso(action.at),
        "meeting": action.conference_sid,
        "kind": action.kind,
        "call_sid": action.call_sid,
        "number": number,
        "name": shown if (name or number or action.params.get("caller_name")) else None,
        "ok": action.ok,
        "error": action.error,
        "by": action.origin,  # "door" (decided at the door) or "host"
        "detail": {
            k: v for k, v in action.params.items() if k not in ("from", "name", "caller_name")
        },
    }


def select(roster: Roster, conference: str | None, journal: Journal) -> list[Conference]:
    """Every conference, or the one named (ReportError when the journal has none such)."""
    conferences = roster.conferences()
    if conference is not None:
        conferences = [c for c in conferences if conference in (c.sid, c.friendly_name)]
        if not conferences:
            raise ReportError(f"no conference {conference!r} in the journal {journal.path}")
    return conferences


def report_of(
    roster: Roster,
    actions: list[ActionRecord],
    conferences: list[Conference],
    recordings: RecordingLedger | None = None,
    transcript: Transcript | None = None,
) -> dict[str, Any]:
    """The conferences' part of the report from a roster (the journal's, or the live one)."""
    lines = placed_lines(roster, conferences, transcript)
    return {
        "conferences": [
            with_measures(
                roster,
                c,
                _conference_entry(c, roster.participants(c.sid), actions),
                recordings,
                lines.get(c.sid, []),
            )
            for c in conferences
        ]
    }


def with_measures(
    roster: Roster,
    conference: Conference,
    entry: dict[str, Any],
    recordings: RecordingLedger | None = None,
    lines: list[Line] | None = None,
) -> dict[str, Any]:
    """`entry` with the conference's duration and peak, each participant's seconds, the
    conference's recordings and its transcript (final lines only)."""
    entry["recordings"] = recordings_of(recordings, conference.sid)
    names = {p["call_sid"]: p["name"] for p in entry["participants"]}
    entry["transcript"] = transcript_entries(lines or [], names)
    timeline = roster.timeline(conference.sid)
    entry.update(conference_measures(timeline))
    seconds = participant_measures(timeline)
    first = first_joins(timeline)
    for participant in entry["participants"]:
        participant.update(seconds.get(participant["call_sid"], dict.fromkeys(MEASURED, 0.0)))
        # "joined" is the first join (a call moved to a room and back joins again), so that
        # present never exceeds left - joined
        participant["joined_at"] = first.get(participant["call_sid"], participant["joined_at"])
    return entry


def first_joins(timeline: ConferenceTimeline | None) -> dict[str, str | None]:
    """When each call was first present (call SID -> ISO time)."""
    if timeline is None:
        return {}
    return {
        p.call_sid: _iso(p.spans[Track.PRESENT][0].start)
        for p in timeline.participants
        if p.spans[Track.PRESENT]
    }


def _target(action: ActionRecord, labels: dict[str, str]) -> str | None:
    """Whom an action was aimed at: the participant, the number dialled, or None (conference)."""
    if action.call_sid:
        return labels.get(action.call_sid) or display_name()
    number, label = action.params.get("to"), action.params.get("label")
    if number and label:
        return f"{label} ({number})"
    return number or label


def _coached(action: ActionRecord, labels: dict[str, str]) -> str | None:
    coached = action.params.get("call_sid_to_coach") if action.kind == ActionKind.WHISPER else None
    return (labels.get(coached) or display_name()) if coached else None


def action_detail(action: dict[str, Any]) -> str:
    """What more a report's action row says: 'to Alice' (a whisper), '"Break until 3"'."""
    if action.get("coached"):
        return f"to {action['coached']}"
    return f'"{action["text"]}"' if action.get("text") else ""


def _conference_entry(
    conference: Conference, participants: list[Participant], actions: list[ActionRecord]
) -> dict[str, Any]:
    labels = {p.call_sid: p.display_name for p in participants}
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
                "hold": p.hold and p.present,  # someone who left is not on hold
                "number": p.number,
                "name": p.display_name,  # the one display name (domain/names.py)
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
                # whom the host whispered to (the target is the host's own call), and what an
                # announcement said: as the event log shows them
                "coached": _coached(a, labels),
                "text": a.params.get("text") if a.kind == ActionKind.ANNOUNCE else None,
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
        # the latest moment any callback carries: where a meeting the console stopped watching
        # (quit mid-call) was last seen
        "last_seen_at": _iso(timeline.last_moment) if timeline else None,
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


_CSV_COLUMNS = [
    "conference_sid",
    "friendly_name",
    "call_sid",
    "label",
    "name",  # the one display name, as the console and the other formats call the caller
    "number",
    "joined_at",
    "left_at",
]
_CSV_FLAGS = ["present", "muted", "hold"]
_CSV_SECONDS = [*MEASURED]  # per participant
_CSV_CONFERENCE = ["duration_seconds", "peak_participants"]  # repeated on each row
_CSV_RECORDINGS = "recordings"  # one cell: sid status duration URL per recording
_CSV_TRANSCRIPT = "transcript"  # one cell per participant: what they said, " | " between lines


def _csv(report: dict[str, Any]) -> str:
    """A row per participant; text cells neutralised, so a caller's name runs no formula."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        _CSV_COLUMNS
        + _CSV_FLAGS
        + _CSV_SECONDS
        + _CSV_CONFERENCE
        + [_CSV_RECORDINGS, _CSV_TRANSCRIPT]
    )
    for conference in report["conferences"]:
        for p in conference["participants"]:
            said = " | ".join(
                " ".join(t["text"].split())
                for t in conference["transcript"]
                if t["call_sid"] == p["call_sid"]
            )
            row = (
                [conference["sid"], conference["friendly_name"]]
                + [p[key] or "" for key in _CSV_COLUMNS[2:]]
                + [str(p[key]).lower() for key in _CSV_FLAGS]
                + [p[key] for key in _CSV_SECONDS]
                + ["" if conference[key] is None else conference[key] for key in _CSV_CONFERENCE]
                + [recordings_cell(conference), said]
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
        people = people_of(conference["participants"])
        lines.append(
            f"{heading(conference)} ({conference['sid']}): {status_words(conference)}"
            f" ({clock(conference['duration_seconds'])}, {plural(len(people), 'participant')},"
            f" at most {conference['peak_participants']} at once)"
        )
        for p in people:
            state = ", ".join(
                word
                for word, on in (
                    ("present", p["present"]),
                    ("muted", p["muted"] and p["present"]),
                    ("on hold", p["hold"] and p["present"]),
                    (f"rejoined {plural(p['calls'] - 1, 'time')}", p["calls"] > 1),
                )
                if on
            )
            lines.append(
                f"  {p['name']:<20} joined {_local(p['joined_at']) or '?'}"
                f"  left {_local(p['left_at']) or '-':<8}  talked {clock(p['talk_seconds']):>7}"
                f"  {state}"
            )
        for a in conference["actions"]:
            outcome = (
                "confirmed" if a["confirmed"] else ("ok" if a["ok"] else (a["error"] or "sent"))
            )
            nobody = "everyone" if a["kind"] == ActionKind.ANNOUNCE else "the conference"
            target = a["target"] or nobody
            by = "host" if a["by"] == Origin.HOST else f"rule {a['by']}"
            detail = action_detail(a)
            lines.append(
                f"  {_local(a['at'])}  {a['kind']:<14} {target:<20} {outcome}, by {by}"
                + (f"; {detail}" if detail else "")
            )
        lines.extend(recordings_text(conference))
        lines.extend(transcript_text(conference))
        lines.append("")
    if report.get("door"):
        lines.append("At the door:")
        for d in report["door"]:
            lines.append(f"  {_local(d['at'])}  {d['meeting']:<14} {door_words(d)}")
        lines.append("")
    return "\n".join(lines)


_DOOR_WORDS = {
    "join": "{who} was let in",
    "ask-pin": "{who} was asked for the PIN",
    "pin-right": "{who} entered the right PIN",
    "wrong-pin": "{who} entered a wrong PIN (attempt {attempt})",
    "pin-refused": "{who} entered a wrong PIN too often and was hung up",
    "wait": "{who} went to the waiting room",
    "locked-out": "{who} was turned away: the meeting was locked",
    "hung-up-at-pin": "{who} hung up at the PIN prompt",
    "left-lobby": "{who} left the waiting room (hung up)",
    "admit": "{who} was admitted",
    "deny": "{who} was turned away",
    "move": "{who} was moved to {to}",
    "lock": "the meeting was locked",
    "unlock": "the meeting was unlocked",
    "waiting-room-on": "the waiting room was turned on",
    "waiting-room-off": "the waiting room was turned off",
    "pin-set": "a PIN was set",
    "pin-cleared": "the PIN was cleared",
    "rooms-open": "{rooms} breakout rooms were opened",
    "rooms-close": "the breakout rooms were closed",
    "announce-rooms": 'the rooms heard: "{text}"',
    "rooms-plan": "the breakout rooms were planned ({rooms} rooms)",
    "rooms-clear": "the breakout rooms' plan was cleared",
    "gone": "{who} was told the meeting had ended and hung up",
    "meeting-ended": "the meeting was ended",
    "fresh-start": "the console started with no live meeting: the door began afresh",
    "captions-on": "live captions were turned on",
    "captions-off": "live captions were turned off",
    "book-edit": "the address book entry of {who} was changed",
}


def door_words(row: dict[str, Any]) -> str:
    """A door row of the report in words: what happened, to whom, by whom, and any failure."""
    detail = row["detail"]
    who = row["name"] or display_name()
    if row["name"] and row["number"] and row["name"] != row["number"]:
        who = f"{row['name']} ({row['number']})"
    fields = {
        "who": who,
        "attempt": detail.get("attempt", "?"),
        "to": place_words(detail.get("to", "?"), row["meeting"] or ""),
        "rooms": detail.get("rooms", "?"),
        "text": detail.get("text", ""),
    }
    template = _DOOR_WORDS.get(row["kind"])
    if template:
        text = template.format(**fields)
    else:  # a kind without words yet: its name, and whom only when someone is named
        text = f"{row['kind']}: {who}" if row["name"] else row["kind"]
    by = {"door": "the door", "start": "the start options"}.get(row["by"], row["by"])
    failed = f"; failed: {row['error']}" if row["ok"] is False else ""
    return f"{text}, by {by}{failed}"


_STATUS_WORDS = {"init": "not started", "in-progress": "in progress", "completed": "ended"}


def _began(conference: dict[str, Any]) -> str | None:
    """When it began: its start, else its first join (a waiting room never "starts")."""
    joins = [p["joined_at"] for p in conference["participants"] if p["joined_at"]]
    return conference["started_at"] or (min(joins) if joins else None)


def heading(conference: dict[str, Any]) -> str:
    """'TeamMeeting, 2026-11-25 15:00 UTC': the name with the date and time it started (a
    meeting name comes back day after day); a waiting room or breakout room is named as its
    meeting's ('TeamMeeting (waiting room), …')."""
    name = conference["friendly_name"] or conference["sid"]
    side = side_of(conference["friendly_name"] or "")
    if side is not None:
        name = f"{side[0]} ({side[1]})"
    start = _local(_began(conference), "%Y-%m-%d %H:%M %Z")
    return f"{name}, {start}" if start else name


def status_words(conference: dict[str, Any]) -> str:
    """'ended, 15:00:03 to 15:02:59', or, for one the journal never saw end (the console quit
    mid-call), 'in progress when last seen at 15:01:40'."""
    start = _local(_began(conference), DAY_TIME) or "?"
    if conference["ended_at"]:
        return f"ended, {start} to {_local(conference['ended_at'], DAY_TIME)}"
    status = _STATUS_WORDS.get(conference["status"], conference["status"])
    if side_of(conference["friendly_name"] or "") is not None and conference["status"] == "init":
        status = "open"  # a waiting room holds callers without ever starting
    seen = _local(conference.get("last_seen_at"), DAY_TIME)
    return f"{status} since {start}" + (f", last seen at {seen}" if seen else "")


def people_of(participants: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The report's calls as people: a rejoin under the same name is one person who rejoined
    (first join, last leave, seconds summed, `calls` how many calls they made)."""
    people: dict[str, dict[str, Any]] = {}
    for p in participants:
        person = people.get(p["name"])
        if person is None:
            people[p["name"]] = {**p, "calls": 1}
            continue
        person["calls"] += 1
        joins = [t for t in (person["joined_at"], p["joined_at"]) if t]
        person["joined_at"] = min(joins) if joins else None
        if p["present"] or person["present"]:
            person["left_at"] = None
        else:
            lefts = [t for t in (person["left_at"], p["left_at"]) if t]
            person["left_at"] = max(lefts) if lefts else None
        if p["present"]:
            person.update(present=True, muted=p["muted"], hold=p["hold"])
        for key in MEASURED:
            person[key] = round(person[key] + p[key], 1)
    return list(people.values())
