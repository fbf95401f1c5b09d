"""Live captions: Twilio's real-time transcription callbacks, parsed, and the meeting's
transcript they fold into (the same lines whatever order or how often they arrive).

Twilio facts this relies on, and where they were confirmed (checked 2026-12-05):

- The callbacks, from Twilio's `<Transcription>` page (twilio.com/docs/voice/twiml/transcription,
  its parameter tables, read in a stored copy of the page's markdown): form POSTs to
  `statusCallbackUrl` carrying AccountSid, CallSid, TranscriptionSid (GT…), Timestamp (UTC
  ISO 8601, e.g. 2024-06-25T18:45:12.135751Z, seen with nine fraction digits too),
  SequenceId (an integer that increases within each transcription session; ordered per track
  on content) and TranscriptionEvent: transcription-started (+ Name, Track, PartialResults,
  LanguageCode, TranscriptionEngine, ProviderConfiguration, track labels),
  transcription-content (+ LanguageCode, Track inbound_track|outbound_track, Final "true"|
  "false", TranscriptionData: a JSON string with `transcript` and, without partial results,
  `confidence`; with partial results `Stability` instead), transcription-stopped (stopped by
  API or TwiML, or the call ended), transcription-error (+ TranscriptionErrorCode 32650-32655,
  TranscriptionError).
- The REST resource `POST /2010-04-01/Accounts/{AC}/Calls/{CA}/Transcriptions.json` (create:
  `Name`, `Track`, `StatusCallbackUrl`, `StatusCallbackMethod`, `PartialResults`,
  `LanguageCode`, …) and `POST …/Transcriptions/{GT… or Name}.json` with `Status=stopped`
  (the only value an update takes); status in-progress or stopped: Twilio's "Calls
  Transcriptions subresource" page (twilio.com/docs/voice/api/realtime-transcription-resource,
  a stored copy with its OpenAPI schema) and twilio-python 9.13
  (`twilio/rest/api/v2010/account/call/transcription.py`, `twiml/voice_response.py`).

The parser needs CallSid, TranscriptionSid, TranscriptionEvent and, on a content event,
SequenceId (without it duplicates and order cannot be told: a 400); `Final` absent is a
partial (a partial never reaches the report); every other parameter is kept as sent.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from moderator.domain.events import MalformedCallback, parse_sequence, parse_timestamp
from moderator.domain.sids import CALL, is_sid
from moderator.domain.timeline import Span

TRANSCRIPTION = "GT"  # a real-time transcription's SID prefix
STARTED = "transcription-started"
CONTENT = "transcription-content"
STOPPED = "transcription-stopped"
ERROR = "transcription-error"
EVENTS = (STARTED, CONTENT, STOPPED, ERROR)
INBOUND_TRACK = "inbound_track"  # the caller's own voice: the speaker is known exactly
# the REST resource's status values (and the only status an update may ask for)
IN_PROGRESS = "in-progress"
STOPPED_STATUS = "stopped"
# what a line's text may hold: an utterance is a sentence or two; a body is capped at 16 KB
MAX_TEXT_CHARS = 4000


@dataclass(frozen=True)
class TranscriptionEvent:
    """One real-time transcription callback, parsed."""

    call_sid: str
    transcription_sid: str
    event: str
    sequence: int
    at: datetime  # Twilio's Timestamp, else when it arrived
    final: bool = False
    text: str | None = None  # transcription-content only
    confidence: float | None = None
    track: str | None = None
    language: str | None = None
    error: str | None = None  # transcription-error: "Provider Unavailable (32655)"

    @property
    def key(self) -> tuple[str, int, str]:
        """Identity of a delivery: a retry repeats it."""
        return (self.transcription_sid, self.sequence, self.event)


@dataclass(frozen=True)
class Line:
    """A caption: what one caller said (a partial result until `final`)."""

    at: datetime
    call_sid: str
    transcription_sid: str
    sequence: int
    text: str
    final: bool
    confidence: float | None = None


def _timestamp(raw: str, received_at: datetime) -> datetime:
    """ISO 8601 (what real-time transcription sends) or RFC 2822; `received_at` when absent."""
    raw = raw.strip()
    if not raw:
        return received_at
    if len(raw) > 64:
        raise MalformedCallback("Timestamp", "too long for a date")
    try:
        parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return parse_timestamp(raw)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def _data(raw: str) -> tuple[str, float | None]:
    """`TranscriptionData`'s transcript and confidence; MalformedCallback for anything else."""
    try:
        data = json.loads(raw)
    except ValueError:
        raise MalformedCallback("TranscriptionData", "not JSON") from None
    if not isinstance(data, dict) or not isinstance(data.get("transcript"), str):
        raise MalformedCallback("TranscriptionData", "no transcript text")
    text = data["transcript"].strip()
    if len(text) > MAX_TEXT_CHARS:
        raise MalformedCallback("TranscriptionData", f"over {MAX_TEXT_CHARS} characters")
    confidence = data.get("confidence")
    if isinstance(confidence, bool) or not isinstance(confidence, (int, float)):
        confidence = None
    return text, None if confidence is None else float(confidence)


