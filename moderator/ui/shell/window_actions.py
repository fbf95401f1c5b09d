"""The main window's actions: one QAction each, shared by the toolbar, the menu bar and keys."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QMenuBar, QToolBar, QToolButton, QWidget

from moderator.ui.dialogs import DetailsDialog
from moderator.ui.grid.moderation import ModerationController
from moderator.ui.look import icons, theme

Shortcut = QKeySequence | QKeySequence.StandardKey | str | None

# What the keys do on the tile the host chose (the grid handles them itself)
TILE_KEYS = (
    ("Arrow keys", "Choose a tile"),
    ("Space", "Mute or unmute the chosen person"),
    ("H", "Hold or resume the chosen person"),
    ("W", "Whisper to the chosen person (only they hear you); again: stop whispering"),
    ("Delete", "Remove the chosen person from the call (asks first)"),
    ("Menu, Shift+F10", "More for the chosen person: rename, move to a room…"),
    ("Tab", "Next part of the window (tiles, event log, conferences)"),
    ("Esc", "Clear the search (Ctrl+F) and show every tile again"),
)


def quit_shortcut() -> QKeySequence:
    """The platform's Quit keys (Cmd+Q, Ctrl+Q); Ctrl+Q where the platform names none."""
    bindings = QKeySequence.keyBindings(QKeySequence.StandardKey.Quit)
    return bindings[0] if bindings else QKeySequence("Ctrl+Q")


