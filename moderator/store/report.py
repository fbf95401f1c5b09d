"""The attendance report from the journal: conferences, who attended when, what the console did."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timezone
from typing import Any

from moderator.domain.roster import Conference, Participant, Roster
from moderator.store.journal import ActionRecord, Journal

FORMATS = ("json", "csv", "text")


class ReportError(Exception):
    """The report cannot be made as asked (one-line message for the user)."""


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def rebuild_roster(journal: Journal) -> Roster:
    """The roster as the journal left it: every callback and REST snapshot folded in."""
    roster = Roster()
    roster.replay(journal.events())
    roster.replay(journal.snapshots())
    return roster


def build_report(journal: Journal, conference: str | None = None) -> dict[str, Any]:
    """The report object (DESIGN.md's JSON shape); `conference` is a SID or friendly name."""
    roster = rebuild_roster(journal)
    conferences = roster.conferences()
    if conference is not None:
        conferences = [c for c in conferences if conference in (c.sid, c.friendly_name)]
        if not conferences:
            raise ReportError(f"no conference {conference!r} in the journal {journal.path}")
    actions = journal.actions()
    return {
        "conferences": [
            _conference_entry(c, roster.participants(c.sid), actions) for c in conferences
        ]
    }


def _conference_entry(
    conference: Conference, participants: list[Participant], actions: list[ActionRecord]
) -> dict[str, Any]:
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
    if not report["conferences"]:
        return "No conferences in the journal yet.\n"
    for conference in report["conferences"]:
        lines.append(
            f"{conference['friendly_name'] or conference['sid']} ({conference['sid']}):"
            f" {conference['status']}, {conference['started_at'] or '?'}"
            f" to {conference['ended_at'] or 'now'}"
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
            lines.append(
                f"  {p['label'] or p['call_sid']:<20} joined {p['joined_at'] or '?'}"
                f"  left {p['left_at'] or '-'}  {state}"
            )
        names = {p["call_sid"]: p["label"] or p["call_sid"] for p in conference["participants"]}
        for a in conference["actions"]:
            outcome = (
                "confirmed" if a["confirmed"] else ("ok" if a["ok"] else (a["error"] or "sent"))
            )
            who = names.get(a["call_sid"], a["call_sid"]) if a["call_sid"] else "everyone"
            lines.append(f"  {a['at']}  {a['kind']:<14} {who:<20} {outcome}")
        lines.append("")
    return "\n".join(lines)
