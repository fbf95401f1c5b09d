"""Simulated real-time transcription: `<Start><Transcription>` and the Calls Transcriptions REST
resource start one on a call's leg; while the caller speaks it sends signed callbacks with
their scripted lines (partial results, then the final one, each after a transcription
engine's latency), and it stops by REST (Status=stopped) or when the call ends.

What Twilio documents and the simulator follows (see domain/transcripts.py for the sources):
statuses in-progress and stopped; SIDs GT…; a transcription may be named and stopped by its
name; callbacks transcription-started (with Name, Track, PartialResults, LanguageCode,
TranscriptionEngine), transcription-content (TranscriptionData JSON with transcript, and
confidence only without partial results, Stability with them; Final, Track, LanguageCode),
transcription-stopped (also when the call ends); every one with AccountSid, CallSid,
TranscriptionSid, an ISO 8601 Timestamp and a SequenceId counting up within the session.
Approximate here: the error codes of a refused create (a call that is not in progress: 21220,
as Twilio's Calls update answers; a name already running on the call: 400 with the generic
code); the simulator never sends transcription-error.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import partial
from itertools import cycle
from typing import Any, Protocol
from xml.etree.ElementTree import Element

from moderator.domain.sids import new_sid
from moderator.domain.transcripts import (
    CONTENT,
    IN_PROGRESS,
    INBOUND_TRACK,
    STARTED,
    STOPPED,
    STOPPED_STATUS,
    TRANSCRIPTION,
)
from moderator.domain.twilio_words import CALL_NOT_IN_PROGRESS, INVALID_PARAMETER
from moderator.sim import errors
from moderator.sim.callbacks import Dispatcher
from moderator.sim.errors import SimError
from moderator.sim.records import Call, rfc2822
from moderator.sim.views import account_root

log = logging.getLogger(__name__)

TRACKS = ("inbound_track", "outbound_track", "both_tracks")
# a streaming engine's pace (simulated seconds): a partial result while words come, the final
# result this long after the speaker stops
PARTIAL_EVERY = 0.8
FINAL_LATENCY = 0.6
CONFIDENCE = 0.92
ENGINE = "google"  # TranscriptionEngine: Twilio's default provider
# what anyone without a script of their own says
SMALL_TALK = (
    "Can everyone hear me?",
    "I agree with that.",
    "Let me check and get back to you.",
    "Sounds good to me.",
    "Could you say that again?",
)


class TranscriptionHost(Protocol):
    """What transcriptions need from the engine (which owns them)."""

    dispatcher: Dispatcher
    account_sid: str
    speed: float


@dataclass
class TranscriptionOptions:
    """What `<Transcription>` or the REST create asked for."""

    name: str | None = None
    track: str = INBOUND_TRACK
    callback: str | None = None
    method: str = "POST"
    partial_results: bool = False
    language: str = "en-US"


@dataclass
class SimTranscription:
    """One real-time transcription of a call."""

    sid: str
    account_sid: str
    call_sid: str
    options: TranscriptionOptions
    status: str = IN_PROGRESS
    date_updated: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    sequence: int = 0
    speaking: asyncio.Event | None = None  # set while the caller talks (an utterance runs)

    def next_sequence(self) -> int:
        self.sequence += 1
        return self.sequence


def transcription_options(noun: Element) -> TranscriptionOptions:
    """A `<Transcription>` noun's attributes (Twilio's defaults when absent)."""
    return TranscriptionOptions(
        name=noun.get("name") or None,
        track=noun.get("track", INBOUND_TRACK),
        callback=noun.get("statusCallbackUrl") or None,
        method=noun.get("statusCallbackMethod", "POST").upper(),
        partial_results=noun.get("partialResults", "false").strip().lower() == "true",
        language=noun.get("languageCode", "en-US"),
    )


def rest_options(form: Mapping[str, str]) -> TranscriptionOptions:
    """The REST create's parameters; SimError 400 for a Track Twilio does not know."""
    track = form.get("Track", INBOUND_TRACK)
    if track not in TRACKS:
        raise SimError(400, INVALID_PARAMETER, f"Track must be one of {', '.join(TRACKS)}")
    method = form.get("StatusCallbackMethod", "POST").upper()
    if method not in ("GET", "POST"):
        raise SimError(400, INVALID_PARAMETER, "StatusCallbackMethod must be GET or POST")
    return TranscriptionOptions(
        name=form.get("Name") or None,
        track=track,
        callback=form.get("StatusCallbackUrl") or None,
        method=method,
        partial_results=form.get("PartialResults", "false").lower() == "true",
        language=form.get("LanguageCode", "en-US"),
    )


def transcription_json(tr: SimTranscription) -> dict[str, Any]:
    """A Calls Transcriptions resource, as Twilio's 2010-04-01 API answers it."""
    return {
        "sid": tr.sid,
        "account_sid": tr.account_sid,
        "call_sid": tr.call_sid,
        "name": tr.options.name,
        "status": tr.status,
        "date_updated": rfc2822(tr.date_updated),
        "uri": f"{account_root(tr.account_sid)}/Calls/{tr.call_sid}/Transcriptions/{tr.sid}.json",
    }


def _now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


