"""The host's door and rooms: lock, waiting room, PIN, address book, admit, deny, breakout rooms.

Every action here runs through the one lifecycle (control/actions/lifecycle.py), journaled under
the meeting's name (origin "host"), as the door's own decisions are, so `moderator report` lists
who was admitted, denied and moved. The settings, the plan and the address book have nothing to
send: recorded and finished at once. Calls move by replacing their TwiML (control/call_moves.py):
the caller shows pending (the roster's overlay, `Participant.moving`) until the callback of their
leaving confirms it. The roster follows from the callbacks, so the waiting strip and the room
columns are views of the roster, not state kept here.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Collection, Mapping
from concurrent.futures import Future
from functools import partial
from pathlib import Path
from typing import Any

from twilio.rest import Client

from moderator.control import call_moves
from moderator.control.actions.lifecycle import ANSWER_CONFIRMS, Action, Lifecycle
from moderator.control.actions.rules import ENDING, PARTICIPANT
from moderator.control.bulk import bounded
from moderator.control.errors import Refused, describe
from moderator.control.interface import DoorService
from moderator.control.requests import end_conference_call
from moderator.control.results import ActionResult
from moderator.dispatch import Signal
from moderator.domain import door_twiml
from moderator.domain.actions import ActionKind, Origin, Scope, Target
from moderator.domain.address_book import AddressBook
from moderator.domain.door import (
    DENIED,
    MEETING_OVER,
    SENT_TO_WAIT,
    Addresses,
    Door,
    lobby_name,
)
from moderator.domain.host_state import hash_pin, pin_matches, plan_params
from moderator.domain.rooms import RoomPlan, assign, place_words, room_name, room_number
from moderator.domain.roster import Change, ChangeKind, Conference, Participant
from moderator.domain.state import ConferenceStatus
from moderator.messages import Level
from moderator.store.address_book_file import read_book, write_book
from moderator.store.journal import JournalError

log = logging.getLogger(__name__)
# Twilio's ReasonConferenceEnded when the participant with endConferenceOnExit left or was removed
CHAIR_LEFT = (
    "participant-with-end-conference-on-exit-left",
    "participant-with-end-conference-on-exit-kicked",
)

MOVE_CONCURRENCY = 8
ROOMS_EMPTY_WAIT = 10.0  # seconds the end waits for rooms' people to be back in main


class DoorControl:
    """Every door and room action the UI can take; each returns a result and never raises."""

    def __init__(
        self,
        lifecycle: Lifecycle,
        door: Door,
        addresses: Callable[[], Addresses],
        *,
        book_file: Path | None = None,
    ) -> None:
        self._lifecycle = lifecycle
        self.roster = lifecycle.roster
        self.door = door
        self._journal = lifecycle.journal
        self._addresses = addresses
        self._book_file = book_file
        self.tell = lifecycle.tell  # redacted, once
        self.plan: RoomPlan | None = None
        self.rooms_open = False
        self._book_queued = False  # a write of the address book waits on the writer thread
        # The clear PIN the host typed this session (or gave with --pin), for the invitation
        # only: in memory, never journaled, logged or saved (the journal has its salted hash).
        self._typed_pin = ""
        self.changed: Signal[[]] = Signal("door_service.changed")  # the plan, the rooms
        lifecycle.changed.connect(self._on_mark)
        self._ending = False  # the host's End conference is closing the door itself
        self.roster.changed.connect(self._on_roster)

    @property
    def meeting(self) -> str:
        return self._addresses().meeting

    # ---- the door's settings ---------------------------------------------------------------

    def set_locked(self, locked: bool) -> None:
        if self.door.settings.locked != locked:
            self.door.update(locked=locked)
            self.decide(ActionKind.LOCK if locked else ActionKind.UNLOCK)
            self.tell.say(Level.INFO, "The meeting is locked" if locked else "The meeting is open")

    def set_waiting_room(self, on: bool) -> None:
        if self.door.settings.waiting_room != on:
            self.door.update(waiting_room=on)
            self.decide(ActionKind.WAITING_ROOM_ON if on else ActionKind.WAITING_ROOM_OFF)
            self.tell.say(Level.INFO, "Waiting room on" if on else "Waiting room off")

    def set_pin(self, pin: str) -> None:
        """A new PIN (empty: none). Only its salted hash is kept and journaled, never the PIN."""
        current = self.door.settings.pin_hash
        if (pin and current and pin_matches(pin, current)) or (not pin and not current):
            return
        pin_hash = hash_pin(pin) if pin else ""
        self._typed_pin = pin
        self.door.update(pin_hash=pin_hash)
        kind = ActionKind.PIN_SET if pin else ActionKind.PIN_CLEARED
        self.decide(kind, params={"hash": pin_hash} if pin else None)
        self.tell.say(Level.INFO, "Callers are asked for a PIN" if pin else "No PIN is asked")

    def remember_pin(self, pin: str) -> None:
        """The PIN given at start (--pin), kept in memory for the invitation; shown only while
        it is the door's PIN (a PIN the host set before a restart keeps its place)."""
        self._typed_pin = pin

    def known_pin(self) -> str | None:
        """The door's PIN in clear when the host typed it this session, else None (after a
        restart only its hash is known: the host types it again to have it in invitations)."""
        current = self.door.settings.pin_hash
        if self._typed_pin and current and pin_matches(self._typed_pin, current):
            return self._typed_pin
        return None

    def restore(self, plan: RoomPlan | None, rooms_open: bool) -> None:
        """The rooms as the host left them (at start, control/host_restore.py): the plan, and
        whether they are open (checked against who is in the live rooms)."""
        self.plan = plan
        self.rooms_open = plan is not None and rooms_open
        self._changed()

    # ---- the address book ------------------------------------------------------------------

    def rename(self, number: str, name: str) -> None:
        self._edit_book(self.door.book.with_name(number, name), {"number": number, "name": name})

    def set_always_admit(self, number: str, always: bool) -> None:
        book = self.door.book.with_always_admit(number, always)
        self._edit_book(book, {"number": number, "always_admit": str(always).lower()})

    def set_book(self, book: AddressBook) -> None:
        """The new book applies at once (tiles renamed); the journal's writer thread saves it
        to the data folder, so a frozen disk holds neither the window nor the webhook server."""
        self._edit_book(book, {"entries": str(len(book))})

    def _edit_book(self, book: AddressBook, params: Mapping[str, str]) -> None:
        """An address-book edit, journaled as every host action is (never the file's path)."""
        self.door.set_book(book)
        self.decide(ActionKind.BOOK_EDIT, params=params)
        self._save_book()

    def _save_book(self) -> None:
        path = self._book_file
        if path is None or self._book_queued:
            return  # the write already queued takes the newest book when it runs
        self._book_queued = True
        try:
            loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:  # called outside the loop (a script): tell from the writer thread
            loop = None

        def write() -> None:  # on the writer thread
            # cleared before the book is read: a change made after this queues another write
            self._book_queued = False
            write_book(path, self.door.book)

        def done(future: Future[None]) -> None:
            error = future.exception()
            if error is None:
                return
            message = f"Could not save the address book to {path}: {error}"
            if loop is not None and not loop.is_closed():
                loop.call_soon_threadsafe(self.tell.say, Level.ERROR, message)
            else:
                self.tell.say(Level.ERROR, message)

        try:
            self._journal.write_later(write).add_done_callback(done)
        except JournalError as exc:
            self._book_queued = False
            self.tell.say(Level.ERROR, f"Could not save the address book to {path}: {exc}")

    async def import_book(self, path: Path, progress: Callable[[int], None] | None = None) -> int:
        """Add the callers of a CSV file (AddressBookError: nothing imported); how many.

        Read and merged on a worker thread (a million rows take seconds); `progress` hears, on
        the loop's thread, how many rows have been read.
        """
        loop = asyncio.get_running_loop()

        def tell(rows: int) -> None:  # on the worker thread
            if progress is not None:
                loop.call_soon_threadsafe(progress, rows)

        imported = await asyncio.to_thread(read_book, path, tell)
        merged = await asyncio.to_thread(self.door.book.merged, imported)
        self.set_book(merged)
        return len(imported)

    async def export_book(self, path: Path) -> int:
        """Write the address book to a CSV file on the writer thread (OSError when it cannot);
        how many."""
        book = self.door.book
        try:
            await self._journal.write_off_loop(partial(write_book, path, book))
        except JournalError as exc:  # the writer thread is closed: the console is stopping
            raise OSError(str(exc)) from None
        return len(book)

    # ---- the waiting room ------------------------------------------------------------------

    def waiting(self) -> list[Participant]:
        """Who is in the waiting room now, longest waiting first."""
        lobby = lobby_name(self.meeting)
        people = [
            p
            for c in self._live(lambda name: name == lobby)
            for p in self.roster.participants(c.sid, present_only=True)
        ]
        return sorted(people, key=lambda p: (p.joined_at is None, p.joined_at))

    async def admit(self, call_sid: str) -> ActionResult:
        where = self._addresses()
        twiml = self._to(where, where.meeting, call_sid, entering=True)
        return await self._move(call_sid, twiml, ActionKind.ADMIT)

    async def admit_all(self) -> list[ActionResult]:
        people = [p.call_sid for p in self.waiting() if not p.moving]
        return await bounded(people, self.admit, MOVE_CONCURRENCY)

    async def send_to_waiting(self, call_sid: str) -> ActionResult:
        """Move someone from the meeting to its waiting room, the way Admit moves them back
        (Calls update Twiml): journaled as the door's "wait", so the strip shows them."""
        where = self._addresses()
        participant = self._find(call_sid)
        twiml = where.lobby(
            participant.number if participant else None,
            SENT_TO_WAIT,
            label=participant.label if participant else None,
        )
        return await self._move(
            call_sid, twiml, ActionKind.SEND_TO_WAITING, to=lobby_name(where.meeting)
        )

    async def deny(self, call_sid: str) -> ActionResult:
        return await self._move(call_sid, door_twiml.goodbye(DENIED), ActionKind.DENY)

    # ---- breakout rooms --------------------------------------------------------------------

    def main_conference(self) -> Conference | None:
        """The meeting's live conference (the newest, if Twilio has more than one)."""
        live = self._live(lambda name: name == self.meeting)
        return live[-1] if live else None

    def main_people(self) -> list[Participant]:
        main = self.main_conference()
        return self.roster.participants(main.sid, present_only=True) if main else []

    def room_people(self) -> dict[int, list[Participant]]:
        """Who is in each open room now (room number → people), from the roster."""
        rooms: dict[int, list[Participant]] = {}
        if self.plan is not None:
            rooms = {n: [] for n in range(1, self.plan.count + 1)}
        for conference in self._live(lambda name: room_number(name, self.meeting) is not None):
            number = room_number(conference.friendly_name, self.meeting)
            assert number is not None
            rooms.setdefault(number, []).extend(
                self.roster.participants(conference.sid, present_only=True)
            )
        return rooms

    def plan_rooms(
        self,
        count: int,
        *,
        randomly: bool = False,
        keep_presenter: bool = True,
        seed: int | None = None,
        keep: Collection[str] = (),
    ) -> RoomPlan:
        """Spread the main conference's people over `count` rooms (not moved until opened);
        `keep`: calls that stay in main too (the host's own)."""
        people = [p.call_sid for p in self.main_people()]
        main = self.main_conference()
        presenter = self.roster.presenter(main.sid) if main else None
        keep = {*keep, *([presenter] if keep_presenter and presenter else [])}
        rng = random.Random(seed) if randomly else None
        self.plan = assign(self.meeting, count, people, keep_in_main=keep, rng=rng)
        self.decide(ActionKind.ROOMS_PLAN, params=plan_params(self.plan))
        self._changed()
        return self.plan

    async def place(self, call_sid: str, room: int | None) -> ActionResult:
        """Put someone in `room` (None: main): in the plan, and while rooms are open, move them."""
        if self.plan is None:
            return ActionResult(False, "Create the rooms first")
        try:
            self.plan = self.plan.moved(call_sid, room)
        except ValueError as exc:
            return ActionResult(False, str(exc))
        self.decide(ActionKind.ROOMS_PLAN, params=plan_params(self.plan))
        self._changed()
        if not self.rooms_open:
            return ActionResult(True)
        where = self._addresses()
        target = room_name(where.meeting, room) if room is not None else where.meeting
        twiml = self._to(where, target, call_sid)
        return await self._move(call_sid, twiml, ActionKind.MOVE, to=target)

    async def open_rooms(self) -> list[ActionResult]:
        """Move everyone the plan puts in a room there (the rest stay in main)."""
        if self.plan is None:
            return [ActionResult(False, "Create the rooms first")]
        plan, where = self.plan, self._addresses()
        self.rooms_open = True
        self.decide(ActionKind.ROOMS_OPEN, params=plan_params(plan))
        self._changed()
        present = {p.call_sid for p in self.main_people()}
        movers = [(sid, room) for sid, room in plan.rooms_of.items() if sid in present]

        async def one(item: tuple[str, int]) -> ActionResult:
            sid, room = item
            target = room_name(where.meeting, room)
            return await self._move(sid, self._to(where, target, sid), ActionKind.MOVE, to=target)

        results = await bounded(movers, one, MOVE_CONCURRENCY)
        self.tell.say(Level.INFO, f"{plan.count} breakout rooms open")
        return results

    async def close_rooms(self) -> list[ActionResult]:
        """Everyone in a room goes back to the main conference."""
        where = self._addresses()
        self.rooms_open = False
        self.decide(ActionKind.ROOMS_CLOSE)
        self._changed()
        people = [p.call_sid for room in self.room_people().values() for p in room]

        async def one(sid: str) -> ActionResult:
            twiml = self._to(where, where.meeting, sid)
            return await self._move(sid, twiml, ActionKind.MOVE, to=where.meeting)

        results = await bounded(people, one, MOVE_CONCURRENCY)
        self.tell.say(Level.INFO, "Breakout rooms closed: everyone is back in the main conference")
        return results

    async def announce_rooms(self, text: str) -> ActionResult:
        """Speak `text` in every open room (Conference update AnnounceUrl): one action, the
        meeting shown pending until Twilio has answered for every room."""
        url = self._addresses().announce_url(text)
        rooms = self._live(lambda name: room_number(name, self.meeting) is not None)

        async def send(client: Client) -> None:
            failures: list[str] = []
            for conference in rooms:
                try:
                    await call_moves.announce(client, conference.sid, url)
                except Exception as exc:
                    why = describe(exc, subject="conference").reason
                    failures.append(f"{conference.friendly_name}: {why}")
            if failures:
                raise Refused("; ".join(failures))

        action = Action(
            ActionKind.ANNOUNCE_ROOMS,
            Target.meeting(self.meeting),
            self.meeting,
            send,
            ANSWER_CONFIRMS,
            params={"text": text},
        )
        result = await self._lifecycle.run(action)
        if result.ok:
            self.tell.say(Level.INFO, f"Announced in {len(rooms)} rooms: {text}")
        return result

    # ---- the meeting's end ----------------------------------------------------------------

    async def end_meeting(
        self,
        end_main: Callable[[], Awaitable[ActionResult]],
        *,
        close_rooms_first: bool = False,
    ) -> list[ActionResult]:
        """End the meeting and close its door: callers still waiting hear that it has ended
        and are hung up, the rooms end with it (or everyone is brought back first), then
        `end_main` ends the main conference and the waiting room ends too."""
        self._ending = True
        try:
            return await self._end_meeting(end_main, close_rooms_first)
        finally:
            self._ending = False

    async def _end_meeting(
        self, end_main: Callable[[], Awaitable[ActionResult]], close_rooms_first: bool
    ) -> list[ActionResult]:
        results = await self._goodbye_waiting()
        if close_rooms_first and self.room_people():
            results += await self.close_rooms()
            await self._until_rooms_empty()
        rooms = self._live(lambda name: room_number(name, self.meeting) is not None)
        results += [await self._end_conference(room) for room in rooms]
        results.append(await end_main())
        for lobby in self._live(lambda name: name == lobby_name(self.meeting)):
            results.append(await self._end_conference(lobby))
        self.plan, self.rooms_open = None, False
        self.decide(ActionKind.MEETING_ENDED)
        self._changed()
        return results

    async def _goodbye_waiting(self) -> list[ActionResult]:
        """Callers still waiting hear that the meeting has ended and are hung up."""

        async def goodbye(sid: str) -> ActionResult:
            twiml = door_twiml.goodbye(MEETING_OVER)
            return await self._move(sid, twiml, ActionKind.GONE)

        waiting = [p.call_sid for p in self.waiting()]
        return await bounded(waiting, goodbye, MOVE_CONCURRENCY)

    def _on_roster(self, changes: list[Change]) -> None:
        """The meeting ended because the one who runs it left (hung up): nobody is left
        waiting on the line for it (the demo's callers sat in the waiting room of an ended
        meeting). An end because everyone left is not one: the host may still admit people."""
        for change in changes:
            if change.kind is not ChangeKind.CONFERENCE_UPDATED or self._ending:
                continue
            conference = self.roster.conference(change.conference_sid)
            if (
                conference is not None
                and conference.friendly_name == self.meeting
                and conference.status is ConferenceStatus.COMPLETED
                and conference.end_reason in CHAIR_LEFT
                and self.waiting()
                and not self._lifecycle.tasks.closed
            ):
                self._lifecycle.tasks.spawn(self._close_door(), name="door: the meeting ended")

    async def _close_door(self) -> None:
        await self._goodbye_waiting()
        for lobby in self._live(lambda name: name == lobby_name(self.meeting)):
            await self._end_conference(lobby)

    async def _until_rooms_empty(self, timeout: float = ROOMS_EMPTY_WAIT) -> None:
        """Moves back to main are accepted before the calls arrive: ending the main
        conference before they do would leave them in a new one of the same name."""
        empty = asyncio.Event()

        def check(_changes: object = None) -> None:
            if not any(self.room_people().values()):
                empty.set()

        self.roster.changed.connect(check)
        try:
            check()
            await asyncio.wait_for(empty.wait(), timeout)
        except TimeoutError:
            log.warning("the rooms were not empty %.0f s after closing them", timeout)
        finally:
            self.roster.changed.disconnect(check)

    async def _end_conference(self, conference: Conference) -> ActionResult:
        """End a room or the waiting room (Status=completed), journaled under its SID; one
        that ended by itself meanwhile has reached the goal."""
        call = end_conference_call(conference.sid)
        action = Action(
            ActionKind.END_CONFERENCE,
            Target.conference(conference.sid),
            conference.friendly_name,
            call.send,
            ENDING,
            params=call.params,
            pending=False,
            done_if_gone=True,
        )
        return await self._lifecycle.run(action)

    # ---- plumbing --------------------------------------------------------------------------

    def _to(
        self, where: Addresses, conference: str, call_sid: str, *, entering: bool = False
    ) -> str:
        """The TwiML that moves a call into the meeting (as /twilio/voice joins it) or a room
        (which starts as soon as two are in: nobody there waits for a presenter); `entering`:
        admitted from the waiting room, the door's last step (captions start there)."""
        participant = self._find(call_sid)
        number = participant.number if participant and participant.number else ""
        label = participant.label if participant else None  # kept: the tile's name stays
        if conference == where.meeting:
            return where.join(conference, number, entering=entering, label=label)
        return door_twiml.conference(
            conference, where.callback_url, label=where.label_of(number) or label
        )

    def _live(self, named: Callable[[str], bool]) -> list[Conference]:
        return [c for c in self.roster.conferences() if c.status.live and named(c.friendly_name)]

    def _find(self, call_sid: str) -> Participant | None:
        return self.roster.find_call(call_sid, present_only=True)

    async def _move(
        self, call_sid: str, twiml: str, kind: ActionKind, *, to: str | None = None
    ) -> ActionResult:
        """Move a call by replacing its TwiML: pending on the caller's tile (or strip line)
        until the callback of their leaving where they were confirms it."""
        participant = self._find(call_sid)
        if participant is not None and participant.end_conference_on_exit and to:
            # Twilio ends the meeting for everyone when they leave it: refused, not sent (sent
            # to wait, the demo's Mary ended it and sat alone in an ended meeting's lobby)
            who = participant.display_name
            where = place_words(to, self.meeting)
            verb = kind.verb
            going = verb.replace("{who}", who) if "{who}" in verb else f"{verb} {who} to {where}"
            message = (
                f"Could not {going}: the meeting ends for everyone when {who} leaves it"
                f" ({who} runs the conference)"
            )
            self.tell.say(Level.ERROR, message)
            return ActionResult(False, message)
        params = {"to": to} if to else {}
        if participant is not None and participant.number:
            params["from"] = participant.number
            # the name the tile shows (the address book's, else the label the door gave), so
            # the log and the report call them so too; a bare number is already "from"
            named = participant.name or participant.label
            if named:
                params["name"] = named

        async def send(client: Client) -> Any:
            return await call_moves.replace_twiml(client, call_sid, twiml)

        where = participant.conference_sid if participant is not None else self.meeting
        action = Action(
            kind,
            Target.participant(where, call_sid),
            participant.display_name if participant is not None else call_sid,
            send,
            # someone the roster does not show in a call has no tile: Twilio's answer is all
            PARTICIPANT if participant is not None else ANSWER_CONFIRMS,
            params=params,
            journal_as=self.meeting,
            subject="call",
            pending=participant is not None,
        )
        return await self._lifecycle.run(action)

    def decide(
        self,
        kind: ActionKind,
        params: Mapping[str, str] | None = None,
        *,
        origin: Origin = Origin.HOST,
    ) -> None:
        """A decision with nothing to send (the host's, or what a start's flags turned on),
        run through the lifecycle and journaled under the meeting's name."""
        target = Target.meeting(self.meeting)
        self._lifecycle.decide(Action(kind, target, self.meeting, origin=origin, params=params))

    def _on_mark(self, target: Target) -> None:
        if target.scope is Scope.MEETING and target.key == self.meeting:
            self._changed()

    def _changed(self) -> None:
        self.changed.emit()


def _offers_the_ui_seam(control: DoorControl) -> DoorService:
    """Never called: mypy checks here that DoorControl provides everything the UI may call."""
    return control
