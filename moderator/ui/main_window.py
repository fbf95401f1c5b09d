"""The main window: conference picker, participant tiles, event log, toolbar and status bar."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QByteArray,
    QItemSelectionModel,
    QPoint,
    QSettings,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QHideEvent,
    QKeySequence,
    QResizeEvent,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QListView,
    QMainWindow,
    QMenu,
    QSplitter,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from moderator import APP_NAME, credentials
from moderator.control.status import ConnectionState, TwilioStatus
from moderator.domain.clock import utc_now
from moderator.domain.events import ConferenceEvent
from moderator.domain.roster import Change, ChangeKind, Conference
from moderator.settings import Settings
from moderator.ui import icons, theme
from moderator.ui.bridge import RosterBridge
from moderator.ui.conference_model import ConferenceModel, headline
from moderator.ui.event_log_model import EventLogModel, LogEntry, entry_for_event
from moderator.ui.event_log_pane import EventLogPane
from moderator.ui.moderation import ModerationController
from moderator.ui.participant_grid import ParticipantGrid
from moderator.ui.participant_model import ParticipantModel
from moderator.ui.settings_dialog import Secrets, SettingsDialog
from moderator.ui.settings_store import save_settings
from moderator.ui.status_bar import ConsoleStatusBar

if TYPE_CHECKING:
    from moderator.control import Moderator

log = logging.getLogger(__name__)


LAYOUT_GROUP = "window"  # QSettings group of the window's geometry and splitter positions


class MainWindow(QMainWindow):
    """What the host sees during a call. Views only: actions go through ModerationController.

    The app calls set_listening() and (optionally) set_twilio_state(); closing the window emits
    close_requested and leaves the shutdown to the app. settings_changed(Settings) is emitted
    after the host saves the settings dialog (settings and keyring already written).
    With a settings_store, the window's geometry and splitter positions are saved when it is
    closed or hidden (save_layout) and restored when the next one is built.
    """

    close_requested = Signal()
    settings_changed = Signal(object)  # Settings

    def __init__(
        self,
        bridge: RosterBridge,
        moderator: Moderator | None = None,
        settings: Settings | None = None,
        *,
        settings_store: QSettings | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        super().__init__()
        theme.ensure_theme()
        self.setWindowTitle(APP_NAME)
        self.setWindowIcon(icons.app_icon())
        self.resize(1280, 800)
        self._bridge = bridge
        self._roster = bridge.roster
        self._clock = clock
        self.settings = settings or Settings()
        self._settings_store = settings_store
        self.moderator = moderator
        self._shown_once = False
        self._listening: str | None = None  # the running server's statusCallback URL
        self._labelled_toolbar_width: int | None = None

        # ---- models ----
        self.conferences = ConferenceModel(self._roster, self)
        self.participants = ParticipantModel(self._roster, self)
        self.log_model = EventLogModel(parent=self)
        self.controller = ModerationController(self._roster, moderator, self)

        # ---- views ----
        self.picker = QListView()
        self.picker.setObjectName("conferences")
        self.picker.setModel(self.conferences)
        self.picker.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.picker.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.grid = ParticipantGrid(clock=clock)
        self.grid.setModel(self.participants)
        self.log_pane = EventLogPane(self.log_model)
        self.title = QLabel("No conference yet")
        self.title.setObjectName("conferenceTitle")
        self.subtitle = QLabel("Waiting for Twilio's first callback")
        self.subtitle.setObjectName("conferenceSubtitle")
        self.status = ConsoleStatusBar(self, clock)
        self.setStatusBar(self.status)
        self._build_layout()
        self._build_actions()
        self.restore_layout()

        # ---- wiring ----
        bridge.changed.connect(self._on_changes)
        bridge.event_received.connect(self._on_event)
        bridge.message.connect(self.show_message)
        self.controller.message.connect(self.show_message)
        selection = self.picker.selectionModel()
        selection.currentChanged.connect(lambda current, _previous: self._pick(current.row()))
        self.grid.toggle_mute_requested.connect(self.controller.toggle_mute)
        self.grid.toggle_hold_requested.connect(self.controller.toggle_hold)
        self.grid.kick_requested.connect(self.controller.kick)
        self.grid.menu_requested.connect(self._show_menu)
        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self._on_tick)
        self._tick.start()
        if self.conferences.rowCount():
            self._select_row(self._preferred_row())
        self._refresh_header()
        self._on_tick()

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
        centre_layout.addWidget(self.title)
        centre_layout.addWidget(self.subtitle)
        centre_layout.addWidget(self.grid, 1)
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

    def _action(
        self,
        text: str,
        icon_name: str,
        slot: Callable[[], object],
        shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
        tip: str = "",
    ) -> QAction:
        action = QAction(icons.icon(icon_name), text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
            # Shortcuts work wherever focus is in the window (grid, log, picker).
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        shown = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        action.setToolTip(f"{tip or text} ({shown})" if shown else tip or text)
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        c = self.controller
        self.mute_all_action = self._action(
            "Mute all but presenter", "mic-off", c.mute_all_but_presenter, "Ctrl+M",
            "Mute everyone except the presenter",
        )  # fmt: skip
        self.mute_everyone_action = self._action(
            "Mute everyone", "mic-off-all", c.mute_everyone, "Ctrl+Shift+M",
            "Mute everyone, the presenter too",
        )  # fmt: skip
        self.unmute_all_action = self._action("Unmute all", "mic", c.unmute_all, "Ctrl+U")
        self.dial_out_action = self._action(
            "Add participant", "person-add", c.dial_out, "Ctrl+D", "Dial a number into the call"
        )
        self.end_action = self._action(
            "End conference", "call-end", c.end_conference, None, "End the call for everyone"
        )
        self.reconcile_action = self._action(
            "Refresh", "refresh", c.reconcile, "F5", "Ask Twilio for the current state"
        )
        self.settings_action = self._action(
            "Settings", "settings", self.open_settings, "Ctrl+,", "Account, server, rules"
        )
        self.toolbar = toolbar = QToolBar("Moderation")
        toolbar.setObjectName("moderation")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for action in (self.mute_all_action, self.mute_everyone_action, self.unmute_all_action):
            toolbar.addAction(action)
        toolbar.addSeparator()
        toolbar.addAction(self.dial_out_action)
        toolbar.addSeparator()
        toolbar.addAction(self.end_action)
        end_button = toolbar.widgetForAction(self.end_action)
        end_button.setObjectName("danger")
        spacer = QWidget()
        spacer.setSizePolicy(spacer.sizePolicy().Policy.Expanding, spacer.sizePolicy().Policy.Fixed)
        toolbar.addWidget(spacer)
        toolbar.addAction(self.reconcile_action)
        toolbar.addAction(self.settings_action)
        self.addToolBar(toolbar)
        self.end_action.setIcon(icons.icon("call-end", theme.ERROR))

    # ---- the app's API ---------------------------------------------------------------------

    def set_listening(self, text: str) -> None:
        """Where the webhook server listens (shown in the status bar and How to connect)."""
        self._listening = text
        self.status.set_listening(text)

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

    def select_conference(self, conference_sid: str) -> None:
        row = self.conferences.row_of(conference_sid)
        if row >= 0:
            self._select_row(row)

    @property
    def conference_sid(self) -> str | None:
        return self.participants.conference_sid

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            self.grid.setFocus()  # Space/H/Delete work at once, without clicking the grid first

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_toolbar()

    def _fit_toolbar(self) -> None:
        """Icons only when the labelled buttons do not fit: otherwise End conference, Refresh
        and Settings slide into the toolbar's barely visible overflow menu."""
        labelled = Qt.ToolButtonStyle.ToolButtonTextBesideIcon
        if self._labelled_toolbar_width is None:
            current = self.toolbar.toolButtonStyle()
            self.toolbar.setToolButtonStyle(labelled)
            self._labelled_toolbar_width = self.toolbar.sizeHint().width()
            self.toolbar.setToolButtonStyle(current)
        fits = self.width() >= self._labelled_toolbar_width
        style = labelled if fits else Qt.ToolButtonStyle.ToolButtonIconOnly
        if self.toolbar.toolButtonStyle() != style:
            self.toolbar.setToolButtonStyle(style)

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
        """Write geometry and splitter positions to the settings store (none: demo, no-op)."""
        store = self._settings_store
        if store is None:
            return
        store.beginGroup(LAYOUT_GROUP)
        try:
            store.setValue("geometry", self.saveGeometry())
            store.setValue("splitter", self.splitter.saveState())
            store.setValue("logSplitter", self.log_splitter.saveState())
        finally:
            store.endGroup()
        store.sync()

    def restore_layout(self) -> None:
        """Bring back what save_layout wrote; anything missing or unreadable keeps the default."""
        store = self._settings_store
        if store is None:
            return
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
            value = saved[key]
            if isinstance(value, QByteArray) and not value.isEmpty() and not restore(value):
                log.warning("ignoring an unreadable saved window layout (%s)", key)

    # ---- roster and callbacks --------------------------------------------------------------

    def _on_changes(self, changes: list[Change]) -> None:
        self.conferences.on_changes(changes)
        self.participants.on_changes(changes)
        added = [c.conference_sid for c in changes if c.kind is ChangeKind.CONFERENCE_ADDED]
        current = self._current_conference()
        if added and (current is None or not current.status.live):
            self.select_conference(added[-1])  # follow a new call when nothing live is shown
        if any(c.conference_sid == self.conference_sid for c in changes):
            self._refresh_header()

    def _on_event(self, event: ConferenceEvent) -> None:
        self.status.callback_received(self._clock())
        self.log_model.append(entry_for_event(event, self._name_of))

    def _name_of(self, conference_sid: str, call_sid: str) -> str | None:
        participant = self._roster.participant(conference_sid, call_sid)
        return participant.display_name if participant else None

    def _on_tick(self) -> None:
        self.status.refresh()
        if self.moderator is not None:
            self.status.set_twilio_state(self.moderator.connection_state)
        else:
            self.status.set_twilio_state(TwilioStatus(ConnectionState.NOT_CONFIGURED))

    # ---- conference picker -----------------------------------------------------------------

    def _preferred_row(self) -> int:
        """The newest live conference, else the newest one."""
        rows = range(self.conferences.rowCount() - 1, -1, -1)
        for row in rows:
            conference = self.conferences.conference(row)
            if conference is not None and conference.status.live:
                return row
        return self.conferences.rowCount() - 1

    def _select_row(self, row: int) -> None:
        self.picker.selectionModel().setCurrentIndex(
            self.conferences.index(row), QItemSelectionModel.SelectionFlag.ClearAndSelect
        )

    def _pick(self, row: int) -> None:
        conference = self.conferences.conference(row)
        sid = conference.sid if conference else None
        self.participants.set_conference(sid)
        self.controller.conference_sid = sid
        if self.participants.rowCount():
            self.grid.setCurrentIndex(self.participants.index(0))
        self._refresh_header()

    def _current_conference(self) -> Conference | None:
        sid = self.conference_sid
        return self._roster.conference(sid) if sid else None

    def _refresh_header(self) -> None:
        conference = self._current_conference()
        live = conference is not None and conference.status.live
        for action in (
            self.mute_all_action,
            self.mute_everyone_action,
            self.unmute_all_action,
            self.dial_out_action,
            self.end_action,
        ):
            action.setEnabled(live)
        if conference is None:
            self.title.setText("No conference yet")
            self.subtitle.setText(
                "Waiting for Twilio's first callback — see Settings, How to connect"
            )
            return
        self.title.setText(conference.friendly_name or conference.sid)
        present = self._roster.participants(conference.sid, present_only=True)
        parts = [headline(conference)]
        muted = sum(1 for p in present if p.muted)
        if muted:
            parts.append(f"{muted} muted")
        held = sum(1 for p in present if p.hold)
        if held:
            parts.append(f"{held} on hold")
        speaking = [p.display_name for p in present if p.speaking]
        if speaking:
            parts.append("speaking: " + ", ".join(speaking[:3]))
        if conference.started_at:
            parts.append(f"started {conference.started_at.astimezone():%H:%M}")
        self.subtitle.setText("  ·  ".join(parts))

    # ---- participant menu ------------------------------------------------------------------

    def build_menu(self, call_sid: str) -> QMenu:
        """The right-click menu for one tile (built fresh: labels follow the current state)."""
        menu = QMenu(self)
        sid = self.conference_sid
        participant = self._roster.participant(sid, call_sid) if sid else None
        if participant is None:
            return menu
        c = self.controller
        title = menu.addAction(participant.display_name)
        title.setEnabled(False)
        menu.addSeparator()
        if participant.muted:
            menu.addAction(icons.icon("mic"), "Unmute", lambda: c.unmute(call_sid))
        else:
            menu.addAction(icons.icon("mic-off"), "Mute", lambda: c.mute(call_sid))
        if participant.hold:
            menu.addAction(icons.icon("play"), "Take off hold", lambda: c.unhold(call_sid))
        else:
            menu.addAction(icons.icon("pause"), "Hold", lambda: c.hold(call_sid))
        if participant.presenter and not c.chose_presenter(call_sid):
            # Chosen automatically (runs the conference): there is nothing to undo.
            auto = menu.addAction(icons.icon("star"), "Presenter (runs the conference)")
            auto.setEnabled(False)
        else:
            presenter = "Stop being presenter" if participant.presenter else "Make presenter"
            menu.addAction(icons.icon("star"), presenter, lambda: c.toggle_presenter(call_sid))
        copy = menu.addAction(icons.icon("copy"), "Copy number", lambda: c.copy_number(call_sid))
        if not participant.number:
            copy.setText("Copy call SID")
        menu.addSeparator()
        menu.addAction(icons.icon("person-remove"), "Remove from call…", lambda: c.kick(call_sid))
        return menu

    def _show_menu(self, call_sid: str, pos: QPoint) -> None:
        menu = self.build_menu(call_sid)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(pos)  # not exec(): the asyncio loop keeps running while it is open

    # ---- settings --------------------------------------------------------------------------

    def open_settings(self) -> None:
        secrets = Secrets(
            credentials.read_secret(credentials.AUTH_TOKEN_ENTRY) or "",
            credentials.read_secret(credentials.API_SECRET_ENTRY) or "",
        )
        dialog = SettingsDialog(
            self.settings, secrets, live_callback_url=self._listening, parent=self
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.apply_settings(*dialog.values(), dialog))
        dialog.open()  # window-modal without a nested event loop

    def apply_settings(
        self, settings: Settings, secrets: Secrets, dialog: SettingsDialog | None = None
    ) -> None:
        """Persist settings (QSettings) and secrets (keyring), then hand them on.

        Without a settings_store (demo mode) nothing is saved and the credentials are left
        alone: the session's settings change, the host's saved ones and keyring do not.
        """
        self.settings = settings
        if self.moderator is not None:
            self.moderator.update_settings(settings)
        if self._settings_store is not None:
            save_settings(self._settings_store, settings)
            if self._store_secrets(secrets, dialog) and self.moderator is not None:
                self.moderator.update_credentials(
                    credentials.load(settings.account_sid, settings.api_key)
                )
        self.settings_changed.emit(settings)

    def _store_secrets(self, secrets: Secrets, dialog: SettingsDialog | None) -> bool:
        """Write the secrets the host could edit to the keyring; False (and say why) on failure."""
        token_editable, secret_editable = dialog.secrets_editable() if dialog else (True, True)
        try:
            if token_editable:
                credentials.write_secret(credentials.AUTH_TOKEN_ENTRY, secrets.auth_token)
            if secret_editable:
                credentials.write_secret(credentials.API_SECRET_ENTRY, secrets.api_secret)
        except credentials.SecretStoreError as exc:
            self.show_message("error", str(exc))
            return False
        if token_editable and secrets.auth_token:
            self.show_message("info", credentials.where_token_went())
        return True

    def current_tile_row(self) -> int:
        index = self.grid.currentIndex()
        return index.row() if index.isValid() else -1