class TranscriptionBook:
    """Every transcription of the account; what callers say comes from `scripts`."""

    def __init__(self, host: TranscriptionHost, number_of: Callable[[str], str | None]) -> None:
        self._host = host
        self._number_of = number_of  # CallSid -> the caller's number (whose script)
        self.transcriptions: dict[str, SimTranscription] = {}
        self._scripts: dict[str, cycle[str]] = {}
        self._small_talk = cycle(SMALL_TALK)
        # callbacks wait here until the REST answer is out (Twilio's order), then flush()
        self._outbox: list[tuple[str, dict[str, str], str]] = []

    def script(self, number: str, lines: list[str] | tuple[str, ...]) -> None:
        """What the caller from `number` says, line after line (then from the top)."""
        self._scripts[number] = cycle(tuple(lines))

    def of(self, call_sid: str) -> list[SimTranscription]:
        return [t for t in self.transcriptions.values() if t.call_sid == call_sid]

    def running(self, call_sid: str) -> list[SimTranscription]:
        return [t for t in self.of(call_sid) if t.status == IN_PROGRESS]

    def find(self, call_sid: str, key: str) -> SimTranscription:
        """By its SID or its name (the newest of that name); 20404 otherwise."""
        for tr in reversed(self.of(call_sid)):
            if key in (tr.sid, tr.options.name):
                return tr
        raise errors.not_found(f"Transcription {key} of call {call_sid}")

    # ----- lifecycle ------------------------------------------------------------------------
    def start(self, call: Call, options: TranscriptionOptions) -> SimTranscription:
        """Start transcribing `call` (its started callback goes out on flush())."""
        if not call.live:
            raise SimError(400, CALL_NOT_IN_PROGRESS, f"Call {call.sid} is not in progress")
        if options.name and any(t.options.name == options.name for t in self.running(call.sid)):
            raise SimError(
                400,
                INVALID_PARAMETER,
                f"A transcription named {options.name!r} is already running on {call.sid}",
            )
        tr = SimTranscription(new_sid(TRANSCRIPTION), self._host.account_sid, call.sid, options)
        self.transcriptions[tr.sid] = tr
        started = {
            "Track": options.track,
            "PartialResults": "true" if options.partial_results else "false",
            "LanguageCode": options.language,
            "TranscriptionEngine": ENGINE,
        }
        if options.name:
            started["Name"] = options.name
        self._notify(tr, STARTED, **started)
        return tr

    def stop(self, tr: SimTranscription, status: str = STOPPED_STATUS) -> None:
        """POST Status=stopped (the only status an update may ask for)."""
        if status != STOPPED_STATUS:
            raise SimError(400, INVALID_PARAMETER, f"Status must be stopped, got {status!r}")
        if tr.status == STOPPED_STATUS:
            return  # already stopped: the resource is answered as it is
        tr.status = STOPPED_STATUS
        tr.date_updated = datetime.now(timezone.utc)
        if tr.speaking is not None:
            tr.speaking.set()  # an utterance under way gets no final
        self._notify(tr, STOPPED)

    def call_ended(self, call_sid: str) -> None:
        """The call ended: its transcriptions stop (and say so)."""
        for tr in self.running(call_sid):
            self.stop(tr)
        self.flush()

    def speech(self, call_sid: str, speaking: bool) -> None:
        """The caller started or stopped talking: each running transcription of their leg
        hears it (partials while they talk, the final after they stop)."""
        for tr in self.running(call_sid):
            if tr.options.track == "outbound_track":
                continue  # the caller's own voice is on the inbound track
            if speaking and tr.speaking is None:
                tr.speaking = asyncio.Event()
                utterance = partial(self._say, tr, self._next_line(call_sid))
                self._host.dispatcher.spawn_pending(utterance)
            elif not speaking and tr.speaking is not None:
                tr.speaking.set()

    def _next_line(self, call_sid: str) -> str:
        number = self._number_of(call_sid)
        return next(self._scripts.get(number or "", self._small_talk))

    async def _say(self, tr: SimTranscription, line: str) -> None:
        """One utterance: growing partial results while the caller talks, then the final."""
        assert tr.speaking is not None
        words = line.split()
        heard = 0
        while not tr.speaking.is_set():
            try:
                await asyncio.wait_for(tr.speaking.wait(), PARTIAL_EVERY / self._host.speed)
            except asyncio.TimeoutError:
                heard = min(heard + 2, len(words) - 1)
                if tr.options.partial_results and heard > 0 and tr.status == IN_PROGRESS:
                    self._content(tr, " ".join(words[:heard]), final=False)
        tr.speaking = None
        if tr.status != IN_PROGRESS:
            return
        await asyncio.sleep(FINAL_LATENCY / self._host.speed)
        if tr.status == IN_PROGRESS:
            self._content(tr, line, final=True)

    def _content(self, tr: SimTranscription, text: str, *, final: bool) -> None:
        # with partial results Twilio sends Stability and no confidence; without, confidence
        extra: dict[str, str] = {}
        data: dict[str, object] = {"transcript": text}
        if tr.options.partial_results:
            extra["Stability"] = "0.9" if final else "0.6"
        else:
            data["confidence"] = CONFIDENCE
        self._notify(
            tr,
            CONTENT,
            TranscriptionData=json.dumps(data),
            Final="true" if final else "false",
            Track=INBOUND_TRACK if tr.options.track != "outbound_track" else "outbound_track",
            LanguageCode=tr.options.language,
            **extra,
        )
        self.flush()

    def _notify(self, tr: SimTranscription, event: str, **extra: str) -> None:
        """A signed callback to the transcription's statusCallbackUrl, if it has one."""
        if not tr.options.callback:
            return
        params = {
            "AccountSid": tr.account_sid,
            "CallSid": tr.call_sid,
            "TranscriptionSid": tr.sid,
            "TranscriptionEvent": event,
            "SequenceId": str(tr.next_sequence()),
            "Timestamp": _now_iso(),
            **extra,
        }
        log.debug("transcription %s %s", tr.sid, event)
        self._outbox.append((tr.options.callback, params, tr.options.method))

    def flush(self) -> None:
        """Queue the held callbacks for delivery."""
        outbox, self._outbox = self._outbox, []
        for url, params, method in outbox:
            self._host.dispatcher.enqueue(url, params, method)
