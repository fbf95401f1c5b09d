"""Simulated conference recordings: `<Conference record="record-from-start">`, the Conference
Recordings REST resource (pause, resume, stop) and signed recording status callbacks."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol
from xml.etree.ElementTree import Element

from moderator.domain.recordings import (
    ABSENT,
    COMPLETED,
    CURRENT,
    IN_PROGRESS,
    LIVE_STATUSES,
    PAUSED,
    PROCESSING,
    RECORD_FROM_START,
    RECORDING,
    SOURCE_CONFERENCE,
    STOPPED,
    TOO_SHORT,
    UPDATE_STATUSES,
)
from moderator.domain.sids import new_sid
from moderator.sim import errors
from moderator.sim.callbacks import Dispatcher
from moderator.sim.errors import SimError
from moderator.sim.records import Conference, rfc2822
from moderator.sim.views import API_VERSION, account_root

log = logging.getLogger(__name__)

DEFAULT_EVENTS = frozenset({COMPLETED})  # Twilio's default recordingStatusCallbackEvent
# Twilio answers an update of a recording that is no longer live with a 400; the simulator
# uses 21220 ("invalid state") for it (approximate code; the status is what callers act on).
INVALID_STATE = 21220
PROCESSING_SECONDS = 2.0  # how long Twilio takes to make the file after a recording ends
MEDIA_HOST = "https://api.twilio.com"


class RecordingHost(Protocol):
    """What recordings need from the engine (which owns them)."""

    dispatcher: Dispatcher
    account_sid: str
    speed: float


@dataclass
class RecordingOptions:
    """A conference's recording settings, fixed by its first participant's `<Conference>`."""

    record: str = "do-not-record"
    callback: str | None = None
    method: str = "POST"
    events: frozenset[str] = DEFAULT_EVENTS


@dataclass
class SimRecording:
    """One conference recording and the audio it has (simulated seconds)."""

    sid: str
    account_sid: str
    conference_sid: str
    options: RecordingOptions
    start_time: datetime
    status: str = IN_PROGRESS
    date_created: datetime = field(default_factory=datetime.now)
    date_updated: datetime = field(default_factory=datetime.now)
    seconds: float = 0.0  # audio before the current run (in-progress, or a silent pause)
    running_since: float | None = None  # loop time the current run started
    pause_behavior: str = "silence"
    duration: int | None = None  # known once completed
    error_code: int | None = None

    @property
    def live(self) -> bool:
        return self.status in LIVE_STATUSES

    @property
    def media_url(self) -> str:
        """Where Twilio serves the file (what RecordingUrl says)."""
        return f"{MEDIA_HOST}{account_root(self.account_sid)}/Recordings/{self.sid}"


def recording_options(noun: Element) -> RecordingOptions:
    """The recording attributes of a `<Conference>` noun (Twilio's defaults when absent)."""
    events = noun.get("recordingStatusCallbackEvent")
    return RecordingOptions(
        record=noun.get("record", "do-not-record"),
        callback=noun.get("recordingStatusCallback") or None,
        method=noun.get("recordingStatusCallbackMethod", "POST").upper(),
        events=frozenset(events.replace(",", " ").split()) if events else DEFAULT_EVENTS,
    )


def recording_json(rec: SimRecording) -> dict[str, Any]:
    """A Conference Recording resource, as Twilio's 2010-04-01 API answers it."""
    return {
        "account_sid": rec.account_sid,
        "api_version": API_VERSION,
        "call_sid": None,
        "channels": 1,
        "conference_sid": rec.conference_sid,
        "date_created": rfc2822(rec.date_created),
        "date_updated": rfc2822(rec.date_updated),
        "duration": str(rec.duration) if rec.duration is not None else "-1",
        "encryption_details": None,
        "error_code": rec.error_code,
        "price": None,
        "price_unit": "USD",
        "sid": rec.sid,
        "source": SOURCE_CONFERENCE,
        "start_time": rfc2822(rec.start_time),
        "status": rec.status,
        "uri": f"{account_root(rec.account_sid)}/Conferences/{rec.conference_sid}"
        f"/Recordings/{rec.sid}.json",
    }


class RecordingBook:
    """Every recording of the account; starts, updates and completes them with callbacks."""

    def __init__(self, host: RecordingHost, now: Callable[[], datetime]) -> None:
        self._host = host
        self._now = now
        self.options: dict[str, RecordingOptions] = {}  # by ConferenceSid
        self.recordings: dict[str, SimRecording] = {}
        # callbacks wait here until the REST answer is out (Twilio's order), then flush()
        self._outbox: list[tuple[str, dict[str, str], str]] = []

    def configure(self, conf: Conference, options: RecordingOptions) -> None:
        """The first participant's `<Conference>` fixes the recording settings."""
        self.options.setdefault(conf.sid, options)

    def of(self, conference_sid: str) -> list[SimRecording]:
        """A conference's recordings, oldest first."""
        return [r for r in self.recordings.values() if r.conference_sid == conference_sid]

    def find(self, conference_sid: str, key: str) -> SimRecording:
        """By RecordingSid, or `Twilio.CURRENT` (the live one); 20404 otherwise."""
        if key == CURRENT:
            live = [r for r in self.of(conference_sid) if r.live]
            if live:
                return live[-1]
        else:
            rec = self.recordings.get(key)
            if rec is not None and rec.conference_sid == conference_sid:
                return rec
        raise errors.not_found(f"Recording {key} in conference {conference_sid}")

    # ----- lifecycle ------------------------------------------------------------------------
    def conference_started(self, conf: Conference) -> None:
        """Mixing began: a record-from-start conference starts its recording now."""
        options = self.options.get(conf.sid)
        if options is None or options.record != RECORD_FROM_START or self.of(conf.sid):
            return
        now = self._now()
        rec = SimRecording(
            sid=new_sid(RECORDING),
            account_sid=self._host.account_sid,
            conference_sid=conf.sid,
            options=options,
            start_time=now,
            date_created=now,
            date_updated=now,
            running_since=self._clock(),
        )
        self.recordings[rec.sid] = rec
        self._notify(rec)
        self.flush()

    def conference_ended(self, conference_sid: str) -> None:
        """The conference ended: its live recording ends and is processed."""
        for rec in self.of(conference_sid):
            if rec.live:
                self._finish(rec)
        self.flush()

    def update(self, rec: SimRecording, status: str, pause_behavior: str | None) -> None:
        """POST Status=paused|in-progress|stopped (PauseBehavior skip|silence); its callbacks
        go out on flush()."""
        if status not in UPDATE_STATUSES:
            raise SimError(
                400,
                errors.INVALID_PARAMETER,
                f"Status must be one of {', '.join(UPDATE_STATUSES)}, got {status!r}",
            )
        if pause_behavior not in (None, "skip", "silence"):
            raise SimError(400, errors.INVALID_PARAMETER, "PauseBehavior must be skip or silence")
        if not rec.live:
            raise SimError(
                400, INVALID_STATE, f"Recording {rec.sid} is {rec.status} and cannot be updated"
            )
        if status == rec.status:
            return  # Twilio answers 200 and nothing changes
        rec.date_updated = self._now()
        if status == STOPPED:
            self._finish(rec)
            return
        if status == PAUSED:
            self._bank(rec)
            rec.pause_behavior = pause_behavior or "silence"
            # a silent pause still records (silence), a skipping one does not
            rec.running_since = self._clock() if rec.pause_behavior == "silence" else None
        else:
            self._bank(rec)
            rec.running_since = self._clock()
        rec.status = status  # paused or resumed: Twilio sends no callback for either

    def _finish(self, rec: SimRecording) -> None:
        """Stopped (or the conference ended): processing, then completed (or absent)."""
        self._bank(rec)
        rec.running_since = None
        rec.status = STOPPED  # no callback: Twilio documents none for stopped
        rec.date_updated = self._now()
        rec.status = PROCESSING

        async def process() -> None:
            await asyncio.sleep(PROCESSING_SECONDS / self._host.speed)
            rec.duration = int(rec.seconds)
            if rec.duration < 1:
                rec.status, rec.error_code = ABSENT, TOO_SHORT
            else:
                rec.status = COMPLETED
            rec.date_updated = self._now()
            self._notify(rec)
            self.flush()

        self._host.dispatcher.spawn_pending(process)

    def _clock(self) -> float:
        return asyncio.get_running_loop().time()

    def _bank(self, rec: SimRecording) -> None:
        """Add the audio of the current run (simulated seconds) to the total."""
        if rec.running_since is not None:
            rec.seconds += (self._clock() - rec.running_since) * self._host.speed
            rec.running_since = None

    def _notify(self, rec: SimRecording) -> None:
        """A signed recording status callback, when the conference subscribed to its status.
        Twilio documents callbacks only for in-progress (the recording began), completed,
        absent and failed: pausing, resuming and stopping send none (the REST answer says)."""
        options = rec.options
        if not options.callback or rec.status not in options.events:
            return
        params = {
            "AccountSid": rec.account_sid,
            "ConferenceSid": rec.conference_sid,
            "RecordingSid": rec.sid,
            "RecordingUrl": rec.media_url,
            "RecordingStatus": rec.status,
            "RecordingChannels": "1",
            "RecordingStartTime": rfc2822(rec.start_time) or "",
            "RecordingSource": SOURCE_CONFERENCE,
            "ErrorCode": str(rec.error_code or 0),
        }
        if rec.duration is not None:
            params["RecordingDuration"] = str(rec.duration)
        log.debug("recording %s %s", rec.sid, rec.status)
        self._outbox.append((options.callback, params, options.method))

    def flush(self) -> None:
        """Queue the held callbacks for delivery."""
        outbox, self._outbox = self._outbox, []
        for url, params, method in outbox:
            self._host.dispatcher.enqueue(url, params, method)
