"""The voice path: incoming calls fetch their number's Voice URL and follow the TwiML, as Twilio.

A call walks one document at a time: `<Say>`, `<Play>`, `<Pause>` take (simulated) time,
`<Gather>` takes the caller's next keyed digits and posts them to its action, `<Redirect>`
fetches the next document, `<Hangup>` ends the call, `<Dial><Conference>` joins the conference
until the participant leaves (a caller who waits for it to start hears its waitUrl). A Voice
URL that fails (11200) or answers something that is not TwiML (12100) is logged in `debugger`;
the number's fallback URL is asked next (with ErrorCode and ErrorUrl), else the caller hears
the application error. What each caller heard and keyed is kept on its Call and told to
`listeners` (`moderator sim` prints it).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine, Iterable
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urljoin
from xml.etree.ElementTree import Element

import aiohttp

from moderator.domain.sids import CALL, new_sid
from moderator.domain.twilio_words import DUPLICATE_LABEL, DUPLICATE_LABEL_TWIML
from moderator.sim.audio import MUSIC, SAY, SILENCE, TWILIO_MUSIC, Listening, listen
from moderator.sim.callbacks import Dispatcher
from moderator.sim.errors import SimError
from moderator.sim.recordings import RecordingBook, recording_options
from moderator.sim.records import Call, PhoneNumber, rfc2822, utcnow
from moderator.sim.transcriptions import TranscriptionBook, transcription_options
from moderator.sim.twiml import (
    HTTP_RETRIEVAL_FAILURE,
    Document,
    TwimlError,
    flag,
    number,
    parse,
)
from moderator.sim.views import API_VERSION
from moderator.sim.world import IN_PROGRESS, Event, World

log = logging.getLogger(__name__)

APPLICATION_ERROR = "We are sorry, an application error has occurred. Goodbye."
HUNG_UP = "participant_hung_up"
MOVED = "participant_updated_via_api"  # ReasonParticipantLeft of a call moved by a Calls update
SAY_SECONDS = 1.0  # how long one <Say> or <Play> takes (simulated seconds, divided by speed)
DIAL_FAILED = "failed"  # DialCallStatus of a <Dial> that could not join (e.g. 16025)

CallListener = Callable[["Call", str], None]  # the call and one line: what it heard or keyed


@dataclass(frozen=True)
class DebuggerEntry:
    """An error Twilio's debugger would show for a call (never a secret)."""

    code: int
    message: str
    call_sid: str
    url: str | None


class VoiceHost(Protocol):
    """What the voice path needs from the engine (which owns it)."""

    world: World
    dispatcher: Dispatcher
    recordings: RecordingBook
    transcriptions: TranscriptionBook
    account_sid: str
    speed: float

    def emit(self, events: Iterable[Event]) -> None: ...


