"""The menu for one tile (right click, the Menu key or Shift+F10): what can be done to them."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QWidget

from moderator.domain.roster import Participant
from moderator.domain.rules import intends_hold, intends_muted
from moderator.ui.grid.moderation import ModerationController
from moderator.ui.look import icons
from moderator.ui.plain_text import menu_text


def participant_menu(
    parent: QWidget, participant: Participant | None, controller: ModerationController
) -> QMenu:
    """Built fresh each time, so its labels follow the participant's current state."""
    menu = QMenu(parent)
    if participant is None:
        return menu
    c = controller
    call_sid = participant.call_sid
    title = menu.addAction(menu_text(participant.display_name))
    title.setEnabled(False)
    menu.addSeparator()
    # What the tile shows, a pending mark included: the same choice Space and H make.
    if intends_muted(participant):
        mute = menu.addAction(icons.icon("mic"), "Unmute", lambda: c.unmute(call_sid))
    else:
        mute = menu.addAction(icons.icon("mic-off"), "Mute", lambda: c.mute(call_sid))
    show_key(mute, "Space")
    if intends_hold(participant):
        hold = menu.addAction(icons.icon("play"), "Take off hold", lambda: c.unhold(call_sid))
    else:
        hold = menu.addAction(icons.icon("pause"), "Hold", lambda: c.hold(call_sid))
    show_key(hold, "H")
    if participant.presenter and not c.chose_presenter(call_sid):
        # Chosen automatically (runs the conference): there is nothing to undo.
        auto = menu.addAction(icons.icon("star"), "Presenter (runs the conference)")
        auto.setEnabled(False)
    else:
        presenter = "Stop being presenter" if participant.presenter else "Make presenter"
        menu.addAction(icons.icon("star"), presenter, lambda: c.toggle_presenter(call_sid))
    host = c.moderator
    conf = c.conference_sid
    if host is not None and conf is not None:
        host_entries(menu, participant, c, host.me(conf), host.coaching(conf))
    copy = menu.addAction(icons.icon("copy"), "Copy number", lambda: c.copy_number(call_sid))
    if not participant.number:
        copy.setText("Copy call SID")
    menu.addSeparator()
    remove = icons.icon("person-remove")
    kick = menu.addAction(remove, "Remove from call…", lambda: c.kick(call_sid))
    show_key(kick, "Del")
    return menu


def host_entries(
    menu: QMenu,
    participant: Participant,
    c: ModerationController,
    me: str | None,
    coaching: tuple[str, str] | None,
) -> None:
    """This is me, Whisper to / Stop whispering, Announce to: the host's own entries."""
    call_sid = participant.call_sid
    name = menu_text(participant.display_name)
    if call_sid == me:
        menu.addAction(icons.icon("contacts"), "Not me", lambda: c.toggle_me(call_sid))
    else:
        menu.addAction(icons.icon("contacts"), "This is me", lambda: c.toggle_me(call_sid))
    if coaching is not None and call_sid in coaching:
        stop = menu.addAction(icons.icon("mic-off"), "Stop whispering", c.stop_whisper)
        show_key(stop, "W")
    elif me is not None and call_sid != me:
        whisper = menu.addAction(
            icons.icon("mic"), f"Whisper to {name}", lambda: c.whisper(call_sid)
        )
        whisper.setToolTip(f"Only {participant.display_name} hears you until you stop")
        show_key(whisper, "W")
    menu.addAction(icons.icon("campaign"), f"Announce to {name}…", lambda: c.announce(call_sid))


def show_key(action: QAction, key: str) -> None:
    """Shows the tile's key for this entry, so the menu teaches the keyboard.

    The grid owns the keys; here the shortcut only lives while the menu has focus, where it
    does the same thing to the same person."""
    action.setShortcut(QKeySequence(key))
    action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
    action.setShortcutVisibleInContextMenu(True)