class WindowActions(QObject):
    """Every action of the window, built once; `live` are those that need a running conference.

    Shortcuts are window-wide, so they work wherever focus is (grid, log, picker); every
    action is also in the menu bar, so each is reachable from the keyboard (Alt + mnemonic).
    """

    def __init__(
        self,
        window: QMainWindow,
        controller: ModerationController,
        *,
        open_settings: Callable[[], object],
        quit_app: Callable[[], object],
        about: Callable[[], object],
        find: Callable[[], object] = lambda: None,
    ) -> None:
        super().__init__(window)
        self._window = window
        self._labelled_width: int | None = None
        c = controller
        self.mute_all = self._action(
            "&Mute all but presenter", "mic-off", c.mute_all_but_presenter, "Ctrl+M",
            "Mute everyone except the presenter",
        )  # fmt: skip
        self.mute_everyone = self._action(
            "Mute &everyone", "mic-off-all", c.mute_everyone, "Ctrl+Shift+M",
            "Mute everyone, the presenter too",
        )  # fmt: skip
        self.unmute_all = self._action("&Unmute all", "mic", c.unmute_all, "Ctrl+U")
        self.dial_out = self._action(
            "&Add participant…", "person-add", c.dial_out, "Ctrl+D", "Dial a number into the call"
        )
        self.announce = self._action(
            "A&nnounce…", "campaign", c.announce_all, "Ctrl+Shift+A",
            "Say something to everyone in the call (read aloud)",
        )  # fmt: skip
        self.call_me = self._action(
            "&Call me", "person-add", c.call_me, None,
            "Dial your phone number (Settings) into the call and mark it as you",
        )  # fmt: skip
        self.stop_whisper = self._action(
            "Stop whisperin&g", "mic-off", c.stop_whisper, None, "Everyone hears you again"
        )
        self.end = self._action(
            "En&d conference…", "call-end", c.end_conference, None, "End the call for everyone"
        )
        self.end.setIcon(icons.icon("call-end", theme.ERROR))
        self.reconcile = self._action(
            "Refres&h", "refresh", c.reconcile, "F5", "Ask Twilio for the current state"
        )
        self.settings = self._action(
            "&Settings…", "settings", open_settings, "Ctrl+,", "Account, server, rules"
        )
        self.quit = self._action("&Quit", "", quit_app, quit_shortcut(), "Quit the console")
        self.quit.setMenuRole(QAction.MenuRole.QuitRole)
        self.shortcuts = self._action(
            "&Keyboard shortcuts", "help", self.show_shortcuts, "F1", "Every key the console knows"
        )
        self.find = self._action(
            "&Find a person", "", find, QKeySequence.StandardKey.Find,
            "Show only the tiles whose name or number has what you type",
        )  # fmt: skip
        self.about = self._action("&About", "app", about, None, "Version and licence")
        self.about.setMenuRole(QAction.MenuRole.AboutRole)
        self.live = (
            self.mute_all,
            self.mute_everyone,
            self.unmute_all,
            self.dial_out,
            self.announce,
            self.call_me,
            self.stop_whisper,
            self.end,
        )
        self.toolbar = self._toolbar()
        self._style_toolbar(self.toolbar.toolButtonStyle())

    def _action(
        self,
        text: str,
        icon_name: str,
        slot: Callable[[], object],
        shortcut: Shortcut,
        tip: str = "",
    ) -> QAction:
        action = QAction(text, self._window)
        if icon_name:
            action.setIcon(icons.app_icon() if icon_name == "app" else icons.icon(icon_name))
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        # Toolbar buttons show the text without the mnemonic and an ellipsis.
        action.setIconText(text.replace("&", "").removesuffix("…"))
        plain = tip or action.iconText()
        shown = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        action.setToolTip(f"{plain} ({shown})" if shown else plain)
        action.triggered.connect(lambda _checked=False: slot())
        self._window.addAction(action)  # shortcuts work even while the menu bar is hidden
        return action

    def _toolbar(self) -> QToolBar:
        toolbar = QToolBar("Moderation")
        toolbar.setObjectName("moderation")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for action in (self.mute_all, self.mute_everyone, self.unmute_all):
            toolbar.addAction(action)
        toolbar.addSeparator()
        toolbar.addAction(self.dial_out)
        toolbar.addAction(self.announce)
        toolbar.addSeparator()
        toolbar.addAction(self.end)
        toolbar.widgetForAction(self.end).setObjectName("danger")
        spacer = QWidget()
        spacer.setSizePolicy(spacer.sizePolicy().Policy.Expanding, spacer.sizePolicy().Policy.Fixed)
        toolbar.addWidget(spacer)
        toolbar.addAction(self.reconcile)
        toolbar.addAction(self.settings)
        return toolbar

    def fill_menu_bar(self, bar: QMenuBar, views: Sequence[QAction] = ()) -> None:
        """File (settings, quit), Meeting (every moderation action, then `views` of the
        meeting such as its timeline), Help (about)."""
        file_menu = bar.addMenu("&File")
        file_menu.addAction(self.settings)
        file_menu.addSeparator()
        file_menu.addAction(self.quit)
        meeting = bar.addMenu("&Meeting")
        self.meeting_menu: QMenu = meeting
        for action in (self.mute_all, self.mute_everyone, self.unmute_all):
            meeting.addAction(action)
        meeting.addSeparator()
        meeting.addAction(self.dial_out)
        meeting.addAction(self.announce)
        meeting.addAction(self.call_me)
        meeting.addAction(self.stop_whisper)
        meeting.addAction(self.find)
        meeting.addAction(self.reconcile)
        meeting.addSeparator()
        if views:
            meeting.addActions(list(views))
            meeting.addSeparator()
        meeting.addAction(self.end)
        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self.shortcuts)
        help_menu.addAction(self.about)

    def add_meeting_submenu(self, menu: QMenu) -> None:
        """A room's own menu (e.g. the recording's) in the Meeting menu, above End conference."""
        self.meeting_menu.insertMenu(self.end, menu)
        self.meeting_menu.insertSeparator(self.end)

    def shortcut_text(self) -> str:
        """Every key of the window: the tile keys, then each action's shortcut (the door's and
        the timeline's too, as they are the window's actions), one per line."""
        lines = [f"{key} — {what}" for key, what in TILE_KEYS]
        seen: set[tuple[str, str]] = set()
        for action in self._window.actions():
            keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            what = action.text().replace("&", "").removesuffix("…")
            if keys and what and (keys, what) not in seen:
                seen.add((keys, what))
                lines.append(f"{keys} — {what}")
        return "\n".join(lines)

    def show_shortcuts(self) -> None:
        dialog = DetailsDialog("Keyboard shortcuts", self.shortcut_text(), self._window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def set_live(self, live: bool) -> None:
        """Conference actions are enabled only while the shown conference runs."""
        for action in self.live:
            action.setEnabled(live)

    def toolbar_changed(self) -> None:
        """Buttons were added or removed: measure the labelled toolbar again."""
        self._labelled_width = None

    def fit_toolbar(self, width: int) -> None:
        """Icons only when the labelled buttons do not fit: otherwise End conference, Refresh
        and Settings slide into the toolbar's barely visible overflow menu. Announce, Refresh
        and Settings are icons always (Ctrl+Shift+A, F5, Ctrl+, and the menus name them), so the
        labels of the moderation buttons fit a 1280 px laptop screen."""
        labelled = Qt.ToolButtonStyle.ToolButtonTextBesideIcon
        toolbar = self.toolbar
        if self._labelled_width is None:
            current = toolbar.toolButtonStyle()
            self._style_toolbar(labelled)
            self._labelled_width = toolbar.sizeHint().width()
            self._style_toolbar(current)
        style = labelled if width >= self._labelled_width else Qt.ToolButtonStyle.ToolButtonIconOnly
        if toolbar.toolButtonStyle() != style:
            self._style_toolbar(style)

    def _style_toolbar(self, style: Qt.ToolButtonStyle) -> None:
        self.toolbar.setToolButtonStyle(style)  # restyles every button, these two included
        for action in (self.announce, self.reconcile, self.settings):
            button = self.toolbar.widgetForAction(action)
            if isinstance(button, QToolButton):
                button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
