"""Looks: spin box arrows, icon margins, avatar colours, the app's icons in dialogs, widths."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication, QSpinBox, QStyle, QStyleOptionSpinBox

from moderator.domain.roster import Roster
from moderator.ui.bridge import RosterBridge
from moderator.ui.dialogs import message_box
from moderator.ui.grid.avatar_colours import AvatarSlots, preferred_slot
from moderator.ui.grid.dial_out_dialog import DialOutDialog
from moderator.ui.grid.participant_model import ParticipantModel
from moderator.ui.grid.roles import Role
from moderator.ui.look import icons, theme
from tests.forms import CONFERENCE_SID, form, team_meeting

from ..conftest import Feed


def _light_pixels(image: QImage, x0: int, y0: int, x1: int, y1: int) -> int:
    return sum(
        1
        for y in range(max(0, y0), min(image.height(), y1))
        for x in range(max(0, x0), min(image.width(), x1))
        if QColor(image.pixel(x, y)).lightness() > 150
    )


def test_spin_boxes_show_their_arrows(qtbot: Any, themed: QApplication) -> None:
    box = QSpinBox()
    box.setRange(0, 100)
    box.setValue(50)
    box.resize(200, 30)
    qtbot.addWidget(box)
    box.show()
    qtbot.waitExposed(box)
    image = box.grab().toImage()
    option = QStyleOptionSpinBox()
    box.initStyleOption(option)
    style = box.style()
    for part in (QStyle.SubControl.SC_SpinBoxUp, QStyle.SubControl.SC_SpinBoxDown):
        rect = style.subControlRect(QStyle.ComplexControl.CC_SpinBox, option, part, box)
        assert rect.width() >= 12, part
        drawn = _light_pixels(image, rect.left(), rect.top(), rect.right(), rect.bottom() + 1)
        assert drawn >= 4, f"no arrow drawn in {part}"


def _right_edge(name: str) -> int:
    image = icons.pixmap(name, 24, QColor("#ffffff")).toImage()
    return max(
        x
        for x in range(image.width())
        for y in range(image.height())
        if image.pixelColor(x, y).alpha()
    )


def test_mute_everyone_icon_leaves_room_before_its_label(themed: QApplication) -> None:
    assert _right_edge("mic-off-all") <= 22  # like the other toolbar icons, not at the edge
    assert _right_edge("mic-off-all") <= _right_edge("person-add")


def test_avatar_slots_are_stable_and_distinct() -> None:
    slots = AvatarSlots(10)
    present: list[str] = []
    for name in ("Mary", "Alice", "Bob", "Charles"):
        present.append(name)
        slots.assign(name, present)
    assert len({slots.slot(name) for name in present}) == 4
    assert slots.slot("Mary") == preferred_slot("Mary", 10)  # the first takes its own
    again = AvatarSlots(10)  # another run, same arrivals: the same colours
    for i, name in enumerate(("Mary", "Alice", "Bob", "Charles")):
        again.assign(name, ["Mary", "Alice", "Bob", "Charles"][: i + 1])
    assert [again.slot(n) for n in present] == [slots.slot(n) for n in present]


def test_avatar_slot_moves_only_to_avoid_someone_present() -> None:
    slots = AvatarSlots(3)
    a, b = (
        "p0",
        next(
            k
            for k in (f"p{i}" for i in range(1, 50))
            if preferred_slot(k, 3) == preferred_slot("p0", 3)
        ),
    )
    slots.assign(a, [a])
    slots.assign(b, [a, b])
    assert slots.slot(a) != slots.slot(b)
    slots.assign(a, [b, a])  # a rejoins: keeps its slot, nobody else wears it
    assert slots.slot(a) == preferred_slot(a, 3)


def _colours(roster: Roster) -> dict[str, str]:
    model = ParticipantModel(roster)
    model.set_conference(CONFERENCE_SID)
    return {
        model.index(row).data(): model.index(row).data(Role.AVATAR_COLOUR).name()
        for row in range(model.rowCount())
    }


def test_avatar_colours_come_from_the_name_not_the_call(
    themed: QApplication, roster: Roster, bridge: RosterBridge, feed: Feed
) -> None:
    feed(*team_meeting(), form("participant-join", 8, who="Bob"))  # Bob rejoins
    colours = _colours(roster)
    assert len(set(colours.values())) == len(colours) == 4  # Mary and Alice differ
    # The same people on other calls (other call SIDs): the same colours.
    other = Roster()
    renamed = [
        {**f, "CallSid": "CA" + f["CallSid"][2:][::-1]} if "CallSid" in f else f
        for f in (*team_meeting(), form("participant-join", 8, who="Bob"))
    ]
    from moderator.domain.events import parse_callback
    from tests.forms import START

    for f in renamed:
        other.apply(parse_callback(f, START))
    assert _colours(other) == colours
    assert all(QColor(c) in theme.AVATAR_COLOURS for c in colours.values())


def test_dialogs_use_the_apps_icons(qtbot: Any, themed: QApplication) -> None:
    style = QApplication.style()
    for pixmap, name, colour in (
        (QStyle.StandardPixmap.SP_MessageBoxWarning, "warning", theme.HOLD),
        (QStyle.StandardPixmap.SP_DialogOkButton, "check", theme.TEXT),
        (QStyle.StandardPixmap.SP_DialogCancelButton, "close", theme.TEXT),
    ):
        drawn = style.standardIcon(pixmap).pixmap(24).toImage()
        assert drawn == icons.pixmap(name, 24, colour).toImage(), name
    dialog = DialOutDialog("+15005550006")
    qtbot.addWidget(dialog)
    if not dialog.call_button.icon().isNull():  # buttons have icons on some platforms only
        call = dialog.call_button.icon().pixmap(16).toImage()
        assert call == icons.pixmap("check", 16, theme.TEXT).toImage()
    box = message_box(None, "warning", "End conference", "End it?")
    qtbot.addWidget(box)
    assert box.iconPixmap().toImage() == icons.pixmap("warning", 40, theme.HOLD).toImage()


def test_add_participant_fits_its_placeholders(qtbot: Any, themed: QApplication) -> None:
    dialog = DialOutDialog("+15005550006")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    for field in (dialog.number, dialog.label):
        needed = field.fontMetrics().horizontalAdvance(field.placeholderText())
        assert field.width() >= needed + 16, field.placeholderText()