class VoicePath:
    """Every call that follows TwiML: placing, walking, moving and hanging up."""

    def __init__(self, host: VoiceHost, number_for: Callable[[str], PhoneNumber | None]) -> None:
        self._host = host
        self._number_for = number_for
        self._walks: dict[str, asyncio.Task[None]] = {}
        self._waiting: dict[str, asyncio.Future[str]] = {}
        self.debugger: list[DebuggerEntry] = []
        self.listeners: list[CallListener] = []

    # ----- what callers hear and key ---------------------------------------------------------
    def hear(self, call: Call, kind: str, what: str) -> None:
        """The caller heard `what` (Say text, Play or Music URL, why it was silent)."""
        call.heard.append((kind, what))
        self._tell(call, f"heard {kind}: {what}")

    def _keyed(self, call: Call, entry: str) -> None:
        call.keyed.append(entry)
        self._tell(call, f"keyed {entry}")

    def _tell(self, call: Call, line: str) -> None:
        log.info("call %s %s", call.sid, line)
        for listener in list(self.listeners):
            listener(call, line)

    async def hold_music(self, call: Call, url: str | None, method: str) -> None:
        """A participant put on hold hears its HoldUrl (Twilio's music without one)."""
        result = await self._listen(call, url or TWILIO_MUSIC, method, music=True)
        for kind, what in result.heard:
            self.hear(call, kind, what)

    async def announcement(
        self, calls: list[Call], url: str, method: str, params: dict[str, str]
    ) -> Listening:
        """Fetch an AnnounceUrl once (signed, with `params`); every call in `calls` hears it."""

        async def request(target: str, how: str) -> tuple[int, str, str]:
            return await self._host.dispatcher.request(target, how, params)

        result = await listen(request, url, method, music=False)
        if result.error is not None:
            self._note(result.error, calls[0].sid if calls else "", result.error_url)
        for call in calls:
            for kind, what in result.heard:
                self.hear(call, kind, what)
        return result

    async def _listen(self, call: Call, url: str, method: str, *, music: bool) -> Listening:
        async def request(target: str, how: str) -> tuple[int, str, str]:
            return await self._host.dispatcher.request(target, how, self._params(call))

        self._host.dispatcher.reserve()  # drain() waits for the music too
        try:
            result = await listen(request, url, method, music=music)
        finally:
            self._host.dispatcher.release()
        if result.error is not None:
            self._note(result.error, call.sid, result.error_url)
        return result

    # ----- call control --------------------------------------------------------------------
    def place_call(self, from_: str, to: str, digits: Iterable[str] = ()) -> Call:
        """An incoming call from `from_` to the account's number `to` (status ringing); it
        fetches the number's Voice URL in the background."""
        number = self._number_for(to)
        if number is None:
            raise SimError(404, 20404, f"The phone number {to} is not one of this account's")
        now = utcnow()
        call = Call(
            sid=new_sid(CALL),
            from_=from_,
            to=to,
            direction="inbound",
            caller_name=None,
            status="ringing",
            date_created=now,
            date_updated=now,
            digits=list(digits),
        )
        self._host.world.calls[call.sid] = call
        self._start(call, self._answer(call, number))
        return call

    def redirect(
        self, call: Call, *, twiml: str | None = None, url: str | None = None, method: str = "POST"
    ) -> list[Event]:
        """Calls update with Twiml or Url: leave the conference (participant_updated_via_api),
        then follow the new TwiML. Returns the leave events to emit after the answer."""
        self._stop_walk(call.sid)
        events = self._leave_conference(call, MOVED, IN_PROGRESS)
        if twiml is not None:
            self._start(call, self._follow_twiml(call, twiml))
        elif url is not None:
            self._start(call, self._follow_url(call, url, method))
        return events

    def hang_up(self, call: Call, reason: str = HUNG_UP, status: str = "completed") -> list[Event]:
        """The call ends now (caller hung up, or Status=completed, or Status=canceled while it
        rings: `status`); events to emit. Its number's StatusCallback hears of the end."""
        self._stop_walk(call.sid)
        events = self._leave_conference(call, reason, "completed")
        if call.live:
            self._end(call, status)
        self._tell_end(call)
        return events

    def _tell_end(self, call: Call) -> None:
        """An incoming call's end, once, to its number's StatusCallback (Twilio calls it when
        the call has ended, with the final CallStatus and how long the call took)."""
        if call.direction != "inbound" or call.end_told or call.live:
            return
        call.end_told = True
        number = self._number_for(call.to)
        if number is None or not number.status_callback:
            return
        took = call.end_time - call.start_time if call.end_time and call.start_time else None
        params = self._params(
            call,
            CallDuration=str(int(took.total_seconds())) if took else "0",
            Timestamp=rfc2822(utcnow()) or "",
            CallbackSource="call-progress-events",
            SequenceNumber="0",
        )
        self._host.dispatcher.enqueue(number.status_callback, params, number.status_callback_method)

    def left(self, call_sid: str, reason: str) -> None:
        """A participant-leave happened (the engine sees every event): wake its walk."""
        waiter = self._waiting.pop(call_sid, None)
        if waiter is None or waiter.done():
            return
        call = self._host.world.calls[call_sid]
        if reason != HUNG_UP and call.status == "completed":
            call.status, call.end_time = IN_PROGRESS, None  # the call outlives its conference
        waiter.set_result(reason)

    def _leave_conference(self, call: Call, reason: str, call_status: str) -> list[Event]:
        world = self._host.world
        if call.conference_sid is None:
            return []
        conf = world.conferences.get(call.conference_sid)
        part = conf.participants.get(call.sid) if conf else None
        if conf is None or part is None:
            call.conference_sid = None
            return []
        self._waiting.pop(call.sid, None)
        return world.remove(conf, part, reason, call_status=call_status)

    def _start(self, call: Call, walk: Coroutine[Any, Any, None]) -> None:
        async def run() -> None:
            try:
                await walk
            except asyncio.CancelledError:
                raise
            except Exception:  # a simulator bug must not leave the call hanging silently
                log.exception("voice walk of %s crashed", call.sid)
                if call.live:
                    self._host.emit(self.hang_up(call))

        task = self._host.dispatcher.spawn(run())
        self._walks[call.sid] = task
        task.add_done_callback(lambda t: self._forget(call.sid, t))

    def _forget(self, call_sid: str, task: asyncio.Task[None]) -> None:
        if self._walks.get(call_sid) is task:
            del self._walks[call_sid]

    def _stop_walk(self, call_sid: str) -> None:
        task = self._walks.pop(call_sid, None)
        current = asyncio.current_task()
        if task is not None and task is not current:
            task.cancel()

    def _end(self, call: Call, status: str) -> None:
        now = utcnow()
        call.status = status
        call.end_time = now if call.start_time else None
        call.date_updated = now
        self._host.transcriptions.call_ended(call.sid)

    # ----- fetching TwiML --------------------------------------------------------------------
    def _params(self, call: Call, **extra: str) -> dict[str, str]:
        params = {
            "AccountSid": self._host.account_sid,
            "ApiVersion": API_VERSION,
            "CallSid": call.sid,
            "CallStatus": call.status,
            "Called": call.to,
            "Caller": call.from_,
            "Direction": call.direction,
            "From": call.from_,
            "To": call.to,
        }
        params.update(extra)
        return params

    async def _fetch(self, call: Call, url: str, method: str, **extra: str) -> Document:
        """GET or POST a signed webhook and parse its TwiML; TwimlError on any failure."""
        try:
            status, content_type, body = await self._host.dispatcher.request(
                url, method, self._params(call, **extra)
            )
        except (aiohttp.ClientError, OSError, asyncio.TimeoutError) as err:
            raise TwimlError(HTTP_RETRIEVAL_FAILURE, f"HTTP retrieval failure: {err}") from None
        if not 200 <= status < 300:
            raise TwimlError(HTTP_RETRIEVAL_FAILURE, f"HTTP retrieval failure: status {status}")
        if content_type.startswith("audio/"):  # Twilio plays an audio answer
            play = Element("Play")
            play.text = url
            return Document((play,), url)
        return parse(body, url)

    def _error(self, call: Call, err: TwimlError, url: str | None) -> None:
        self._note(err, call.sid, url)

    def _note(self, err: TwimlError, call_sid: str, url: str | None) -> None:
        self.debugger.append(DebuggerEntry(err.code, err.message, call_sid, url))
        log.warning("call %s: error %d at %s: %s", call_sid, err.code, url, err.message)

    async def _answer(self, call: Call, number: PhoneNumber) -> None:
        """The first request, to the Voice URL (then its fallback), with CallStatus=ringing."""
        document: Document | None = None
        tries = [(number.voice_url, number.voice_method)]
        if number.voice_fallback_url:
            tries.append((number.voice_fallback_url, number.voice_fallback_method))
        failure: dict[str, str] = {}  # the fallback is told what failed where
        for url, method in tries:
            if not url:
                self._error(call, TwimlError(HTTP_RETRIEVAL_FAILURE, "no Voice URL"), None)
                failure = {"ErrorCode": str(HTTP_RETRIEVAL_FAILURE), "ErrorUrl": ""}
                continue
            try:
                document = await self._fetch(call, url, method, **failure)
                break
            except TwimlError as err:
                self._error(call, err, url)
                failure = {"ErrorCode": str(err.code), "ErrorUrl": url}
        now = utcnow()
        call.status, call.start_time, call.date_updated = IN_PROGRESS, now, now
        if document is None:
            await self._application_error(call)
            return
        await self._walk(call, document)

    async def _follow_url(self, call: Call, url: str, method: str) -> None:
        try:
            document = await self._fetch(call, url, method)
        except TwimlError as err:
            self._error(call, err, url)
            await self._application_error(call)
            return
        await self._walk(call, document)

    async def _follow_twiml(self, call: Call, twiml: str) -> None:
        try:
            document = parse(twiml, None)
        except TwimlError as err:
            self._error(call, err, None)
            await self._application_error(call)
            return
        await self._walk(call, document)

    async def _application_error(self, call: Call) -> None:
        self.hear(call, SAY, APPLICATION_ERROR)
        await self._sleep(SAY_SECONDS)
        self._host.emit(self.hang_up(call, HUNG_UP))

    # ----- walking -----------------------------------------------------------------------------
    async def _walk(self, call: Call, document: Document | None) -> None:
        """Follow documents until one ends without a next one; then the call completes."""
        while document is not None and call.live:
            try:
                document = await self._run(call, document)
            except TwimlError as err:
                self._error(call, err, document.url if document else None)
                await self._application_error(call)
                return
        if call.live:
            self._host.emit(self.hang_up(call, HUNG_UP))

    async def _run(self, call: Call, document: Document) -> Document | None:
        """Run one document's verbs; the next document, or None when the call should end."""
        for verb in document.verbs:
            if not call.live:
                return None
            tag = verb.tag
            if tag in ("Say", "Play", "Pause"):
                await self._play(call, verb)
            elif tag == "Gather":
                nxt = await self._gather(call, verb, document)
                if nxt is not None:
                    return nxt
            elif tag == "Redirect":
                target = urljoin(document.url or "", (verb.text or "").strip())
                return await self._fetch(call, target, verb.get("method", "POST").upper())
            elif tag == "Hangup":
                return None
            elif tag == "Start":
                self._start_forks(call, verb)
            elif tag == "Dial":
                outcome = await self._dial(call, verb, document)
                if outcome is None:
                    return None
                action = verb.get("action")
                if action:
                    target = urljoin(document.url or "", action)
                    method = verb.get("method", "POST").upper()
                    return await self._fetch(call, target, method, DialCallStatus=outcome)
        return None

    def _start_forks(self, call: Call, verb: Element) -> None:
        """`<Start><Transcription>`: the transcription runs beside the TwiML that follows, until
        the call ends or it is stopped; the walk goes on at once."""
        book = self._host.transcriptions
        for noun in verb:
            try:
                book.start(call, transcription_options(noun))
            except SimError as err:  # Twilio logs it and the call goes on
                self._note(TwimlError(err.code, err.message), call.sid, None)
        book.flush()

    async def _play(self, call: Call, verb: Element) -> None:
        if verb.tag == "Pause":
            length = number(verb, "length", 1.0)
            self.hear(call, SILENCE, f"{length:g} s pause")
            await self._sleep(length)
            return
        self.hear(call, verb.tag, (verb.text or "").strip())
        loops = max(1, int(number(verb, "loop", 1.0)))
        await self._sleep(SAY_SECONDS * loops)

    async def _gather(self, call: Call, verb: Element, document: Document) -> Document | None:
        """Prompts, then the caller's next digits (posted to the action), or a fall-through
        after the timeout when nothing was keyed."""
        for nested in verb:
            await self._play(call, nested)
        keyed = call.digits.pop(0) if call.digits else ""
        if keyed:
            self._keyed(call, keyed)
        finish = verb.get("finishOnKey", "#")
        finished_on = ""
        if finish and finish in keyed:
            keyed, finished_on = keyed.split(finish, 1)[0], finish
        limit = int(number(verb, "numDigits", 0.0))
        if limit > 0:
            keyed = keyed[:limit]
        if not keyed:
            # nothing keyed: silence waits out the timeout, the finish key alone ends it at
            # once; either way an empty result, which goes on to the next verb unless the
            # Gather asks for its action anyway (actionOnEmptyResult)
            if not finished_on:
                await self._sleep(number(verb, "timeout", 5.0))
            if not flag(verb, "actionOnEmptyResult", False):
                return None
        target = urljoin(document.url or "", verb.get("action", "")) or document.url
        if not target:
            return None
        method = verb.get("method", "POST").upper()
        return await self._fetch(call, target, method, Digits=keyed, FinishedOnKey=finished_on)

    async def _dial(self, call: Call, verb: Element, document: Document) -> str | None:
        """Join the `<Conference>` until the participant leaves. The DialCallStatus when the
        call goes on with the next verb ("answered": the conference ended or the caller was
        removed; "failed": it could not join, e.g. a duplicate label, 16025), None when it
        hung up."""
        world = self._host.world
        noun = next(child for child in verb if child.tag == "Conference")
        name = (noun.text or "").strip()
        conf = world.live_conference_named(name) or world.create_conference(name)
        if not conf.subscription_fixed:
            conf.record = noun.get("record", "do-not-record")
        # the first caller's <Conference> fixes the recording (a conference made through the
        # Python API has its status callback fixed already, but no recording settings)
        self._host.recordings.configure(conf, recording_options(noun))
        coach = noun.get("coach")
        beep = noun.get("beep", "true").lower()
        try:
            part = world.add_participant(
                conf,
                from_=call.from_,
                to=call.to,
                direction=call.direction,
                label=noun.get("participantLabel") or None,
                muted=flag(noun, "muted", False),
                coaching=coach is not None,
                call_sid_to_coach=coach,
                start_conference_on_enter=flag(noun, "startConferenceOnEnter", True),
                end_conference_on_exit=flag(noun, "endConferenceOnExit", False),
                beep_on_exit=beep in ("true", "onexit"),
                status_callback=noun.get("statusCallback"),
                # TwiML subscribes to nothing unless told (the REST default is "start end")
                events=noun.get("statusCallbackEvent", ""),
                status_callback_method=noun.get("statusCallbackMethod", "POST").upper(),
                call=call,
            )
        except SimError as err:
            # Twilio logs the error and the call goes on with the next verb (or the action)
            code = DUPLICATE_LABEL_TWIML if err.code == DUPLICATE_LABEL else err.code
            self._error(call, TwimlError(code, err.message), document.url)
            return DIAL_FAILED
        waiter: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self._waiting[call.sid] = waiter
        self._host.emit(world.connect(conf, part))
        self._tell(call, f"is in conference {name} ({conf.sid})")
        if not conf.started:  # alone, or no one who starts it yet: the wait music plays
            await self._wait_music(call, noun, document)
        reason = await waiter
        return "answered" if reason != HUNG_UP and call.status == IN_PROGRESS else None

    async def _wait_music(self, call: Call, noun: Element, document: Document) -> None:
        """What a caller waiting for the conference to start hears: the waitUrl fetched with
        waitMethod (Twilio's default POST), Twilio's music without one, silence for ""."""
        wait_url = noun.get("waitUrl")
        if wait_url is None:
            self.hear(call, MUSIC, TWILIO_MUSIC)
            return
        if not wait_url.strip():
            self.hear(call, SILENCE, "waitUrl is empty")
            return
        target = urljoin(document.url or "", wait_url.strip())
        method = noun.get("waitMethod", "POST").strip().upper()
        result = await self._listen(call, target, method, music=True)
        for kind, what in result.heard:
            self.hear(call, kind, what)

    async def _sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds) / self._host.speed)
