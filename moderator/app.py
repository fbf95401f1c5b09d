"""The composition root: builds every part in order, runs the Qt + asyncio loop, stops it all."""

from __future__ import annotations

import asyncio
import gc
import logging
import sys
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QApplication

from moderator import APP_NAME, credentials
from moderator.control import Moderator
from moderator.control.status import TwilioStatus
from moderator.core import Core, CoreConfig, build_core
from moderator.credentials import Credentials
from moderator.domain.clock import utc_now
from moderator.domain.door import PIN_ALARM_KIND, Door, DoorSettings
from moderator.domain.host_state import hash_pin
from moderator.domain.roster import Roster
from moderator.loop import ConsoleEventLoop
from moderator.messages import Level, Messages
from moderator.private import default_data_dir
from moderator.server.webhooks import ServerStartError, WebhookServer, check_port_free
from moderator.settings_flow import SettingsFlow
from moderator.setup.numbers import connected_numbers
from moderator.setup.service import SetupContext, SetupService
from moderator.signals import SignalWakeup
from moderator.store.address_book_file import book_path, load_book
from moderator.store.history import newest_events
from moderator.store.journal import ActionRecord, Journal, JournalError
from moderator.store.journal_file import EarlyCheck
from moderator.store.report_html import JournalViews
from moderator.ui.bridge import RosterBridge
from moderator.ui.door.door_ui import DoorUi
from moderator.ui.grid.recording_indicator import RecordingIndicator
from moderator.ui.log.action_entries import HISTORY_LINES, entry_for_action, history, said_live
from moderator.ui.look.console_style import apply_theme
from moderator.ui.setup.setup_controller import SetupController
from moderator.ui.setup.setup_wizard import SetupResult
from moderator.ui.shell.crash_dialog import CrashReporter, report_startup_error
from moderator.ui.shell.main_window import MainWindow
from moderator.ui.shell.settings_dialog import SettingsEdit

if TYPE_CHECKING:  # the simulator is imported only by the demo (moderator/demo.py)
    from moderator.sim import Simulator

log = logging.getLogger(__name__)

WINDOW_SHOWN = "the window is shown"  # logged once at start (benchmarks/fig_history.py times it)


@dataclass
class ConsoleOptions:
    """Everything the command line can set for the console."""

    host: str = "127.0.0.1"
    port: int | None = None  # None: the saved setting (default 8080)
    public_url: str | None = None  # None: the saved setting, if any
    data_dir: Path = field(default_factory=default_data_dir)
    twilio_api_url: str | None = None
    quit_after: float | None = None
    screenshot: Path | None = None
    verbose: bool = False
    demo: bool = False
    demo_speed: float = 1.0
    demo_latency: tuple[float, float] = (0.15, 0.30)  # seconds: Twilio-like REST answer times
    # None: at a first start without credentials (and not with --quit-after, which scripts use)
    setup_assistant: bool | None = None
    pin: str = ""  # the door at start (the window changes it while running)
    waiting_room: bool = False
    locked: bool = False
    record: bool = False  # --record: record the meeting from its start (the setting's default)
    captions: bool = False  # --captions: live captions from the start (the setting's default)


class StartupError(Exception):
    """The console cannot start as configured (one-line message, exit status 2)."""


