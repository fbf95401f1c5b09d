"""The attendance report from the journal: conferences, who attended when, what the console did."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from moderator.domain.roster import Conference, Participant, Roster
from moderator.domain.rules import HOST
from moderator.store.journal import ActionRecord, Journal

FORMATS = ("json", "csv", "text")
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


NameOf = Callable[[str | None], str | None]


def build_report(
    journal: Journal, conference: str | None = None, name_of: NameOf | None = None
) -> dict[str, Any]:
    """The report object (DESIGN.md's JSON shape); `conference` is a SID or friendly name.

    `name_of` names callers by number (the address book). "door" lists what happened at the
    meeting's door (PIN attempts, lock, waiting room, admitted, denied, moved): those actions
    are journaled under the meeting's name, as a caller at the door is in no conference yet.
    """
    roster = rebuild_roster(journal)
    conferences = roster.conferences()
    actions = journal.actions()
    sids = {c.sid for c in conferences}
    # account-level actions (connecting a number) name no conference: not the door's
    door = [a for a in actions if a.conference_sid and a.conference_sid not in sids]
    if conference is not None:
        conferences = [c for c in conferences if conference in (c.sid, c.friendly_name)]
        if not conferences and all(a.conference_sid != conference for a in door):
            raise ReportError(f"no conference {conference!r} in the journal {journal.path}")
    callers = {a.call_sid: a.params for a in door if a.call_sid and "from" in a.params}
    meetings = {c.friendly_name for c in conferences} if conference is not None else None

    def caller(call_sid: str | None) -> tuple[str | None, str | None]:
        params = callers.get(call_sid or "", {})
        number = params.get("from")
        return number, (name_of(number) if name_of else None) or params.get("name")

    return {
        "conferences": [
            _conference_entry(c, roster.participants(c.sid), actions, caller) for c in conferences
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


def render(report: dict[str, Any], fmt: str) -> str:
    """The report as json, csv (a row per participant) or text (for a person)."""
    if fmt == "json":
        return json.dumps(report, indent=2)
    if fmt == "csv":
        return _csv(report)
    if fmt == "text":
        return _text(report)
    raise ReportError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")


_CSV_COLUMNS = ["conference_sid", "friendly_name", "call_sid", "label", "joined_at", "left_at"]
_CSV_FLAGS = ["present", "muted", "hold"]


def _csv(report: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(_CSV_COLUMNS + _CSV_FLAGS)
    for conference in report["conferences"]:
        for p in conference["participants"]:
            writer.writerow(
                [conference["sid"], conference["friendly_name"]]
                + [p[key] or "" for key in _CSV_COLUMNS[2:]]
                + [str(p[key]).lower() for key in _CSV_FLAGS]
            )
    return out.getvalue()


def _text(report: dict[str, Any]) -> str:
    lines: list[str] = []
    if not report["conferences"] and not report.get("door"):
        return "No conferences in the journal yet.\n"
    for conference in report["conferences"]:
        lines.append(
            f"{conference['friendly_name'] or conference['sid']} ({conference['sid']}):"
            f" {conference['status']}, {_local(conference['started_at'], DAY_TIME) or '?'}"
            f" to {_local(conference['ended_at'], DAY_TIME) or 'now'}"
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
                f"  left {_local(p['left_at']) or '-':<8}  {state}"
            )
        for a in conference["actions"]:
            outcome = (
                "confirmed" if a["confirmed"] else ("ok" if a["ok"] else (a["error"] or "sent"))
            )
            target = a["target"] or "the conference"
            by = "host" if a["by"] == HOST else f"rule {a['by']}"
            lines.append(f"  {_local(a['at'])}  {a['kind']:<14} {target:<20} {outcome}, by {by}")
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
