"""Recording control: pause, resume and stop a conference's recording, pending until Twilio's
recording status callback confirms (or the REST answer does, after a grace period)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from moderator.control.actions.telling import HostMessages
from moderator.control.client import TwilioRest
from moderator.control.errors import describe
from moderator.control.interface import RecordingService
from moderator.control.requests import list_recordings_call, recording_call
from moderator.control.results import ActionResult
from moderator.control.tasks import TaskSet
from moderator.dispatch import Signal
from moderator.domain.actions import CONFIRM_GRACE, ActionKind
from moderator.domain.clock import utc_now
from moderator.domain.recordings import (
    CURRENT,
    FINAL_STATUSES,
    IN_PROGRESS,
    PAUSED,
    STOPPED,
    Recording,
    RecordingEvent,
    RecordingLedger,
)
from moderator.messages import Sink, quiet
from moderator.store.action_log import ActionLog
from moderator.store.journal import Journal

log = logging.getLogger(__name__)

VERBS = {PAUSED: "pause", IN_PROGRESS: "resume", STOPPED: "stop"}
KINDS = {
    PAUSED: ActionKind.RECORDING_PAUSE,
    IN_PROGRESS: ActionKind.RECORDING_RESUME,
    STOPPED: ActionKind.RECORDING_STOP,
}
# after a stop Twilio reports stopped, then (processing done) completed or absent
_SATISFIES = {STOPPED: (STOPPED, *FINAL_STATUSES), PAUSED: (PAUSED,), IN_PROGRESS: (IN_PROGRESS,)}
# Twilio sends recording status callbacks only for in-progress (the recording began),
# completed, absent and failed: a pause or a resume is confirmed by the REST answer alone.
_NO_CALLBACK = (PAUSED, IN_PROGRESS)


class RecordingControl:
    """The host's recording buttons. `pending[conf]` is the status asked for, until confirmed;
    `changed` tells the ConferenceSid whenever its recording or pending state changes."""

    def __init__(
        self,
        rest: TwilioRest,
        ledger: RecordingLedger,
        journal: Journal,
        *,
        notify: Sink = quiet,
        grace: float = CONFIRM_GRACE,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._rest = rest
        self.ledger = ledger
        self.actions = ActionLog(journal, clock)  # the journal's rows of each action
        self.tell = HostMessages(notify, lambda: rest.credentials)  # redacted, once
        self._grace = grace
        self._clock = clock
        self._tasks = TaskSet()
        self.pending: dict[str, str] = {}
        self._actions: dict[str, int] = {}  # ConferenceSid -> journaled action id
        self.changed: Signal[[str]] = Signal("recordings.changed")  # the ConferenceSid

    # ---- what the UI calls ------------------------------------------------------------------
    async def pause(self, conf_sid: str) -> ActionResult:
        return await self._set(conf_sid, PAUSED)

    async def resume(self, conf_sid: str) -> ActionResult:
        return await self._set(conf_sid, IN_PROGRESS)

    async def stop(self, conf_sid: str) -> ActionResult:
        return await self._set(conf_sid, STOPPED)

    def state(self, conf_sid: str) -> Recording | None:
        """The conference's live recording, else its latest one, else None."""
        return self.ledger.live(conf_sid) or next(reversed(self.ledger.of(conf_sid)), None)

    def restore(self, conf_sid: str, intent: str) -> None:
        """At start: the host's last word on the recording (paused, stopped, resumed) stands
        over the journaled callbacks (Twilio sends none for a pause), until a refresh."""
        live = self.ledger.live(conf_sid)
        if live is not None and live.status != intent:
            self.ledger.apply(RecordingEvent(conf_sid, live.sid, intent, self._clock()))
            self._changed(conf_sid)
        self._tasks.spawn(self.refresh(conf_sid))

    async def refresh(self, conf_sid: str) -> None:
        """Fold Twilio's list of the conference's recordings in (after a restart)."""
        try:
            listed = await list_recordings_call(conf_sid).send(self._rest.client())
        except Exception as exc:
            log.warning("could not list the recordings: %s", describe(exc, subject="conference"))
            return
        for item in listed:
            self._fold_answer(conf_sid, item)
        self._changed(conf_sid)

    # ---- callbacks ----------------------------------------------------------------------------
    def on_recording(self, recording: Recording) -> None:
        """A recording status callback was folded into the ledger (the route calls this)."""
        conf_sid = recording.conference_sid
        wanted = self.pending.get(conf_sid)
        if wanted is not None and recording.status in _SATISFIES[wanted]:
            self._confirm(conf_sid)
        self._changed(conf_sid)

    # ---- plumbing -------------------------------------------------------------------------------
    async def _set(self, conf_sid: str, status: str) -> ActionResult:
        verb = VERBS[status]
        if conf_sid in self.pending:
            return ActionResult(False, f"Could not {verb} the recording: a change is under way")
        live = self.ledger.live(conf_sid)
        target = live.sid if live is not None else CURRENT
        call = recording_call(conf_sid, status, target)
        self.pending[conf_sid] = status
        self._changed(conf_sid)
        self._actions[conf_sid] = self.actions.record(KINDS[status], conf_sid, params=call.params)
        try:
            answer = await call.send(self._rest.client())
        except Exception as exc:
            failure = describe(exc, subject="recording")
            self.pending.pop(conf_sid, None)
            self.actions.finish(
                self._actions.pop(conf_sid, 0), ok=False, error=self.tell.redact(failure.reason)
            )
            self._changed(conf_sid)
            message = self.tell.error(f"Could not {verb} the recording: {failure.reason}")
            return ActionResult(False, message)
        self.actions.finish(self._actions.get(conf_sid, 0), ok=True)
        log.info("recording %s of %s: %s asked", getattr(answer, "sid", "?"), conf_sid, status)
        if status in _NO_CALLBACK:  # nothing else will confirm it: the answer does, now
            self._fold_answer(conf_sid, answer)
            self._confirm(conf_sid)
            self._changed(conf_sid)
        else:
            self._tasks.spawn(self._grace_then_trust(conf_sid, status, answer))
        return ActionResult(True)

    async def _grace_then_trust(self, conf_sid: str, status: str, answer: Any) -> None:
        """No callback in time (Twilio sends none for some changes): trust the REST answer."""
        await asyncio.sleep(self._grace)
        if self.pending.get(conf_sid) == status:
            log.info("no recording callback for %s in time: the REST answer stands", conf_sid)
            self._fold_answer(conf_sid, answer)
            self._confirm(conf_sid)
            self._changed(conf_sid)

    def _fold_answer(self, conf_sid: str, item: Any) -> None:
        sid = getattr(item, "sid", None)
        status = getattr(item, "status", None)
        if not sid or not status:
            return
        raw = str(getattr(item, "duration", None) or "")
        duration = int(raw) if raw.isdigit() else None  # "-1" while it is still recording
        self.ledger.apply(
            RecordingEvent(
                conference_sid=conf_sid,
                recording_sid=str(sid),
                status=str(status),
                received_at=self._clock(),
                duration=duration,
                start_time=getattr(item, "start_time", None),
            )
        )

    def _confirm(self, conf_sid: str) -> None:
        self.pending.pop(conf_sid, None)
        self.actions.confirm(self._actions.pop(conf_sid, 0))

    def _changed(self, conf_sid: str) -> None:
        self.changed.emit(conf_sid)

    async def close(self) -> None:
        await self._tasks.close()


def _offers_the_ui_seam(control: RecordingControl) -> RecordingService:
    """Never called: mypy checks here that RecordingControl provides everything the UI may call."""
    return control
