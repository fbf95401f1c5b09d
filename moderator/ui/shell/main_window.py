"""The main window: conference picker, participant tiles, event log, toolbar and status bar."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QByteArray,
    QEvent,
    QItemSelectionModel,
    QPoint,
    QSettings,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QCloseEvent,
    QGuiApplication,
    QHideEvent,
    QResizeEvent,
    QScreen,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QListView,
    QMainWindow,
    QMenu,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from moderator import APP_NAME
from moderator.control.interface import CaptionsService
from moderator.control.status import ConnectionState, TwilioStatus
from moderator.domain.clock import utc_now
from moderator.domain.events import ConferenceEvent
from moderator.domain.names import display_name
from moderator.domain.rooms import side_of
from moderator.domain.roster import Change, ChangeKind, Conference, Participant
from moderator.settings import Settings
from moderator.ui.bridge import RosterBridge
from moderator.ui.dialogs import DetailsDialog, about_box
from moderator.ui.grid.announce_dialog import RecentTexts
from moderator.ui.grid.conference_header import ConferenceHeader, empty_grid_text
from moderator.ui.grid.conference_model import ConferenceModel
from moderator.ui.grid.moderation import ModerationController
from moderator.ui.grid.participant_grid import ParticipantGrid
from moderator.ui.grid.participant_menu import participant_menu
from moderator.ui.grid.participant_model import ParticipantModel
from moderator.ui.grid.tile_search import TileSearch
from moderator.ui.insight.captions_pane import CaptionsPane
from moderator.ui.insight.meeting_insights import MeetingInsights
from moderator.ui.log.event_log_model import EventLogModel, LogEntry, entry_for_event
from moderator.ui.log.event_log_pane import EventLogPane
from moderator.ui.look import console_style, icons
from moderator.ui.shell.layout_file import layout_path, read_layout, write_layout
from moderator.ui.shell.settings_dialog import Secrets, SettingsDialog
from moderator.ui.shell.status_bar import ConsoleStatusBar
from moderator.ui.shell.window_actions import WindowActions

if TYPE_CHECKING:
    from moderator.control.interface import ModeratorService

log = logging.getLogger(__name__)


LAYOUT_GROUP = "window"  # where versions before layout.json kept geometry and splitter positions


PREFERRED_SIZE = QSize(1280, 800)
FRAME_ALLOWANCE = QSize(16, 48)  # the window manager's title bar and borders, outside our size


def fitting_size(screen: QScreen | None = None) -> QSize:
    """1280x800, or less: what fits the screen's free area with the window's frame, so on a
    1280x800 laptop (a panel or dock taking some of it) the status bar stays on screen."""
    screen = screen or QGuiApplication.primaryScreen()
    if screen is None:
        return PREFERRED_SIZE
    room = screen.availableGeometry().size() - FRAME_ALLOWANCE
    return PREFERRED_SIZE.boundedTo(room).expandedTo(QSize(640, 480))


def is_meeting(conference: Conference) -> bool:
    """A meeting, not a meeting's waiting room or breakout room."""
    return side_of(conference.friendly_name) is None


def no_secrets() -> Secrets:
    return Secrets()


