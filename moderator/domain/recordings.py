"""Conference recordings: Twilio's words, the recording status callback, and where each
recording stands (statuses converge whatever order the callbacks arrive in)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from moderator.domain.events import MAX_SEQUENCE_DIGITS, MalformedCallback, parse_timestamp
from moderator.domain.sids import is_sid

RECORD_FROM_START = "record-from-start"  # <Conference record=…>
CURRENT = "Twilio.CURRENT"  # the REST path's name for a conference's live recording
SOURCE_CONFERENCE = "Conference"
RECORDING = "RE"  # a recording SID's prefix

IN_PROGRESS = "in-progress"
PAUSED = "paused"
STOPPED = "stopped"
PROCESSING = "processing"
COMPLETED = "completed"
ABSENT = "absent"
FAILED = "failed"
STATUSES = (IN_PROGRESS, PAUSED, STOPPED, PROCESSING, COMPLETED, ABSENT, FAILED)
LIVE_STATUSES = (IN_PROGRESS, PAUSED)
UPDATE_STATUSES = (PAUSED, IN_PROGRESS, STOPPED)  # what a REST update may ask for
FINAL_STATUSES = (COMPLETED, ABSENT, FAILED)
# recordingStatusCallbackEvent the console asks for (Twilio's words)
CALLBACK_EVENTS = f"{IN_PROGRESS} {COMPLETED} {ABSENT}"
TOO_SHORT = 16101  # ErrorCode of an absent recording that was too short

# Later stages win over earlier ones whatever the arrival order; between in-progress and
# paused (which alternate) the later arrival wins.
_STAGE = {IN_PROGRESS: 0, PAUSED: 0, STOPPED: 1, PROCESSING: 1, COMPLETED: 2, ABSENT: 2, FAILED: 2}


@dataclass(frozen=True)
class RecordingEvent:
    """One recording status callback, parsed."""

    conference_sid: str
    recording_sid: str
    status: str
    received_at: datetime
    url: str | None = None
    duration: int | None = None
    channels: int | None = None
    start_time: datetime | None = None
    source: str | None = None
    error_code: int | None = None


@dataclass(frozen=True)
class Recording:
    """Where one recording stands."""

    sid: str
    conference_sid: str
    status: str
    url: str | None = None
    duration: int | None = None
    started_at: datetime | None = None
    error_code: int | None = None

    @property
    def live(self) -> bool:
        return self.status in LIVE_STATUSES


def _int(form: Mapping[str, str], name: str) -> int | None:
    raw = form.get(name, "").strip()
    if not raw:
        return None
    # a bounded count of digits: a 5,000-digit "duration" is no number Twilio sends
    if len(raw.lstrip("-")) > MAX_SEQUENCE_DIGITS:
        raise MalformedCallback(name, f"not a number Twilio sends: {raw[:20]!r}…")
    try:
        return int(raw)
    except ValueError:
        raise MalformedCallback(name, f"not a number: {raw[:20]!r}") from None


def parse_recording_callback(form: Mapping[str, str], received_at: datetime) -> RecordingEvent:
    """The callback's fields; MalformedCallback when a required one is missing or wrong.
    Unknown parameters and statuses are kept as sent (Twilio adds values over time)."""
    conference_sid = form.get("ConferenceSid", "")
    recording_sid = form.get("RecordingSid", "")
    status = form.get("RecordingStatus", "")
    if not is_sid(conference_sid, "CF"):
        raise MalformedCallback("ConferenceSid", "missing or not a conference SID")
    if not is_sid(recording_sid, RECORDING):
        raise MalformedCallback("RecordingSid", "missing or not a recording SID")
    if not status:
        raise MalformedCallback("RecordingStatus", "missing")
    started: datetime | None = None
    if form.get("RecordingStartTime"):
        # the conference route's parser: a huge offset or year is a 400, not an OverflowError
        started = parse_timestamp(form["RecordingStartTime"], "RecordingStartTime")
    error = _int(form, "ErrorCode")
    return RecordingEvent(
        conference_sid=conference_sid,
        recording_sid=recording_sid,
        status=status,
        received_at=received_at,
        url=form.get("RecordingUrl") or None,
        duration=_int(form, "RecordingDuration"),
        channels=_int(form, "RecordingChannels"),
        start_time=started,
        source=form.get("RecordingSource") or None,
        error_code=error or None,
    )


class RecordingLedger:
    """Every recording seen in callbacks (or REST answers), by conference."""

    def __init__(self) -> None:
        self._by_sid: dict[str, Recording] = {}

    def apply(self, event: RecordingEvent) -> Recording:
        """Fold one callback in; returns the recording as it now stands."""
        old = self._by_sid.get(event.recording_sid)
        if old is None:
            new = Recording(event.recording_sid, event.conference_sid, event.status)
        elif _STAGE.get(event.status, 0) < _STAGE.get(old.status, 0):
            new = old  # a late callback of an earlier stage: keep the later state
        else:
            new = replace(old, status=event.status)
        new = replace(
            new,
            url=event.url or new.url,
            duration=event.duration if event.duration is not None else new.duration,
            started_at=event.start_time or new.started_at,
            error_code=event.error_code or new.error_code,
        )
        self._by_sid[new.sid] = new
        return new

    def of(self, conference_sid: str) -> list[Recording]:
        """A conference's recordings in the order they were first seen."""
        return [r for r in self._by_sid.values() if r.conference_sid == conference_sid]

    def live(self, conference_sid: str) -> Recording | None:
        """The conference's recording that is running or paused, if any."""
        return next((r for r in reversed(self.of(conference_sid)) if r.live), None)
