"""A dial-out Twilio still rings is a "Ringing…" tile: shown, never counted, gone if unanswered."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import QRect
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QApplication, QStyleOptionViewItem

from moderator.domain.roster import Roster
from moderator.domain.snapshots import ConferenceSnapshot, ParticipantSnapshot
from moderator.ui.bridge import RosterBridge
from moderator.ui.grid.participant_model import ParticipantModel, describe
from moderator.ui.grid.tile_delegate import TILE_SIZE, TileDelegate
from tests.forms import CONFERENCE_SID, START, call_sid, form

from ..conftest import Feed

DANA = call_sid("Dana")


def _ringing(status: str = "queued") -> ConferenceSnapshot:
    dana = ParticipantSnapshot(call_sid=DANA, label="Dana", status=status)
    return ConferenceSnapshot(CONFERENCE_SID, START, 1, participants=(dana,), complete=False)


def _model(roster: Roster, bridge: RosterBridge) -> ParticipantModel:
    model = ParticipantModel(roster)
    bridge.changed.connect(model.on_changes)
    model.set_conference(CONFERENCE_SID)
    return model


def test_ringing_dial_out_is_a_tile_but_not_present(
    roster: Roster, bridge: RosterBridge, feed: Feed
) -> None:
    feed(form("participant-join", 1, who="Mary"))
    model = _model(roster, bridge)
    roster.apply_snapshot(_ringing())
    bridge.flush()
    assert [model.index(r).data() for r in range(model.rowCount())] == ["Mary", "Dana"]
    participant = model.participant(1)
    assert participant is not None and participant.ringing
    assert "ringing, not in the call yet" in describe(participant)
    conference = roster.conference(CONFERENCE_SID)
    assert conference is not None and conference.headcount == 1

    feed(form("participant-join", 2, who="Dana"))  # answered: the same tile, now in the call
    assert model.rowCount() == 2
    dana = model.participant(1)
    assert dana is not None and dana.present and not dana.ringing


def test_unanswered_dial_out_tile_goes_away(
    roster: Roster, bridge: RosterBridge, feed: Feed
) -> None:
    feed(form("participant-join", 1, who="Mary"))
    model = _model(roster, bridge)
    roster.apply_snapshot(_ringing("ringing"))
    bridge.flush()
    assert model.rowCount() == 2
    feed(
        form(
            "participant-leave",
            2,
            who="Dana",
            ParticipantCallStatus="busy",
            ReasonParticipantLeft="participant_add_failed",
        )
    )
    assert model.rowCount() == 1


def test_ringing_tile_paints(
    themed: QApplication, roster: Roster, bridge: RosterBridge, feed: Feed
) -> None:
    roster.apply_snapshot(_ringing())
    model = ParticipantModel(roster)
    model.set_conference(CONFERENCE_SID)
    delegate = TileDelegate(clock=lambda: START + timedelta(minutes=1))
    image = QImage(TILE_SIZE, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(QColor(0, 0, 0, 0))
    option = QStyleOptionViewItem()
    option.rect = QRect(0, 0, TILE_SIZE.width(), TILE_SIZE.height())
    painter = QPainter(image)
    delegate.paint(painter, option, model.index(0))
    painter.end()
    assert image.pixelColor(TILE_SIZE.width() // 2, TILE_SIZE.height() // 2).alpha() > 0
