"""The Engine: one simulated Twilio account (its world, callbacks, faults), driven from Python.

The REST server (rest.py) and the scenarios (scenarios.py) act through it; simulator.py puts
them together. Nothing here imports either, so the modules form a tree, not a cycle.
"""

from __future__ import annotations

import asyncio
import random
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from moderator.domain.sids import ACCOUNT, PHONE_NUMBER, new_sid
from moderator.domain.twilio_words import SUBSCRIBED_EVENTS, SUBSCRIPTION_WORD
from moderator.sim.callbacks import Dispatcher
from moderator.sim.errors import SimError
from moderator.sim.faults import FailureQueue, Faults
from moderator.sim.recordings import RecordingBook
from moderator.sim.records import LINE_NUMBER, Call, Conference, Participant, PhoneNumber, utcnow
from moderator.sim.stats import Stats
from moderator.sim.transcriptions import TranscriptionBook
from moderator.sim.voice import VoicePath
from moderator.sim.world import Event, ParticipantOptions, World

if TYPE_CHECKING:
    from typing import Unpack  # Python 3.11; only read by the type checker

ANSWER = "answer"
DIAL_OUTCOMES = (ANSWER, "busy", "no-answer", "failed", "canceled")


@dataclass(frozen=True)
class Announcement:
    """An announcement Twilio was asked to play (call_sid None: to the whole conference)."""

    conference_sid: str
    call_sid: str | None
    url: str
    method: str