class MainWindow(QMainWindow):
    """What the host sees during a call. Views only: actions go through ModerationController.

    The app calls set_listening(), set_settings() and (optionally) set_twilio_state(); closing
    the window or File → Quit emits close_requested and leaves the shutdown to the app.
    settings_edited(SettingsEdit) is what the host saved in the settings dialog: the app
    stores and applies it (the window writes neither QSettings nor the keyring).
    With a settings_store, the window's geometry and splitter positions are saved when it is
    closed or hidden (save_layout) and restored when the next one is built.
    """

    close_requested = Signal()
    settings_edited = Signal(object)  # SettingsEdit
    conference_shown = Signal(object)  # the ConferenceSid the grid shows now (None: none)

    def __init__(
        self,
        bridge: RosterBridge,
        moderator: ModeratorService | None = None,
        settings: Settings | None = None,
        *,
        settings_store: QSettings | None = None,
        read_secrets: Callable[[], Secrets] = no_secrets,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        super().__init__()
        console_style.ensure_theme()
        self.setWindowTitle(APP_NAME)
        self.setWindowIcon(icons.app_icon())
        self.resize(fitting_size())
        self._bridge = bridge
        self._roster = bridge.roster
        self._clock = clock
        self.settings = settings or Settings()
        self._settings_store = settings_store
        self._read_secrets = read_secrets
        self.moderator = moderator
        self._shown_once = False
        self._listening: str | None = None  # the running server's statusCallback URL
        self._ended = {c.sid for c in self._roster.conferences() if not c.status.live}
        # Extensions (the door, breakout rooms): more entries for a tile's menu, and which new
        # conferences the window follows by itself (not a waiting room or a breakout room).
        self.menu_hooks: list[Callable[[QMenu, Participant], None]] = []
        # A meeting's waiting room and breakout rooms are listed under it, never followed.
        self.follows: Callable[[Conference], bool] = is_meeting
        # The picker follows the live call until the host picks a conference themselves.
        self._host_picked = False
        self._selecting = False  # the console, not the host, is moving the picker

        # ---- models ----
        self.conferences = ConferenceModel(self._roster, self)
        self.participants = ParticipantModel(self._roster, self, clock=clock)
        self.log_model = EventLogModel(parent=self)
        self.controller = ModerationController(self._roster, moderator, self)
        self.controller.recent = RecentTexts(settings_store)  # none (the demo): this run only
        self.participants.host = moderator  # tiles mark the host's own call and whisper
        # talk time, timeline, end-of-meeting summary (the app connects the journal's parts)
        self.insights = MeetingInsights(
            self._roster, self.participants, lambda: self.conference_sid, clock, self
        )
        self.insights.is_meeting = lambda conference: self.follows(conference)
        self.insights.notify = lambda level, text: self.show_message(level, text)

        # ---- views ----
        self.picker = QListView()
        self.picker.setObjectName("conferences")
        self.picker.setAccessibleName("Conferences")
        self.picker.setModel(self.conferences)
        self.picker.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.picker.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        # a line too long for the sidebar ends in "…", never under a sideways scroll bar
        self.picker.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.picker.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.grid = ParticipantGrid(clock=clock)
        self.grid.setModel(self.participants)
        self.search = TileSearch(self.grid)
        self.log_pane = EventLogPane(self.log_model)
        self.captions_pane: CaptionsPane | None = None  # show_captions() makes it
        self.header = ConferenceHeader()
        self.header.add_badge(self.controller.note)  # the last announcement: heard or failed
        self.title, self.subtitle = self.header.title, self.header.subtitle
        self.status = ConsoleStatusBar(self, clock)
        self.setStatusBar(self.status)
        self.window_actions = WindowActions(
            self,
            self.controller,
            open_settings=self.open_settings,
            quit_app=self.close,
            about=self.show_about,
            find=lambda: self.search.focus(),
        )
        self._name_actions()
        self.addToolBar(self.window_actions.toolbar)
        # Timeline: Meeting menu and Ctrl+T (wherever the focus is), not a toolbar button, so
        # the toolbar keeps its labels on a laptop screen
        self.addAction(self.insights.timeline_action)
        self.window_actions.fill_menu_bar(self.menuBar(), self.insights.menu_actions())
        self._build_layout()
        self.restore_layout()

        # ---- wiring ----
        bridge.changed.connect(self._on_changes)
        bridge.events_received.connect(self._on_events)
        bridge.changed.connect(self.insights.on_changes)
        bridge.events_received.connect(self.insights.on_events)
        bridge.message.connect(self.show_message)
        if moderator is not None:
            moderator.host_changed.connect(lambda _conf: self._host_changed())
        self.controller.message.connect(self.show_message)
        selection = self.picker.selectionModel()
        selection.currentChanged.connect(lambda current, _previous: self._pick(current.row()))
        self.grid.toggle_mute_requested.connect(self.controller.toggle_mute)
        self.grid.toggle_hold_requested.connect(self.controller.toggle_hold)
        self.grid.toggle_whisper_requested.connect(self.controller.toggle_whisper)
        self.grid.kick_requested.connect(self.controller.kick)
        self.grid.menu_requested.connect(self._show_menu)
        self.status.details_requested.connect(self.show_details)
        self.log_pane.details_requested.connect(self.show_details)
        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self.tick)
        self._tick.start()
        if self.conferences.rowCount():
            self._select_row(self.conferences.preferred_row(self.follows))
        self._refresh_header()
        self.tick()

    def _name_actions(self) -> None:
        a = self.window_actions
        self.toolbar = a.toolbar
        self.mute_all_action, self.mute_everyone_action = a.mute_all, a.mute_everyone
        self.unmute_all_action, self.dial_out_action = a.unmute_all, a.dial_out
        self.end_action, self.reconcile_action = a.end, a.reconcile
        self.settings_action, self.quit_action, self.about_action = a.settings, a.quit, a.about
        self.find_action = a.find

    # ---- layout ----------------------------------------------------------------------------

    def _build_layout(self) -> None:
        left = QWidget()
        left.setObjectName("sidebar")
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.setSpacing(0)
        heading = QLabel("CONFERENCES")
        heading.setObjectName("paneTitle")
        left_layout.addWidget(heading)
        left_layout.addWidget(self.picker)
        centre = QWidget()
        centre_layout = QVBoxLayout(centre)
        centre_layout.setContentsMargins(0, 0, 0, 0)
        centre_layout.setSpacing(0)
        centre_layout.addWidget(self.insights.beside(self.header))  # + the talk-time sort
        centre_layout.addWidget(self.insights.banner)
        centre_layout.addWidget(self.search.bar)  # a row of its own: the header has no room
        centre_layout.addWidget(self.grid, 1)
        self._centre_layout = centre_layout
        self.log_splitter = right = QSplitter(Qt.Orientation.Vertical)
        right.setObjectName("gridAndLog")
        right.addWidget(centre)
        right.addWidget(self.log_pane)
        right.setStretchFactor(0, 3)
        right.setStretchFactor(1, 1)
        right.setSizes([560, 200])
        self.splitter = splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setObjectName("pickerAndGrid")
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([240, 1040])
        self.setCentralWidget(splitter)

    # ---- the app's API ---------------------------------------------------------------------

    def insert_panel(self, widget: QWidget) -> None:
        """A band between the conference title and the tiles (waiting strip, breakout rooms)."""
        self._centre_layout.insertWidget(self._centre_layout.indexOf(self.grid), widget)

    def set_listening(self, text: str) -> None:
        """Where the webhook server listens (shown in the status bar and How to connect)."""
        self._listening = text
        self.status.set_listening(text)

    def set_demo(self, demo: bool) -> None:
        """The demo says so (status bar, title): it must never pass for a real Twilio call."""
        self.status.set_demo(demo)
        self.setWindowTitle(f"{APP_NAME} — Demo" if demo else APP_NAME)

    def set_settings(self, settings: Settings) -> None:
        """The settings now in effect (what the settings dialog starts from next time)."""
        self.settings = settings

    def set_twilio_state(self, status: TwilioStatus) -> None:
        """Twilio connection state; also refreshed from the Moderator every second."""
        self.status.set_twilio_state(status)

    def show_message(self, level: str, text: str) -> None:
        """A message for the host: status bar (errors stay) and event log."""
        self.status.show_message(level, text)
        self.log_model.append(
            LogEntry(
                at=self._clock(),
                event="Error" if level == "error" else "Note",
                details=text,
                level=level,
            )
        )

    def show_details(self, title: str, text: str) -> None:
        """A message in full, in a window of its own (the status bar and log shorten it)."""
        dialog = DetailsDialog(title, text, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def show_about(self) -> None:
        box = about_box(self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()  # window-modal without a nested event loop

    @property
    def conference_sid(self) -> str | None:
        return self.participants.conference_sid

    def event(self, event: QEvent) -> bool:
        if event.type() != QEvent.Type.UpdateRequest:
            return super().event(event)
        # The window's repaint (tiles, log, header): the bridge spaces batches by its cost.
        started = time.monotonic()
        handled = super().event(event)
        self._bridge.note_paint(time.monotonic() - started)
        return handled

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            self.grid.setFocus()  # Space/H/Delete work at once, without clicking the grid first

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.window_actions.fit_toolbar(self.width())

    def closeEvent(self, event: QCloseEvent) -> None:
        event.ignore()  # the app shuts down in order, then hides the window
        self.save_layout()
        self.close_requested.emit()

    def hideEvent(self, event: QHideEvent) -> None:
        # The app hides the window on shutdown (any path: close, --quit-after, signals).
        if not event.spontaneous():  # not a minimise: that is no layout change
            self.save_layout()
        super().hideEvent(event)

    # ---- layout memory ---------------------------------------------------------------------

    def save_layout(self) -> None:
        """Write geometry and splitter positions beside the settings (none: demo, no-op)."""
        store = self._settings_store
        if store is None:
            return
        layout = {
            "geometry": self.saveGeometry(),
            "splitter": self.splitter.saveState(),
            "logSplitter": self.log_splitter.saveState(),
        }
        write_layout(
            layout_path(store.fileName()),
            {key: bytes(value.data()) for key, value in layout.items()},
        )

    def restore_layout(self) -> None:
        """Bring back what save_layout wrote (or, from earlier versions, the settings' "window"
        group); anything missing or unreadable keeps the default."""
        store = self._settings_store
        if store is None:
            return
        saved: dict[str, object] = {
            key: QByteArray(value)
            for key, value in read_layout(layout_path(store.fileName())).items()
        }
        if not saved:
            store.beginGroup(LAYOUT_GROUP)
            try:
                saved = {key: store.value(key) for key in ("geometry", "splitter", "logSplitter")}
            finally:
                store.endGroup()
        for key, restore in (
            ("geometry", self.restoreGeometry),
            ("splitter", self.splitter.restoreState),
            ("logSplitter", self.log_splitter.restoreState),
        ):
            value = saved.get(key)
            if isinstance(value, QByteArray) and not value.isEmpty() and not restore(value):
                log.warning("ignoring an unreadable saved window layout (%s)", key)

    def show_captions(self, captions: CaptionsService) -> CaptionsPane:
        """The captions pane between the grid and the event log, following the shown
        conference's callers; the tiles' tool tips say what each caller said last."""
        pane = self.captions_pane = CaptionsPane(captions, self._caller_name, self)
        self.log_splitter.insertWidget(1, pane)
        self.log_splitter.setStretchFactor(1, 1)
        self.log_splitter.setSizes([520, 160, 160])
        self.window_actions.meeting_menu.insertAction(self.window_actions.end, pane.toggle)
        self.window_actions.meeting_menu.insertSeparator(self.window_actions.end)
        self.participants.last_words = captions.last_words
        self.conference_shown.connect(lambda _sid: self._captions_follow())
        self._captions_follow()
        return pane

    def _captions_follow(self) -> None:
        if self.captions_pane is None:
            return
        sid = self.conference_sid
        # A past conference known by its summary is not folded for its callers (0.4 s at start
        # for 5,000 callbacks): the transcript holds only the open conferences' lines.
        folded = sid is not None and self._roster.is_folded(sid)
        people = self._roster.participants(sid) if folded and sid else []
        self.captions_pane.set_callers(frozenset(p.call_sid for p in people))

    def _caller_name(self, call_sid: str) -> str:
        """The one display name of a call, wherever the roster has seen it."""
        sid = self.conference_sid
        participant = self._roster.participant(sid, call_sid) if sid else None
        if participant is None:  # in a room, or gone: where the roster saw the call last
            participant = self._roster.find_call(call_sid)
        return participant.display_name if participant is not None else display_name()

    # ---- roster and callbacks --------------------------------------------------------------

    def _on_changes(self, changes: list[Change]) -> None:
        self.conferences.on_changes(changes)
        self.participants.on_changes(changes)
        appeared = any(
            c.kind is ChangeKind.CONFERENCE_ADDED
            and (conference := self._roster.conference(c.conference_sid)) is not None
            and self.follows(conference)
            for c in changes
        )
        self._follow_live_call(appeared)
        self._note_endings(changes)
        self.controller.note.on_changes(changes, self._name_or_someone)
        self._repaint_host_marks(changes)
        if any(c.conference_sid == self.conference_sid for c in changes):
            self._refresh_header()
            self._captions_follow()  # someone joined: their lines belong to the pane

    def _name_or_someone(self, conference_sid: str, call_sid: str) -> str:
        return self._name_of(conference_sid, call_sid) or "someone"

    def _repaint_host_marks(self, changes: list[Change]) -> None:
        """The coach's callback (coaching confirmed or ended) changes the coached tile's mark."""
        conf, moderator = self.conference_sid, self.moderator
        if conf is None or moderator is None:
            return
        coaching = moderator.coaching(conf)
        if coaching is not None or any(c.kind is ChangeKind.PARTICIPANT_UPDATED for c in changes):
            # no host call: nobody is marked (a conference's own change has no call SID, and
            # matching None repainted every tile at every callback)
            marked = {moderator.me(conf), *(coaching or ())} - {None}
            if any(c.conference_sid == conf and c.call_sid in marked for c in changes):
                self.participants.refresh_all()

    def _note_endings(self, changes: list[Change]) -> None:
        """An error from a call that has since ended is stale: it must not come back."""
        for sid in {c.conference_sid for c in changes} - self._ended:
            conference = self._roster.conference(sid)
            if conference is not None and not conference.status.live:
                self._ended.add(sid)
                self.status.clear_error()

    def _on_events(self, events: list[ConferenceEvent]) -> None:
        """A batch of callbacks (the bridge delivers at most about 60 a second)."""
        self.status.callback_received(self._clock())
        # each caller's name read once a batch (the roster does not change while a batch is
        # applied): a guest muted, speaking and done in one batch is three lines, one name
        names: dict[tuple[str, str], str | None] = {}

        def name_of(conference_sid: str, call_sid: str) -> str | None:
            key = (conference_sid, call_sid)
            if key not in names:
                names[key] = self._name_of(conference_sid, call_sid)
            return names[key]

        self.log_model.queue([entry_for_event(event, name_of) for event in events])

    def _name_of(self, conference_sid: str, call_sid: str) -> str | None:
        participant = self._roster.participant(conference_sid, call_sid)
        return participant.display_name if participant else None

    def tick(self) -> None:
        """The once-a-second refresh: the status bar, the header's speaker time, Twilio's state."""
        self.status.refresh()
        self._refresh_header()  # how long the speaker has been speaking
        if self.moderator is not None:
            self.status.set_twilio_state(self.moderator.connection_state)
        else:
            self.status.set_twilio_state(TwilioStatus(ConnectionState.NOT_CONFIGURED))

    # ---- conference picker -----------------------------------------------------------------

    def _follow_live_call(self, appeared: bool) -> None:
        """Show the newest live conference when the one shown has ended (a journal's call that
        a reconcile closes) or a new one `appeared`, but never move the host off a live
        conference they picked, nor off an ended one they are reading while no call appears."""
        current = self._current_conference()
        if current is not None and (current.status.live or self._host_picked) and not appeared:
            return
        if current is not None and current.status.live and self._host_picked:
            return
        row = self.conferences.preferred_row(self.follows)
        target = self.conferences.conference(row)
        if target is None or target.sid == self.conference_sid:
            return
        if current is None or (target.status.live and self.follows(target)):
            self._select_row(row)

    def _select_row(self, row: int) -> None:
        self._selecting = True
        try:
            self.picker.selectionModel().setCurrentIndex(
                self.conferences.index(row), QItemSelectionModel.SelectionFlag.ClearAndSelect
            )
        finally:
            self._selecting = False

    def _pick(self, row: int) -> None:
        self._host_picked = not self._selecting
        conference = self.conferences.conference(row)
        sid = conference.sid if conference else None
        self.participants.set_conference(sid)
        self.controller.conference_sid = sid
        self.conference_shown.emit(sid)
        if self.participants.rowCount():
            self.grid.setCurrentIndex(self.participants.index(0))
        self._refresh_header()

    def _host_changed(self) -> None:
        self.participants.refresh_all()
        self._refresh_header()  # an end or a dial-out in flight (the moderator's in_flight)

    def _host_actions(self, live: bool) -> None:
        """Stop whispering is offered only while there is a whisper (or your own call) to stop."""
        moderator, sid = self.moderator, self.conference_sid
        mine = moderator is not None and sid is not None and moderator.me(sid) is not None
        whispering = moderator is not None and sid is not None and moderator.coaching(sid)
        self.window_actions.stop_whisper.setEnabled(live and bool(mine or whispering))

    def _current_conference(self) -> Conference | None:
        sid = self.conference_sid
        return self._roster.conference(sid) if sid else None

    def _refresh_header(self) -> None:
        conference = self._current_conference()
        live = conference is not None and conference.status.live
        # an ended one is told from its summary: showing yesterday's call folds nothing
        everyone = self._roster.participants(conference.sid) if conference and live else []
        # who took part is told of an ended call only (counting a live one's took a pass over
        # everyone at every batch)
        took = self._roster.took_part(conference.sid) if conference and not live else None
        self.window_actions.set_live(live)
        self._host_actions(live)
        speaking = self.insights.speaking(conference.sid) if conference and live else ""
        moderator = self.moderator
        flying = moderator.in_flight(conference.sid) if moderator and conference else None
        self.header.show_conference(conference, everyone, speaking, took, flying)
        self.grid.set_empty_text(empty_grid_text(conference, everyone, took))

    # ---- participant menu ------------------------------------------------------------------

    def build_menu(self, call_sid: str) -> QMenu:
        """The menu for one tile (built fresh: labels follow the current state)."""
        sid = self.conference_sid
        participant = self._roster.participant(sid, call_sid) if sid else None
        menu = participant_menu(self, participant, self.controller)
        if participant is not None and self.menu_hooks:
            # the hooks' entries go above "Remove from call…", which stays last
            *_, separator, remove = menu.actions()
            menu.removeAction(separator)
            menu.removeAction(remove)
            for hook in self.menu_hooks:
                hook(menu, participant)
            menu.addAction(separator)
            menu.addAction(remove)
        return menu

    def _show_menu(self, call_sid: str, pos: QPoint) -> None:
        menu = self.build_menu(call_sid)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(pos)  # not exec(): the asyncio loop keeps running while it is open

    # ---- settings --------------------------------------------------------------------------

    def open_settings(self) -> None:
        dialog = SettingsDialog(
            self.settings, self._read_secrets(), live_callback_url=self._listening, parent=self
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.settings_edited.emit(dialog.edit()))
        dialog.open()  # window-modal without a nested event loop

    def current_tile_row(self) -> int:
        index = self.grid.currentIndex()
        return index.row() if index.isValid() else -1
