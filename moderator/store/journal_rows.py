"""A journal row turned back into Python values (times, forms, snapshots), for the journal and
the per-conference reads of store/history.py. A damaged or hand-edited row raises one of
BAD_ROW; the readers count it skipped and go on."""

from __future__ import annotations

import json
from datetime import datetime, timezone

from moderator.domain.snapshots import ConferenceSnapshot, ParticipantSnapshot

# Anything a damaged or hand-edited row can raise when turned back into Python values.
BAD_ROW = (ValueError, TypeError, KeyError, AttributeError)


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds")


def from_iso(text: str | None) -> datetime | None:
    return utc(text) if text else None


def utc(text: object) -> datetime:
    """A stored ISO time as an aware datetime; TypeError or ValueError for anything else."""
    if not isinstance(text, str):
        raise TypeError(f"not a time: {text!r}")
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def form_of(text: object) -> dict[str, str]:
    form = json.loads(text)  # type: ignore[arg-type]
    if not isinstance(form, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in form.items()
    ):
        raise TypeError("a callback form must map strings to strings")
    return form


def snapshot_of(body: object) -> ConferenceSnapshot:
    data = json.loads(body)  # type: ignore[arg-type]
    participants = tuple(
        ParticipantSnapshot(**{**p, "joined_at": from_iso(p["joined_at"])})
        for p in data.pop("participants")
    )
    taken_at = utc(data.pop("taken_at"))
    return ConferenceSnapshot(**data, taken_at=taken_at, participants=participants)
