"""*Copy invitation*: the number, and the PIN only while the host typed it this session."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QGuiApplication

from moderator.control.door_service import DoorControl
from moderator.domain.invitation import invitation_text
from moderator.messages import Messages
from moderator.store.journal import Journal
from moderator.ui.door.door_ui import DoorUi
from tests.forms import call_sid

from .test_door_ui import (  # noqa: F401 - fixtures
    door_addresses,
    door_journal,
    door_ui,
    no_credentials,
    service,
    service_messages,
)

NUMBER = "+12025550199"


def test_the_text_with_and_without_a_pin() -> None:
    plain = invitation_text("TeamMeeting", NUMBER, None, pin_set=False)
    assert plain == "Join “TeamMeeting” by phone.\nCall +12025550199."
    with_pin = invitation_text("TeamMeeting", NUMBER, "2468", pin_set=True)
    assert with_pin.endswith("key the PIN 2468 and then #.")
    hashed_only = invitation_text("TeamMeeting", NUMBER, None, pin_set=True)
    assert "ask the host" in hashed_only and "2468" not in hashed_only


def test_copy_invitation_without_a_pin(qtbot: Any, door_ui: DoorUi) -> None:  # noqa: F811
    door_ui.dial_in_number = lambda: NUMBER
    door_ui.invite_action.trigger()
    text = QGuiApplication.clipboard().text()
    assert NUMBER in text and "PIN" not in text


def test_copy_invitation_with_the_pin_set_now_and_never_in_the_journal(
    qtbot: Any,
    door_ui: DoorUi,  # noqa: F811
    door_journal: Journal,  # noqa: F811
) -> None:
    door_ui.dial_in_number = lambda: NUMBER
    door_ui.ask_pin = lambda _is_set: "2468"
    door_ui.change_pin()
    door_ui.copy_invitation()
    assert "key the PIN 2468" in QGuiApplication.clipboard().text()
    door_journal.flush()
    rows = [(a.kind, dict(a.params)) for a in door_journal.actions()]
    assert ("pin-set" in [kind for kind, _ in rows]) and "2468" not in repr(rows)


def test_a_pin_known_only_as_its_hash_is_not_in_the_invitation(
    qtbot: Any,
    door_ui: DoorUi,  # noqa: F811
    service: DoorControl,  # noqa: F811
    door_journal: Journal,  # noqa: F811
) -> None:
    service.remember_pin("1111")  # typed at start, but the door's PIN is another one
    door_ui.ask_pin = lambda _is_set: "2468"
    door_ui.change_pin()
    fresh = DoorControl(
        service._lifecycle, service.door, door_addresses
    )  # a restart: the door's hash came back from the journal, the clear PIN did not
    fresh.remember_pin("1111")
    assert fresh.known_pin() is None
    door_ui.service = fresh
    door_ui.dial_in_number = lambda: NUMBER
    door_ui.copy_invitation()
    text = QGuiApplication.clipboard().text()
    assert "ask the host" in text and "2468" not in text and "1111" not in text


def test_send_to_waiting_room_is_in_a_meeting_tile_menu(
    qtbot: Any,
    door_ui: DoorUi,  # noqa: F811
    service_messages: Messages,  # noqa: F811
) -> None:
    told: list[str] = []
    service_messages.connect(lambda _level, text: told.append(text))
    window = door_ui.window
    menu = window.build_menu(call_sid("Charles"))
    entries = {a.text(): a for a in menu.actions()}
    assert "Send to waiting room" in entries
    assert [a.text() for a in menu.actions() if a.text()][-1] == "Remove from call…"
    entries["Send to waiting room"].trigger()  # no credentials here: it says so, sends nothing
    qtbot.waitUntil(lambda: bool(told))
    assert told == [
        "Could not send Charles to the waiting room: no Twilio credentials are configured"
    ]


def mnemonic(text: str) -> str | None:
    """The letter Alt+<letter> picks in a menu ('Stop w&hispering' → 'h'); '&&' is a plain &."""
    at = 0
    while (at := text.find("&", at)) >= 0 and at + 1 < len(text):
        if text[at + 1] != "&":
            return text[at + 1].lower()
        at += 2
    return None


def test_each_menu_letter_picks_one_entry(door_ui: DoorUi) -> None:  # noqa: F811
    """Alt+M, W once only highlighted 'Stop whispering' (the Meeting menu's 'Waiting room' has
    the same letter, so W never ran either); C (Call me, Copy invitation) and N (Announce…,
    End conference…) clashed too. In every menu of the bar, a letter picks one entry."""
    for menu_action in door_ui.window.menuBar().actions():
        menu = menu_action.menu()
        assert menu is not None
        letters = [mnemonic(a.text()) for a in menu.actions() if a.isVisible() and a.text()]
        letters = [letter for letter in letters if letter]
        clashes = {letter for letter in letters if letters.count(letter) > 1}
        assert not clashes, (menu_action.text(), [a.text() for a in menu.actions()])
