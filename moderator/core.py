"""The console without its window: journal, roster, ingest, server, control, optional simulator.

`build_core` is the one place these parts are wired together; the app, the tests and the
benchmarks all use it. Each part's shutdown is pushed onto the caller's `AsyncExitStack` as it
starts, so closing the stack stops them in reverse order (control, simulator, server, journal),
also after a start that failed halfway.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from moderator.control import Moderator
from moderator.control.captions import CaptionsControl
from moderator.control.door_service import DoorControl
from moderator.control.host_restore import Restored, restore, settle
from moderator.control.recording import RecordingControl
from moderator.control.status import TwilioStatus
from moderator.credentials import Credentials
from moderator.domain.address_book import AddressBook
from moderator.domain.door import Door, DoorSettings
from moderator.domain.events import ConferenceEvent
from moderator.domain.recordings import RecordingLedger
from moderator.domain.roster import Roster
from moderator.domain.transcripts import Transcript
from moderator.messages import Sink, quiet
from moderator.server.call_status_route import CallStatusIngest
from moderator.server.door_routes import VoiceDoor
from moderator.server.ingest import CallbackIngest
from moderator.server.recording_route import RecordingIngest
from moderator.server.signature import SignatureCheck
from moderator.server.transcript_route import TranscriptIngest
from moderator.server.webhooks import SHUTDOWN_GRACE, WebhookServer
from moderator.settings import Settings
from moderator.store.call_status_log import CallStatusLog
from moderator.store.history import Backlog, note_callers, open_roster_deferring, summarise_ended
from moderator.store.journal import JOURNAL_FILE, ActionRecord, Journal
from moderator.store.journal_file import EarlyCheck
from moderator.store.recording_log import RecordingLog
from moderator.store.transcript_log import TranscriptLog
from moderator.store.writer import CallbackWriter

if TYPE_CHECKING:  # a console without the demo never loads the simulator (50 ms of imports)
    from moderator.sim import Simulator

log = logging.getLogger(__name__)


@dataclass
class CoreConfig:
    """What one core is built from. Defaults suit a test: any free port, no replay."""

    data_dir: Path
    settings: Settings = field(default_factory=Settings)
    credentials: Credentials = field(default_factory=Credentials)
    # REST credentials when they differ from the ones that verify callbacks (a test's wrong token)
    rest_credentials: Credentials | None = None
    journal_file: str = JOURNAL_FILE
    journal_check: EarlyCheck | None = None  # the journal's check, begun before the imports
    replay: bool = False  # rebuild the roster from the journal (the app does, after a restart)
    roster: Roster | None = None  # a roster to fold into (without replay) instead of a new one
    host: str = "127.0.0.1"
    port: int = 0
    public_url: str | None = None
    api_base_url: str | None = None  # None: api.twilio.com, or the simulator's when there is one
    # Started before control and stopped after it; its account replaces `credentials`.
    simulator: Simulator | None = None
    control: bool = True  # False: journal, roster and server only (the ingest benchmark)
    start_control: bool = True
    event_listeners: Sequence[Callable[[ConferenceEvent], None]] = ()
    notify: Sink = quiet
    on_connection_state: Callable[[TwilioStatus], None] | None = None
    control_options: dict[str, Any] = field(default_factory=dict)  # Moderator keyword arguments
    door: Door = field(default_factory=Door)  # PIN, lock, waiting room, address book
    book_file: Path | None = None  # where the host's address book changes are saved
    record: bool = False  # record the meeting from its start (the voice route's <Conference>)
    captions: bool = False  # live captions: the voice route transcribes each caller's leg
    # how long the server's stop lets a request in progress finish (a test needs none)
    shutdown_grace: float = SHUTDOWN_GRACE


@dataclass
class Core:
    """The running parts. `credentials` is read on every signature check, so it may change."""

    journal: Journal
    roster: Roster
    ingest: CallbackIngest
    server: WebhookServer
    credentials: Credentials
    simulator: Simulator | None = None
    moderator: Moderator | None = None
    voice_door: VoiceDoor | None = None
    door_service: DoorControl | None = None
    recordings: RecordingControl | None = None
    transcripts: TranscriptIngest | None = None  # the captions' callbacks, folded
    captions: CaptionsControl | None = None  # the host's captions switch
    restored: Restored | None = None  # what the start found of the meeting's host state
    settled: asyncio.Future[bool] | None = None  # True: the meeting had ended meanwhile
    # an older journal's conferences summarised in the background (the app starts it)
    backlog: Backlog | None = None

    @property
    def door(self) -> Door:
        assert self.voice_door is not None
        return self.voice_door.door

    @property
    def callback_url(self) -> str:
        return self.server.callback_url

    @property
    def control(self) -> Moderator:
        """The Moderator service; only for a core built with `control=True`."""
        assert self.moderator is not None, "this core was built without control"
        return self.moderator


async def build_core(config: CoreConfig, stack: AsyncExitStack) -> Core:
    """Journal → roster → ingest → server → [simulator] → control, each stopped by `stack`.

    Raises JournalError (unusable data dir) or ServerStartError (port taken) with a one-line
    message; whatever had started by then is already on `stack`.
    """
    journal = Journal(config.data_dir / config.journal_file, early=config.journal_check)
    stack.callback(journal.close)
    actions: list[ActionRecord] = []  # the journal's actions, read once for the start
    if config.replay:
        # only conferences still open are folded; ended ones are folded when the host asks
        roster, backlog = open_roster_deferring(journal)
        # the numbers the door saw before this start: tiles and the log's history name people
        # as before (the address book), not "Caller N" until Twilio answers (or forever if not)
        actions = journal.actions()
        note_callers(roster, actions)
        # runs after the server has stopped (the stack unwinds in reverse), before the close
        stack.callback(summarise_ended, journal, roster)
        stack.callback(backlog.stop)  # an older journal's summarising, before those two
    else:
        roster = config.roster if config.roster is not None else Roster()
    # from here on (the stack unwinds in reverse) the journal's last flush and its close share
    # one bounded wait: a frozen disk costs CLOSE_WAIT at exit, not once per step
    stack.callback(journal.begin_close)
    ingest = CallbackIngest(CallbackWriter(journal), roster)
    for listener in config.event_listeners:
        ingest.events.connect(listener)
    # Asked on every check, so credentials set later (settings, the simulator's) apply at once.
    signature = SignatureCheck(lambda: core.credentials.auth_token, config.public_url)
    server = WebhookServer(
        ingest,
        signature,
        host=config.host,
        port=config.port,
        conference_name=config.settings.conference_name,
        shutdown_grace=config.shutdown_grace,
    )
    core = Core(journal, roster, ingest, server, credentials=config.credentials)
    if config.replay:
        core.backlog = backlog
    core.voice_door = server.door = VoiceDoor(config.door, journal, roster)
    recording_log = RecordingLog(journal.path)
    stack.callback(recording_log.close)
    call_status_log = CallStatusLog(journal.path)
    stack.callback(call_status_log.close)
    server.call_statuses = CallStatusIngest(call_status_log, write=journal.write_off_loop)
    # after a restart the REC badge starts from the journaled recording callbacks
    ledger = recording_log.ledger() if config.replay else RecordingLedger()
    recording_ingest = server.recordings = RecordingIngest(
        recording_log, ledger, write=journal.write_off_loop
    )
    server.record = config.record
    transcript_log = TranscriptLog(journal.path)
    stack.callback(transcript_log.close)
    # after a restart the captions pane and the tooltips start from the journaled lines of
    # the callers of the meetings still open (a past meeting's are read by the report)
    transcript = transcript_log.transcript(_open_calls(roster)) if config.replay else Transcript()
    core.transcripts = server.transcripts = TranscriptIngest(
        transcript_log, transcript, write=journal.write_off_loop
    )
    server.captions = config.captions
    server.hold_music_url = config.settings.hold_music_url
    # tiles, the log and messages name callers the address book knows, renamed as it changes
    roster.set_names(lambda number: config.door.book.name_of(number))
    config.door.changed.connect(_renamer(roster, config.door.book))
    # an action journaled while the server and the simulator start (the door answering a
    # call at once) makes that read stale: the restore then reads them again
    journaled_since: list[ActionRecord] = []
    heard = journaled_since.append
    journal.action_listeners.append(heard)
    try:
        await core.server.start()
        stack.push_async_callback(core.server.stop)
        api_base_url = config.api_base_url
        if config.simulator is not None:
            core.simulator = config.simulator
            api_base_url = await core.simulator.start()
            stack.push_async_callback(core.simulator.stop)
            core.credentials = Credentials(core.simulator.account_sid, core.simulator.auth_token)
    finally:
        journal.action_listeners.remove(heard)
    started_with = None if journaled_since else actions
    if config.control:
        options: dict[str, Any] = dict(config.control_options)
        if config.on_connection_state is not None:
            options["on_connection_state"] = config.on_connection_state
        core.moderator = Moderator(
            roster,
            journal,
            credentials=config.rest_credentials or core.credentials,
            settings=config.settings,
            api_base_url=api_base_url,
            status_callback_url=core.server.callback_url,
            notify=config.notify,
            **options,
        )
        stack.push_async_callback(core.moderator.close)
        core.moderator.speak = lambda text: server.addresses().announce_url(text)
        core.server.on_unstored.append(core.moderator.request_reconcile)
        core.recordings = RecordingControl(core.moderator.lifecycle, recording_ingest.ledger)
        stack.push_async_callback(core.recordings.close)
        recording_ingest.recordings.connect(core.recordings.on_recording)
        core.captions = CaptionsControl(
            core.moderator.lifecycle,
            roster,
            transcript,
            meeting=lambda: server.conference_name,
            callback_url=lambda: server.transcription_callback_url,
            on=config.captions,
            switch_voice=lambda on: setattr(server, "captions", on),
        )
        core.transcripts.lines.connect(core.captions.on_line)
        core.transcripts.events.connect(core.captions.on_event)
        core.door_service = DoorControl(
            core.moderator.lifecycle, config.door, server.addresses, book_file=config.book_file
        )
        if config.replay:  # the live meeting's lock, PIN, rooms… as the host left them
            core.restored = restore(
                roster,
                journal,
                config.door,
                core.door_service,
                core.recordings,
                core.captions,
                started_with,
            )
            if core.restored.live:  # the host's own call and whom they whispered to
                core.moderator.restore_host(core.restored.state)
                # who still waits: their hanging up is "left the waiting room" after a restart too
                core.voice_door.still_waiting(core.restored.state.waiting)
        if config.start_control:
            await core.moderator.start()
            if core.restored is not None and core.moderator.startup is not None:
                # Twilio may say the meeting ended while the console was away
                settling = asyncio.ensure_future(
                    settle(
                        core.restored,
                        core.moderator.startup,
                        roster,
                        journal,
                        config.door,
                        core.door_service,
                        core.captions,
                    )
                )
                core.settled = settling
                stack.callback(settling.cancel)
    return core


def _open_calls(roster: Roster) -> set[str]:
    """Every call the open conferences have seen (present or not)."""
    return {
        participant.call_sid
        for conference in roster.conferences()
        if conference.status.live
        for participant in roster.participants(conference.sid)
    }


def _renamer(roster: Roster, book: AddressBook) -> Callable[[DoorSettings, AddressBook], None]:
    """The door's listener that renames the tiles when the address book changes.

    The door tells of its settings (lock, PIN, waiting room) too; renaming then would recompose
    every participant of every conference for nothing (mypy --strict found the old lambda
    handing the roster's changes back to a listener that returns None).
    """
    named_by = book

    def rename(_settings: DoorSettings, book: AddressBook) -> None:
        nonlocal named_by
        if book != named_by:
            named_by = book
            roster.set_names(book.name_of)

    return rename


@asynccontextmanager
async def open_core(config: CoreConfig) -> AsyncIterator[Core]:
    """`build_core` with a stack of its own: `async with open_core(cfg) as core: ...`."""
    async with AsyncExitStack() as stack:
        yield await build_core(config, stack)