class Console:
    """All the running parts of one console session, started and stopped in a fixed order."""

    def __init__(self, options: ConsoleOptions, journal_check: EarlyCheck | None = None) -> None:
        self.options = options
        self.journal_check = journal_check  # begun before the imports (commands/console.py)
        # every part's messages for the host; held until the window connects (_show_window)
        self.messages = Messages()
        # the event log's history: which conferences' lines are in, and where live lines start
        self._history_shown: set[str] = set()
        self._history_until = utc_now()  # actions from then on reach the log live
        # per conference known when the window opened: callbacks after this sequence number
        # reach the log live (None: it had ended, every callback is history)
        self._history_cut: dict[str, int | None] = {}
        self.settings_flow = SettingsFlow(options.data_dir, self.messages, demo=options.demo)
        self.settings = self.settings_flow.settings
        if options.demo:  # the session's, never saved
            from moderator.demo import demo_settings  # the simulator: only for the demo

            self.settings = demo_settings(self.settings, options.demo_speed)
        # the command line wins over the saved settings; the demo needs no fixed port
        saved_port = 0 if options.demo else self.settings.port
        self.port = options.port if options.port is not None else saved_port
        self.public_url = options.public_url or self.settings.public_url or None
        self.quit_requested: asyncio.Future[None] | None = None
        self.core: Core | None = None
        self.bridge: RosterBridge | None = None
        self.window: MainWindow | None = None
        self.setup: SetupController | None = None
        self.door_ui: DoorUi | None = None
        self._parts = AsyncExitStack()  # the core's parts, stopped in reverse order
        self._credentials = Credentials()
        book, self._book_problem = load_book(options.data_dir)
        self.door = Door(
            DoorSettings(
                pin_hash=hash_pin(options.pin) if options.pin else "",
                locked=options.locked,
                waiting_room=options.waiting_room,
            ),
            book,
        )

    # The running parts, as the core built them (None before start and after stop).
    @property
    def journal(self) -> Journal | None:
        return self.core.journal if self.core is not None else None

    @property
    def roster(self) -> Roster:
        return self.core.roster if self.core is not None else Roster()

    @property
    def server(self) -> WebhookServer | None:
        return self.core.server if self.core is not None else None

    @property
    def simulator(self) -> Simulator | None:
        return self.core.simulator if self.core is not None else None

    @property
    def moderator(self) -> Moderator | None:
        return self.core.moderator if self.core is not None else None

    @property
    def credentials(self) -> Credentials:
        """What signs callbacks and calls REST; setting it takes effect for the next check."""
        return self.core.credentials if self.core is not None else self._credentials

    @credentials.setter
    def credentials(self, value: Credentials) -> None:
        self._credentials = value
        if self.core is not None:
            self.core.credentials = value

    async def start(self) -> None:
        """Core (journal → replayed roster → server → [simulator] → control), then the window.

        Raises StartupError for a user mistake (taken port, unwritable data dir).
        """
        loop = asyncio.get_running_loop()
        self.quit_requested = loop.create_future()
        simulator: Simulator | None = None
        if self.options.demo:
            from moderator.demo import demo_simulator

            simulator = demo_simulator(self.options.demo_speed, self.options.demo_latency)
        else:
            self._credentials = credentials.load(self.settings.account_sid, self.settings.api_key)
        config = CoreConfig(
            data_dir=self.options.data_dir,
            journal_check=self.journal_check,
            settings=self.settings,
            credentials=self._credentials,
            replay=True,
            host=self.options.host,
            port=self.port,
            public_url=self.public_url,
            api_base_url=self.options.twilio_api_url,
            simulator=simulator,
            notify=self.messages.send,
            on_connection_state=self._on_connection_state,
            door=self.door,
            book_file=book_path(self.options.data_dir),
            record=self.options.record or self.settings.record_from_start,
            captions=self.options.captions or self.settings.captions,
        )
        try:
            self.core = await build_core(config, self._parts)
        except (JournalError, ServerStartError) as exc:
            raise StartupError(str(exc)) from None
        self.bridge = RosterBridge(self.core.roster)
        self.core.ingest.events.connect(self.bridge.on_event)
        if self.core.voice_door is not None:  # PIN attempts, lock and waiting room in the log
            # the PIN alarm is an error: the status bar keeps it until the host reads it
            self.core.voice_door.entries.connect(
                lambda entry: self.messages.send(
                    Level.ERROR if entry.kind == PIN_ALARM_KIND else Level.INFO,
                    "Door: " + entry.text,
                )
            )
        self._show_window()
        backlog = self.core.backlog
        if backlog is not None and backlog.start(loop, self._backlog_progress):
            self.messages.info(
                f"Summarising {len(backlog.pending)} older meetings in the background"
                " (once, after an update); they appear in the list as they are done",
            )
        # the whole-file check a clean close let the start skip (store/clean_close.py)
        hub = self.messages

        def problem_found(message: str) -> None:  # on the journal's checking thread
            loop.call_soon_threadsafe(hub.error, message)

        self.core.journal.check_in_background(problem_found)
        for problem in self.core.journal.problems:  # a repaired journal, unreadable rows
            log.warning("%s", problem)
            self.messages.error(problem)
        if not self.options.demo:
            self._start_setup()
        if self.core.simulator is not None:
            from moderator.demo import dial_in

            dial_in(self.core.simulator, self.core.server)
        if self.options.quit_after is not None:
            loop.call_later(self.options.quit_after, self.request_quit)
        # What start-up built (the replayed history above all) lives as long as the console:
        # the collector need not walk it again. With 100,000 journaled callbacks a full
        # collection in the middle of a meeting froze the window for 300 ms.
        gc.freeze()

    def _backlog_progress(self, done: int, total: int) -> None:
        """Every quarter of an older journal's summarising, and its end, in the log."""
        if done == total:
            self.messages.info(f"Older meetings summarised: all {total}")
        elif done * 4 // total != (done - 1) * 4 // total:
            self.messages.info(f"Summarising older meetings: {done} of {total}")

    def _dial_in_number(self) -> str | None:
        """The number callers dial: one connected to this console from this data folder, else
        the caller ID (a number of the account) from Settings."""
        journal = self.journal
        connected = [e164 for _sid, e164 in connected_numbers(journal)] if journal else []
        return next(iter(connected), None) or self.settings.caller_id or None

    def _show_window(self) -> None:
        assert self.bridge is not None and self.server is not None
        self.window = MainWindow(
            self.bridge,
            self.moderator,
            self.settings,
            # demo settings are not the host's: keep them out of the saved ones
            settings_store=None if self.options.demo else self.settings_flow.store,
            read_secrets=self.settings_flow.read_secrets,
        )
        self._show_history()
        if self.core is not None and self.core.door_service is not None:
            self.door_ui = DoorUi(self.window, self.core.door_service, self.bridge)
            self.door_ui.dial_in_number = self._dial_in_number
            if self.options.pin:  # typed by the host this session: the invitation may say it
                self.core.door_service.remember_pin(self.options.pin)
            if self.core.voice_door is not None:
                self.core.voice_door.entries.connect(self.door_ui.on_door_entry)
        if self.core is not None and self.core.recordings is not None:
            window = self.window
            self.recording_indicator = RecordingIndicator(
                self.core.recordings, lambda: window.conference_sid
            )
            window.header.add_badge(self.recording_indicator)
            window.window_actions.add_meeting_submenu(self.recording_indicator.menu_)
            self.bridge.changed.connect(lambda *_: self.recording_indicator.refresh())
        if self.core is not None and self.core.captions is not None:
            self.window.show_captions(self.core.captions)
        self.window.close_requested.connect(self.request_quit)
        if self.journal is not None:  # the timeline's action markers and the HTML report
            views = JournalViews(self.roster, self.journal)
            self.window.insights.markers, self.window.insights.html = views.markers, views.html
        self.window.settings_edited.connect(self.apply_settings_edit)
        self.window.set_listening(self.server.callback_url)
        self.window.set_demo(self.options.demo)
        if self.moderator is not None:
            self.window.set_twilio_state(self.moderator.connection_state)
        self.window.show()
        log.info(WINDOW_SHOWN)
        bridge = self.bridge
        self.messages.connect(lambda level, text: bridge.message.emit(level.value, text))
        if self._book_problem:
            self.messages.error(self._book_problem)
        if self.options.demo:
            self.messages.info("Demo: a simulated TeamMeeting is starting")
        elif not self.credentials.auth_token:
            self.messages.error(
                "No Twilio auth token: set TWILIO_AUTH_TOKEN or enter it in Settings;"
                " until then callbacks are rejected",
            )
            log.warning("no auth token: set TWILIO_AUTH_TOKEN; callbacks are rejected until then")

    def _show_history(self) -> None:
        """The event log starts with the shown conference's recent history (callbacks, host
        actions, the door's decisions), host actions appear in it as they are taken, and a
        conference the host switches to brings its own history in (once)."""
        core, window = self.core, self.window
        if core is None or window is None:
            return

        def on_action(action: ActionRecord) -> None:
            if said_live(action):
                where = self._meeting_of(action.conference_sid)
                window.log_model.queue([entry_for_action(action, self._log_name_of, where)])

        core.journal.action_listeners.append(on_action)
        # lines from now on reach the log live: a history adds only what came before
        self._history_until = utc_now()
        self._history_shown.clear()
        self._history_cut = {
            c.sid: core.roster.last_sequence(c.sid) if c.status.live else None
            for c in core.roster.conferences()
        }
        window.conference_shown.connect(self._load_history)
        self._load_history(window.conference_sid)

    def _load_history(self, shown: str | None) -> None:
        """The newest lines of the conference `shown` from before the window opened, the
        callbacks and the actions on it and on its meeting (door and rooms), once each."""
        core, window = self.core, self.window
        if core is None or window is None or shown is None or shown in self._history_shown:
            return
        roster = core.roster
        conference = roster.conference(shown)
        if conference is None:
            return
        self._history_shown.add(shown)
        meeting = conference.friendly_name
        since = max(
            (
                c.ended_at
                for c in roster.conferences()
                if c.friendly_name == meeting and c.sid != conference.sid and c.ended_at
            ),
            default=None,
        )
        until = self._history_until
        events = []
        if shown in self._history_cut:  # one that started since then is in the log already
            cut = self._history_cut[shown]
            events = [
                e
                for e in newest_events(core.journal, conference.sid, HISTORY_LINES)
                if cut is None or e.sequence <= cut
            ]
        actions = [
            a
            for a in core.journal.actions(conference.sid, meeting)
            if (since is None or a.at >= since) and a.at < until
        ]
        window.log_model.extend(history(events, actions, self._log_name_of, meeting))

    def _log_name_of(self, conference_sid: str, call_sid: str) -> str | None:
        roster = self.roster
        # a past conference is not folded for a name (0.7 s at start for 5,000 callbacks): its
        # lines use the callback's label
        if roster.summary(conference_sid) is not None and not roster.is_folded(conference_sid):
            return None
        participant = roster.participant(conference_sid, call_sid)
        return participant.display_name if participant else None

    def _meeting_of(self, sid: str) -> str:
        conference = self.roster.conference(sid)
        return conference.friendly_name if conference and conference.friendly_name else sid

    def _start_setup(self) -> None:
        """Readiness marks, the built-in tunnel and (at a first start) the setup assistant."""
        assert self.core is not None and self.window is not None
        server = self.core.server
        context = SetupContext(
            local_port=server.port,
            instance=server.instance,
            journal=self.core.journal,
            api_base_url=self.options.twilio_api_url,
        )
        self.setup = SetupController(
            SetupService(context, self.messages.send), self, self.window, None
        )
        server.signature.mismatched.connect(self.setup.on_signature_mismatch)
        assert self.bridge is not None
        self.bridge.events_received.connect(lambda _events: self._callback_accepted())
        auto = self.options.setup_assistant
        if auto is None:
            auto = self.options.quit_after is None and not (
                self.credentials.account_sid and self.credentials.auth_token
            )
        self.setup.start(open_assistant=auto)

    def _callback_accepted(self) -> None:
        if self.setup is not None:
            self.setup.on_callback_accepted()

    # ---- what the setup controller asks of the console (SetupHost) ----------------------------

    @property
    def public_base(self) -> str | None:
        return self.server.signature.public_url if self.server is not None else self.public_url

    @property
    def public_url_locked(self) -> bool:
        return self.options.public_url is not None

    def use_public_url(self, url: str) -> None:
        """The built-in tunnel's URL (a new one at each start): signatures, status bar."""
        self.public_url = url
        if self.server is not None:
            self.server.set_public_url(url)
            if self.window is not None:
                self.window.set_listening(self.server.callback_url)

    def notify(self, level: str, text: str) -> None:
        self.messages.send(Level(level), text)

    def apply_setup(self, result: SetupResult) -> None:
        """What the host set up in the assistant: through the one settings path."""
        self.apply_settings_edit(
            SettingsEdit(
                result.settings, result.secrets, result.token_editable, result.secret_editable
            )
        )

    def _on_connection_state(self, state: TwilioStatus) -> None:
        if self.window is not None:
            self.window.set_twilio_state(state)

    def apply_settings_edit(self, edit: SettingsEdit) -> None:
        """The one path for what the host saved: store it, then apply it once, everywhere.

        The settings flow stores it (settings_flow.py; the demo stores nothing) and gives the
        reloaded credentials; then the server, the control service and the window are
        updated. A new port takes effect at the next start.
        """
        captions_were = self.settings.captions
        settings = edit.settings
        self.settings = settings
        stored = self.settings_flow.save(edit)
        if stored is not None:
            self.credentials = stored
        if self.server is not None:
            self.server.conference_name = settings.conference_name
            self.server.hold_music_url = settings.hold_music_url
            self.server.record = self.options.record or settings.record_from_start
            if self.options.public_url is None:  # the command line still wins
                self.server.set_public_url(settings.public_url or None)
        if self.moderator is not None:
            self.moderator.update_settings(settings)
            if not self.options.demo:
                self.moderator.update_credentials(self.credentials)
        if self.window is not None:
            self.window.set_settings(settings)
            if self.server is not None:
                self.window.set_listening(self.server.callback_url)
        captions = self.core.captions if self.core is not None else None
        if captions is not None and settings.captions != captions_were:
            # callers already in are switched too (REST); kept so the task is not collected
            self._captions_switch = asyncio.ensure_future(captions.set_on(settings.captions))

    def request_quit(self) -> None:
        """The one way to ask for shutdown: window close, --quit-after, signals, menu."""
        if self.quit_requested is not None and not self.quit_requested.done():
            self.quit_requested.set_result(None)

    async def run(self) -> None:
        """Start, wait until asked to quit, stop."""
        try:
            await self.start()
            assert self.quit_requested is not None
            await self.quit_requested
            self.save_screenshot()
        finally:
            await self.stop()

    def save_screenshot(self) -> None:
        path = self.options.screenshot
        if path is None or self.window is None:
            return
        if self.window.grab().save(str(path)):
            log.info("screenshot saved to %s", path)
        else:
            log.error("could not save the screenshot to %s", path)

    async def stop(self) -> None:
        """Reverse order of start; safe after a partial start."""
        self.messages.disconnect()
        if self.window is not None:
            self.window.hide()
        if self.setup is not None:
            await self.setup.stop()  # the built-in tunnel closes before the server
            self.setup = None
        if self.bridge is not None:
            self.bridge.detach()
        await self._parts.aclose()  # control, simulator, server, journal
        self.core = None
        gc.unfreeze()  # collectable again (a test process starts many consoles)
        log.info("console stopped")


