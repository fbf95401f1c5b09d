"""Runs the moderation rules on the loop: the auto-mute timer and mute-on-entry."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Any

from moderator.control.tasks import TaskSet
from moderator.domain.rooms import side_of
from moderator.domain.roster import Change, ChangeKind, Roster
from moderator.domain.rules import RuleSettings, auto_mute_wait, mutes_on_entry
from moderator.domain.state import ConferenceStatus

log = logging.getLogger(__name__)

MuteAll = Callable[
    [str], Coroutine[Any, Any, object]
]  # conf_sid -> mute everyone but the presenter
MuteOne = Callable[[str, str], Coroutine[Any, Any, object]]  # conf_sid, call_sid


class RulesRunner:
    """Watches roster changes and acts through the service (so actions are journaled as usual)."""

    def __init__(
        self,
        roster: Roster,
        tasks: TaskSet,
        rules: RuleSettings,
        *,
        mute_all: MuteAll,
        mute_one: MuteOne,
        clock: Callable[[], datetime],
    ) -> None:
        self._roster = roster
        self._tasks = tasks
        self.rules = rules
        self._mute_all = mute_all
        self._mute_one = mute_one
        self._clock = clock
        self._started: set[str] = set()  # conferences whose start we have handled
        self.fired: list[str] = []  # conferences auto-muted, for tests and logs

    def prime(self) -> None:
        """Take the roster as replayed at start-up: only act on what happens from now on."""
        for conference in self._roster.conferences():
            if (
                conference.status is ConferenceStatus.IN_PROGRESS
                and conference.sid not in self._started
                and not self._side(conference.sid)
            ):
                self._started.add(conference.sid)
                if self.rules.auto_mute_enabled:
                    wait = auto_mute_wait(
                        conference.started_at, self._clock(), self.rules.auto_mute_delay
                    )
                    if wait is not None:
                        self._schedule(conference.sid, wait)

    def update(self, rules: RuleSettings) -> None:
        """New settings: switching auto-mute off cancels timers still waiting."""
        self.rules = rules
        if not rules.auto_mute_enabled:
            for sid in self._started:
                self._tasks.cancel(_key(sid))

    def on_changes(self, changes: list[Change]) -> None:
        for change in changes:
            if self._side(change.conference_sid):
                continue
            if change.kind in (ChangeKind.CONFERENCE_ADDED, ChangeKind.CONFERENCE_UPDATED):
                self._conference_changed(change.conference_sid)
            elif change.kind is ChangeKind.PARTICIPANT_JOINED and change.call_sid is not None:
                self._joined(change.conference_sid, change.call_sid)

    def _side(self, sid: str) -> bool:
        """A meeting's waiting room or breakout room: the rules quiet the main meeting only
        (people are sent to a room to talk; auto-mute muted them 8 s after it started)."""
        conference = self._roster.conference(sid)
        return conference is not None and side_of(conference.friendly_name or "") is not None

    def _conference_changed(self, sid: str) -> None:
        conference = self._roster.conference(sid)
        if conference is None:
            return
        if conference.status is ConferenceStatus.COMPLETED:
            self._tasks.cancel(_key(sid))
            return
        if conference.status is ConferenceStatus.IN_PROGRESS and sid not in self._started:
            self._started.add(sid)
            if self.rules.auto_mute_enabled:
                # Counted from when we saw conference-start: Timestamp has 1 s resolution.
                self._schedule(sid, self.rules.auto_mute_delay)

    def _schedule(self, sid: str, wait: float) -> None:
        if self._tasks.closed:
            return
        log.info("auto-mute of %s in %.1f s", sid, wait)
        self._tasks.replace(_key(sid), self._auto_mute(sid, wait))

    async def _auto_mute(self, sid: str, wait: float) -> None:
        await asyncio.sleep(wait)
        conference = self._roster.conference(sid)
        if not self.rules.auto_mute_enabled or conference is None:
            return
        if conference.status is ConferenceStatus.COMPLETED:
            return
        self.fired.append(sid)
        await self._mute_all(sid)

    def _joined(self, sid: str, call_sid: str) -> None:
        participant = self._roster.participant(sid, call_sid)
        if participant is None or self._tasks.closed:
            return
        conference = self._roster.conference(sid)
        if mutes_on_entry(self.rules, conference, participant, self._roster.presenter(sid)):
            log.info("mute on entry: %s", participant.display_name)
            self._tasks.spawn(self._mute_one(sid, call_sid), name=f"mute-on-entry:{call_sid}")


def _key(sid: str) -> str:
    return f"auto-mute:{sid}"