def parse_transcription_callback(
    form: Mapping[str, str], received_at: datetime
) -> TranscriptionEvent:
    """The callback's fields; MalformedCallback naming the field when it cannot be one.
    Events Twilio may add later are kept as sent (they change no line)."""
    call_sid = form.get("CallSid", "")
    sid = form.get("TranscriptionSid", "")
    event = form.get("TranscriptionEvent", "")
    if not is_sid(call_sid, CALL):
        raise MalformedCallback("CallSid", "missing or not a call SID")
    if not is_sid(sid, TRANSCRIPTION):
        raise MalformedCallback("TranscriptionSid", "missing or not a transcription SID")
    if not event:
        raise MalformedCallback("TranscriptionEvent", "missing")
    raw_sequence = form.get("SequenceId", "")
    if not raw_sequence and event != CONTENT:
        sequence = 0  # a started/stopped/error event without one changes no line
    else:
        sequence = parse_sequence(raw_sequence, "SequenceId")
    text: str | None = None
    confidence: float | None = None
    if event == CONTENT:
        text, confidence = _data(form.get("TranscriptionData", ""))
    error: str | None = None
    if event == ERROR:
        what = form.get("TranscriptionError", "").strip()[:200] or "an error"
        code = form.get("TranscriptionErrorCode", "").strip()[:12]
        error = f"{what} ({code})" if code else what
    return TranscriptionEvent(
        call_sid=call_sid,
        transcription_sid=sid,
        event=event,
        sequence=sequence,
        at=_timestamp(form.get("Timestamp", ""), received_at),
        final=form.get("Final", "").strip().lower() == "true",
        text=text,
        confidence=confidence,
        track=form.get("Track") or None,
        language=form.get("LanguageCode") or None,
        error=error,
    )


def _order(line: Line) -> tuple[datetime, str, int]:
    return (line.at, line.transcription_sid, line.sequence)