def run_console(options: ConsoleOptions, journal_check: EarlyCheck | None = None) -> int:
    """Run the console until it is asked to quit. 0 on a normal quit, 2 on a start-up mistake.
    `journal_check`: the journal's whole-file check, begun before the imports."""
    console = Console(options, journal_check)
    try:
        check_port_free(options.host, console.port)
    except ServerStartError as exc:
        report_startup_error(str(exc))
        return 2
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName(APP_NAME)
    apply_theme(app)
    app.setQuitOnLastWindowClosed(False)  # Console.run decides when to quit, after cleanup
    wakeup = SignalWakeup(lambda signum: console.request_quit())
    loop = ConsoleEventLoop(app)
    asyncio.set_event_loop(loop)
    crashes = CrashReporter()  # a bug gets a dialog: a windowed executable has no stderr
    crashes.install(loop)
    app.aboutToQuit.connect(console.request_quit)
    try:
        loop.run_until_complete(console.run())
    except StartupError as exc:
        report_startup_error(str(exc))
        return 2
    finally:
        crashes.uninstall()
        wakeup.close()
        _close_loop(loop)
    return 0


def _close_loop(loop: asyncio.AbstractEventLoop) -> None:
    """Cancel leftovers and close the loop so nothing is torn down at interpreter exit."""
    pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
    for task in pending:
        task.cancel()
    if pending:
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
    loop.run_until_complete(loop.shutdown_asyncgens())
    asyncio.set_event_loop(None)
    loop.close()