class Engine:
    """An account's conferences, calls and callbacks, with faults; times divided by `speed`.

    A seed fixes timings and choices (scenario script, faults), never identities: every run
    mints fresh SIDs.
    """

    def __init__(
        self,
        account_sid: str | None = None,
        auth_token: str | None = None,
        *,
        faults: Faults | None = None,
        seed: int = 0,
        speed: float = 1.0,
        ring_time: float = 2.0,
        announce_time: float = 3.0,
        callback_timeout: float = 5.0,
        callback_retry_delay: float | None = None,
    ) -> None:
        if speed <= 0:
            raise ValueError(f"speed must be > 0, got {speed}")
        self.account_sid = account_sid or new_sid(ACCOUNT)
        self.auth_token = auth_token or secrets.token_hex(16)
        self.seed = seed
        self.speed = speed
        self.ring_time = ring_time
        self.announce_time = announce_time
        self.stats = Stats()
        self.failures = FailureQueue()
        self.rest_rng = random.Random(f"rest:{seed}")
        self.rng = random.Random(f"scenario:{seed}")
        self.world = World(self.account_sid)
        self.account_friendly_name = "Simulated account"
        self.account_type = "Full"  # or "Trial", as an account fetch reports it
        self.account_created = utcnow()
        # the account's numbers (IncomingPhoneNumbers): where their calls go, and the only
        # valid dial-out `From`
        self.numbers: dict[str, PhoneNumber] = {}
        self.add_number(LINE_NUMBER, "Conference line")
        self.dial_outcomes: dict[str, str] = {}  # To number -> how its dial-outs end
        self.announcements: list[Announcement] = []
        self._faults = faults if faults is not None else Faults()
        retry_delay = callback_retry_delay if callback_retry_delay is not None else 0.5 / speed
        self.dispatcher = Dispatcher(
            self.auth_token,
            self._faults,
            self.stats,
            random.Random(f"callbacks:{seed}"),
            timeout=callback_timeout,
            retry_delay=retry_delay,
        )
        self.recordings = RecordingBook(self, self.world.now)
        self.transcriptions = TranscriptionBook(self, self._caller_number)
        self.voice = VoicePath(self, self.number_for)

    # ----- settings ------------------------------------------------------------------------
    @property
    def faults(self) -> Faults:
        """Live fault settings; mutate fields or assign a new Faults."""
        return self._faults

    @faults.setter
    def faults(self, value: Faults) -> None:
        self._faults = value
        self.dispatcher.set_faults(value)

    def fail_next(
        self, status: int = 500, count: int = 1, retry_after: float | None = None
    ) -> None:
        """Make the next `count` authenticated REST requests fail with `status`.

        A 429 carries `Retry-After: retry_after` (default `faults.retry_after`).
        """
        if status == 429 and retry_after is None:
            retry_after = self._faults.retry_after
        self.failures.push(status, count, retry_after)

    async def drain(self) -> None:
        """Wait until every queued callback (and pending ring/announcement) has finished."""
        await self.dispatcher.drain()

    async def sleep(self, seconds: float) -> None:
        """Sleep `seconds` of simulated time (divided by speed)."""
        await asyncio.sleep(seconds / self.speed)

    # ----- phone numbers --------------------------------------------------------------------
    @property
    def phone_numbers(self) -> frozenset[str]:
        """The account's numbers in E.164 (what a dial-out `From` must be)."""
        return frozenset(n.phone_number for n in self.numbers.values())

    def add_number(self, phone_number: str, friendly_name: str | None = None) -> PhoneNumber:
        """Give the account another number (as buying one would); returns it."""
        now = utcnow()
        number = PhoneNumber(
            sid=new_sid(PHONE_NUMBER),
            phone_number=phone_number,
            friendly_name=friendly_name or phone_number,
            date_created=now,
            date_updated=now,
        )
        self.numbers[number.sid] = number
        return number

    def number_for(self, phone_number: str) -> PhoneNumber | None:
        """The account's number `phone_number` (E.164), if it has it."""
        return next((n for n in self.numbers.values() if n.phone_number == phone_number), None)

    def set_voice_url(
        self, phone_number: str, url: str, method: str = "POST", *, status_callback: str = ""
    ) -> None:
        """Point a number's calls at `url` and, with `status_callback`, their ends there (as an
        IncomingPhoneNumbers update of VoiceUrl and StatusCallback would)."""
        number = self.number_for(phone_number)
        if number is None:
            raise ValueError(f"{phone_number} is not one of the account's numbers")
        number.voice_url, number.voice_method = url, method
        if status_callback:
            number.status_callback, number.status_callback_method = status_callback, "POST"
        number.date_updated = utcnow()

    def place_call(self, from_: str, to: str, digits: Iterable[str] = ()) -> Call:
        """An incoming call to the account's number `to`: it walks the number's Voice URL.
        `digits` are what the caller keys at each <Gather>, in order."""
        return self.voice.place_call(from_, to, digits)

    async def hang_up(self, call_sid: str) -> None:
        """The caller hangs up (wherever the call is)."""
        self.emit(self.voice.hang_up(self.world.call(call_sid)))

    def _caller_number(self, call_sid: str) -> str | None:
        """The number of the person on the call's leg (whose voice its inbound track is)."""
        call = self.world.calls.get(call_sid)
        if call is None:
            return None
        return call.from_ if call.direction == "inbound" else call.to

    # ----- events --------------------------------------------------------------------------
    def emit(self, events: Iterable[Event]) -> None:
        """Number and queue each event its conference subscribed to."""
        for event in events:
            if event.name == "participant-leave":
                self.voice.left(event.params["CallSid"], event.params["ReasonParticipantLeft"])
                if event.params.get("ParticipantCallStatus") == "completed":
                    self.transcriptions.call_ended(event.params["CallSid"])
            elif event.name in ("participant-speech-start", "participant-speech-stop"):
                speaking = event.name == "participant-speech-start"
                self.transcriptions.speech(event.params["CallSid"], speaking)
            conf = event.conference
            if event.name == "conference-start":
                self.recordings.conference_started(conf)
            elif event.name == "conference-end":
                self.recordings.conference_ended(conf.sid)
            word = SUBSCRIPTION_WORD.get(event.name)
            if not conf.status_callback or word not in conf.events:
                continue
            params = dict(event.params)
            params["SequenceNumber"] = str(conf.next_sequence())
            self.dispatcher.enqueue(conf.status_callback, params, conf.status_callback_method)

    def ring_then_join(self, conf: Conference, part: Participant) -> None:
        """Dial-out: ring for `ring_time / speed`, then join, or end as the number's outcome
        (`dial_outcomes`) or the dial faults say: busy, no-answer, failed (unless removed
        meanwhile)."""
        call = self.world.call(part.call_sid)
        outcome = self.dial_outcomes.get(call.to) or self._faults.dial_outcome(self.rest_rng)

        async def ring() -> None:
            await asyncio.sleep(0)  # the 201 (status queued) goes out first
            if conf.participants.get(part.call_sid) is not part:
                return
            self.world.ringing(part)
            await self.sleep(self.ring_time)
            if not conf.live or conf.participants.get(part.call_sid) is not part:
                return
            if outcome is None or outcome == ANSWER:
                self.emit(self.world.connect(conf, part))
            else:
                self.emit(self.world.dial_failed(conf, part, outcome))

        self.dispatcher.spawn_pending(ring)

    def set_dial_outcome(self, number: str, outcome: str) -> None:
        """How dial-outs to `number` end: answer, busy, no-answer, failed or canceled."""
        if outcome not in DIAL_OUTCOMES:
            raise ValueError(f"dial outcome must be one of {', '.join(DIAL_OUTCOMES)}")
        self.dial_outcomes[number] = outcome

    def announce(
        self, conf: Conference, part: Participant | None, url: str, method: str = "POST"
    ) -> None:
        """Play an announcement: the URL is fetched (signed, with `method`) as Twilio does and
        the participant (or everyone present) hears it; announcement-end follows after
        `announce_time / speed`, or announcement-fail when the URL could not be played (11200,
        13238) or a fault says so. Each is recorded in `announcements`."""
        self.announcements.append(
            Announcement(conf.sid, part.call_sid if part else None, url, method)
        )
        rate = self._faults.announce_fail
        failed = rate > 0 and self.rest_rng.random() < rate
        reason = "Unable to play the announcement (simulated fault)" if failed else None
        targets = [part] if part is not None else conf.connected()
        calls = [self.world.calls[p.call_sid] for p in targets if p.call_sid in self.world.calls]
        params = {"AccountSid": self.account_sid, "ConferenceSid": conf.sid}
        if part is not None:
            params["CallSid"] = part.call_sid

        async def play() -> None:
            heard = await self.voice.announcement(calls, url, method, params)
            if heard.error is not None and reason is None:
                failure: str | None = f"{heard.error.message} ({heard.error.code})"
            else:
                failure = reason
            await self.sleep(self.announce_time)
            self.emit(self.world.announcement_done(conf, part, url, failure))

        self.dispatcher.spawn_pending(play)

    # ----- Python API (demo mode, tests) ---------------------------------------------------
    def create_conference(
        self,
        friendly_name: str,
        status_callback: str | None = None,
        events: str | Iterable[str] | None = SUBSCRIBED_EVENTS,
    ) -> str:
        """A new conference (status init); returns its SID. Events default to every word."""
        return self.world.create_conference(friendly_name, status_callback, events).sid

    def conference(self, conference_sid: str) -> Conference:
        """Current state of a conference (raises SimError 404)."""
        return self.world.conference(conference_sid)

    def participant(self, conference_sid: str, call_sid: str) -> Participant | None:
        """Current state of a live participant (CallSid or label), or None when not present."""
        try:
            return self.world.participant(self.world.conference(conference_sid), call_sid)
        except SimError:
            return None

    def call(self, call_sid: str) -> Call:
        """The call record behind a participant (raises SimError 404)."""
        return self.world.call(call_sid)

    async def join(
        self,
        conference_sid: str,
        *,
        number: str | None = None,
        caller_name: str | None = None,
        **options: Unpack[ParticipantOptions],
    ) -> str:
        """An inbound caller (from `number`, else a random one) joins at once, sitting as
        `options` say (label, muted, hold, ...); returns the new CallSid."""
        conf = self.world.conference(conference_sid)
        part = self.world.add_participant(
            conf,
            from_=number or self.random_number(),
            to=LINE_NUMBER,
            direction="inbound",
            caller_name=caller_name,
            **options,
        )
        self.emit(self.world.connect(conf, part))
        return part.call_sid

    async def leave(
        self, conference_sid: str, call_sid: str, reason: str = "participant_hung_up"
    ) -> None:
        """The participant hangs up (or leaves for `reason`)."""
        conf = self.world.conference(conference_sid)
        part = self.world.participant(conf, call_sid)
        self.emit(self.world.remove(conf, part, reason))

    async def kick(self, conference_sid: str, call_sid: str) -> None:
        """As a REST DELETE would: reason participant_updated_via_api."""
        conf = self.world.conference(conference_sid)
        part = self.world.participant(conf, call_sid)
        self.emit(self.world.remove(conf, part, "participant_updated_via_api", kicked=True))

    async def set_muted(self, conference_sid: str, call_sid: str, muted: bool) -> None:
        """Mute or unmute (participant-mute / participant-unmute)."""
        conf = self.world.conference(conference_sid)
        self.emit(self.world.set_muted(conf, self.world.participant(conf, call_sid), muted))

    async def set_hold(self, conference_sid: str, call_sid: str, hold: bool) -> None:
        """Hold or unhold (participant-hold / participant-unhold)."""
        conf = self.world.conference(conference_sid)
        part = self.world.participant(conf, call_sid)
        self.emit(self.hold(conf, part, hold))

    def hold(self, conf: Conference, part: Participant, hold: bool) -> list[Event]:
        """Hold or unhold; a participant newly on hold hears its HoldUrl (fetched with
        HoldMethod) or Twilio's music. The events to emit."""
        held_before = part.hold
        events = self.world.set_hold(conf, part, hold)
        call = self.world.calls.get(part.call_sid)
        if hold and not held_before and call is not None:
            self.dispatcher.spawn_pending(
                lambda: self.voice.hold_music(call, part.hold_url, part.hold_method)
            )
        return events

    async def set_speaking(self, conference_sid: str, call_sid: str, speaking: bool) -> None:
        """Start or stop talking (participant-speech-start / -stop)."""
        conf = self.world.conference(conference_sid)
        self.emit(self.world.set_speaking(conf, self.world.participant(conf, call_sid), speaking))

    async def end_conference(self, conference_sid: str) -> None:
        """As REST Status=completed would."""
        conf = self.world.conference(conference_sid)
        self.emit(
            self.world.end_conference(conf, "conference-ended-via-api", "Conference ended via API")
        )

    def random_number(self) -> str:
        """A fictional US number in E.164 (+1 NPA 555-01xx)."""
        area = self.rng.choice(("202", "212", "312", "415", "617", "718"))
        return f"+1{area}5550{self.rng.randrange(100, 200)}"