class Transcript:
    """Every caption heard: final lines in time order, and each call's partial result.

    A partial stands until a final of the same transcription with a higher SequenceId comes;
    a partial that arrives after that final (out of order) is never shown. Duplicates are
    ignored by (TranscriptionSid, SequenceId, TranscriptionEvent).
    """

    def __init__(self) -> None:
        self._seen: set[tuple[str, int, str]] = set()
        self._finals: list[Line] = []
        self._last_final: dict[str, int] = {}  # transcription -> highest final SequenceId
        self._partials: dict[str, Line] = {}  # transcription -> its newest partial
        self._calls: dict[str, str] = {}  # transcription -> CallSid
        self.status: dict[str, str] = {}  # transcription -> its latest lifecycle event

    def apply(self, event: TranscriptionEvent) -> Line | None:
        """Fold one callback in; the line it added or changed (None: nothing to show)."""
        if event.key in self._seen:
            return None
        self._seen.add(event.key)
        sid = event.transcription_sid
        self._calls[sid] = event.call_sid
        if event.event != CONTENT:
            # stopped or failed is the end, whichever order the two arrive in
            if event.event in EVENTS and self.status.get(sid) not in (STOPPED, ERROR):
                self.status[sid] = event.event
            if event.event in (STOPPED, ERROR):
                # stopped mid-utterance (captions off, the call gone): its words never become
                # final, so its partial goes rather than stand as if still being spoken
                self._partials.pop(sid, None)
            return None
        if event.track not in (None, INBOUND_TRACK) or not event.text:
            return None  # only the caller's own voice names its speaker exactly
        line = Line(
            event.at,
            event.call_sid,
            sid,
            event.sequence,
            event.text,
            event.final,
            event.confidence,
        )
        if event.final:
            self._insert(line)
            self._last_final[sid] = max(self._last_final.get(sid, -1), event.sequence)
            partial = self._partials.get(sid)
            if partial is not None and partial.sequence < event.sequence:
                del self._partials[sid]
            return line
        if event.sequence <= self._last_final.get(sid, -1):
            return None  # a late partial of an utterance already final
        if self.status.get(sid) in (STOPPED, ERROR):
            return None  # a late partial of a transcription already over
        current = self._partials.get(sid)
        if current is not None and current.sequence > event.sequence:
            return None  # an older partial arriving late
        self._partials[sid] = line
        return line

    def _insert(self, line: Line) -> None:
        lines = self._finals
        index = len(lines)
        while index > 0 and _order(lines[index - 1]) > _order(line):
            index -= 1  # callbacks mostly arrive in order: a short walk back
        lines.insert(index, line)

    def extend(self, events: Iterable[TranscriptionEvent]) -> None:
        for event in events:
            self.apply(event)

    def finals(self, call_sids: Iterable[str] | None = None) -> list[Line]:
        """The final lines in time order (of `call_sids` only, when given)."""
        if call_sids is None:
            return list(self._finals)
        wanted = set(call_sids)
        return [line for line in self._finals if line.call_sid in wanted]

    def partials(self) -> list[Line]:
        """Each transcription's partial result still waiting for its final."""
        return sorted(self._partials.values(), key=_order)

    def last_line(self, call_sid: str) -> Line | None:
        """What `call_sid` said last: its newest partial, else its newest final."""
        candidates = [p for p in self._partials.values() if p.call_sid == call_sid]
        finals = [line for line in reversed(self._finals) if line.call_sid == call_sid]
        candidates.extend(finals[:1])
        return max(candidates, key=_order, default=None)

    def search(self, words: str, call_sids: Iterable[str] | None = None) -> list[Line]:
        """Final lines holding `words` (case-insensitive), in time order."""
        needle = words.casefold().strip()
        lines = self.finals(call_sids)
        if not needle:
            return lines
        return [line for line in lines if needle in line.text.casefold()]

    def heard_of(self, call_sid: str) -> bool:
        """Whether any transcription callback of the call has come."""
        return call_sid in self._calls.values()

    def transcribing(self, call_sid: str) -> bool:
        """Whether a transcription of the call has started and not stopped (as told so far)."""
        return any(
            self._calls.get(sid) == call_sid and status == STARTED
            for sid, status in self.status.items()
        )


# A final result comes a moment after the words (Twilio's latency): a line this soon after its
# speaker left a conference was still said there.
PLACE_GRACE = timedelta(seconds=10)
Presence = Mapping[str, Mapping[str, Sequence[Span]]]  # conference -> call -> present spans


def place(lines: Iterable[Line], presence: Presence) -> dict[str, list[Line]]:
    """Each line under the conference its speaker was in when they said it.

    A call moves (waiting room, meeting, breakout rooms) and keeps one transcription: a line
    goes to the conference whose presence span holds its moment, else the one the call
    joined last before it; a line of a call in none of `presence` is left out.
    """
    placed: dict[str, list[Line]] = {sid: [] for sid in presence}
    for line in lines:
        best: tuple[int, datetime, str] | None = None
        for conference_sid, calls in presence.items():
            for span in calls.get(line.call_sid, ()):
                if span.start > line.at:
                    continue
                inside = span.end is None or line.at <= span.end + PLACE_GRACE
                candidate = (1 if inside else 0, span.start, conference_sid)
                if best is None or candidate[:2] > best[:2]:
                    best = candidate
        if best is None:  # spoken before any join was seen: the call's first conference
            best = next(
                ((0, line.at, sid) for sid, calls in presence.items() if line.call_sid in calls),
                None,
            )
        if best is not None:
            placed[best[2]].append(line)
    return placed
