"""Custom item-data roles shared by the models and the delegates that paint them."""

from __future__ import annotations

from enum import IntEnum

from PySide6.QtCore import Qt

_USER = int(Qt.ItemDataRole.UserRole)


class Role(IntEnum):
    """Roles beyond Qt's own; values start at Qt.UserRole."""

    PARTICIPANT = _USER + 1  # the domain Participant (frozen dataclass)
    CALL_SID = _USER + 2
    CONFERENCE = _USER + 3  # the domain Conference
    CONFERENCE_SID = _USER + 4
    EVENT_KIND = _USER + 5  # the log entry's kind, for filtering
    LEVEL = _USER + 6  # "info" / "error" on log entries
    AVATAR_COLOUR = _USER + 7  # QColor of the tile's avatar, distinct among those present
    TALK = _USER + 20  # a participant's TalkTime (seconds talked, share of all talk)
    HOST_MARKS = _USER + 21  # what the host's own state says of the tile: "you", "coaching Alice"


# Flags of every item in the console's flat list models.
ITEM_FLAGS = (
    Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
)
