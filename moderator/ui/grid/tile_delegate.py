"""Paints one participant tile: avatar, name, number, flags, pending, time in call, talk time."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime
from math import ceil

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, QRect, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QPainter,
    QPainterPath,
    QPen,
    QPixmap,
    QRegion,
)
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from moderator.domain.actions import ActionKind
from moderator.domain.clock import utc_now
from moderator.domain.roster import Participant
from moderator.ui.grid.avatar_colours import preferred_slot
from moderator.ui.grid.participant_model import TalkTime, clock_text
from moderator.ui.grid.roles import Role
from moderator.ui.look import icons, theme

TILE_SIZE = QSize(240, 104)
RADIUS = 12.0
PAD = 12
AVATAR = 44

PENDING_FLIP = 0.35  # the last 35% of each pending cycle turns the hourglass over
# Tiles kept as finished pixmaps (least recently painted dropped first): the ones on screen,
# at about 100 KB each, so a scrolled-through 250-person grid does not hold them all.
CACHE_TILES = 96
_DRAWN_STATES = (
    QStyle.StateFlag.State_MouseOver,
    QStyle.StateFlag.State_Selected,
    QStyle.StateFlag.State_HasFocus,
)

RINGING = "Ringing…"
PENDING_WORDS = {
    ActionKind.MUTE: "Muting…",
    ActionKind.UNMUTE: "Unmuting…",
    ActionKind.HOLD: "Holding…",
    ActionKind.UNHOLD: "Resuming…",
    ActionKind.KICK: "Removing…",
}


def initials(name: str) -> str:
    """'Alice Smith' -> 'AS', 'Guest 014' -> 'G14', '+14155550123' -> '23'."""
    if name.startswith("+") or name[:1].isdigit():
        return name[-2:]
    words = [w for w in name.replace("_", " ").replace("-", " ").split() if w]
    if len(words) >= 2 and words[1].isdigit():
        return words[0][0].upper() + str(int(words[1]))[-2:]  # numbered guests stay apart
    if len(words) >= 2:
        return (words[0][0] + words[1][0]).upper()
    return name[:2].upper() if name else "?"


def elapsed(since: datetime | None, now: datetime) -> str:
    """'4:05' or '1:02:09'; '' when the join time is not known."""
    if since is None:
        return ""
    seconds = max(0, int((now - since).total_seconds()))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{seconds:02}" if hours else f"{minutes}:{seconds:02}"


def avatar_colour(index: QModelIndex | QPersistentModelIndex, participant: Participant) -> QColor:
    """The model's pick (distinct among those present), else one derived from the name."""
    colour = index.data(Role.AVATAR_COLOUR)
    if isinstance(colour, QColor):
        return colour
    palette = theme.AVATAR_COLOURS
    return palette[preferred_slot(participant.display_name, len(palette))]


def _talk_look(talk: object) -> object:
    """What the tile shows of a TalkTime: the time in whole seconds, the share in whole percent
    (while anyone speaks everyone's exact share shrinks at every repaint)."""
    if not isinstance(talk, TalkTime):
        return None
    return (int(talk.seconds), round(talk.share * 100), talk.share > 0)


def hourglass_angle(phase: float) -> float:
    """Degrees the pending hourglass is turned at `phase` (0..1 of a cycle): it rests, then
    turns over once, easing in and out, like sand running out and the glass being flipped."""
    phase %= 1.0
    rest = 1.0 - PENDING_FLIP
    if phase <= rest:
        return 0.0
    t = (phase - rest) / PENDING_FLIP
    return 180.0 * t * t * (3 - 2 * t)  # smoothstep


def _mix(a: QColor, b: QColor, amount: float) -> QColor:
    return QColor.fromRgbF(
        a.redF() + (b.redF() - a.redF()) * amount,
        a.greenF() + (b.greenF() - a.greenF()) * amount,
        a.blueF() + (b.blueF() - a.blueF()) * amount,
    )


class TileDelegate(QStyledItemDelegate):
    """Draws the whole tile itself (no widgets per participant), so 250 tiles repaint cheaply."""

    def __init__(
        self, parent: QObject | None = None, clock: Callable[[], datetime] = utc_now
    ) -> None:
        super().__init__(parent)
        self._clock = clock
        # Where pending tiles are in their animation cycle (0..1); the grid advances it.
        self.pending_phase = 0.0
        self._name_font = QFont()
        self._name_font.setPointSizeF(10.5)
        self._name_font.setWeight(QFont.Weight.DemiBold)
        self._small_font = QFont()
        self._small_font.setPointSizeF(8.5)
        self._badge_font = QFont()
        self._badge_font.setPointSizeF(7.0)
        self._badge_font.setWeight(QFont.Weight.Bold)
        self._badge_font.setLetterSpacing(QFont.SpacingType.AbsoluteSpacing, 0.6)
        self._avatar_font = QFont()
        self._avatar_font.setPointSizeF(12)
        self._avatar_font.setWeight(QFont.Weight.Bold)
        # call SID -> (what the tile showed, its pixmap); see paint()
        self._cache: OrderedDict[str, tuple[tuple[object, ...], QPixmap]] = OrderedDict()
        self.renders = 0  # tiles drawn afresh rather than copied from the cache
        self.drawn = 0  # tiles drawn, copied from the cache or afresh
        # what the grid repaints now (None: all); a tile outside it is not drawn at all
        self.dirty: QRegion | None = None
        self._cards: dict[tuple[object, ...], QPixmap] = {}  # card backgrounds by look

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        return QSize(TILE_SIZE)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        """Draw the tile from its cached pixmap, rendering it afresh only when what it shows
        changed: a repaint of the grid (a neighbour's change, the view's own updates) then
        costs a pixmap copy per unchanged tile instead of its shapes and text, and nothing
        for a tile outside the region the grid repaints."""
        if self.dirty is not None and not self.dirty.intersects(option.rect):
            return
        participant = index.data(Role.PARTICIPANT)
        if not isinstance(participant, Participant):
            return
        self.drawn += 1
        colour = avatar_colour(index, participant)
        talk = index.data(Role.TALK)
        marks = index.data(Role.HOST_MARKS) or ()
        state = option.state
        pending = participant.pending is not None or participant.ringing
        ratio = painter.device().devicePixelRatioF()
        size = option.rect.size()
        # The time in call moves on every second on every tile: it is drawn over the cached
        # tile, except on a pending tile (its chip covers that corner; it re-renders anyway).
        clock = elapsed(participant.joined_at, self._clock())
        look = (
            participant,
            colour.rgba(),
            _talk_look(talk),
            marks,
            clock if pending else None,
            tuple(bool(state & flag) for flag in _DRAWN_STATES),
            self.pending_phase if pending else 0.0,
            size.width(),
            size.height(),
            ratio,
        )
        cached = self._cache.get(participant.call_sid)
        if cached is not None and cached[0] == look:
            self._cache.move_to_end(participant.call_sid)
            pixmap = cached[1]
        else:
            pixmap = self._render(participant, colour, talk, state, size, ratio, marks)
            self._cache[participant.call_sid] = (look, pixmap)
            self._cache.move_to_end(participant.call_sid)
            while len(self._cache) > CACHE_TILES:
                self._cache.popitem(last=False)
        painter.save()
        # A rectangular clip lets Qt blend the pixmap straight in; clipped to the grid's dirty
        # region (several tiles) it went row by row through a thread pool and waited for it.
        painter.setClipRect(option.rect, Qt.ClipOperation.IntersectClip)
        painter.drawPixmap(option.rect.topLeft(), pixmap)
        if not pending and clock:
            self._clock_text(painter, QRect(option.rect).adjusted(2, 2, -2, -2), clock)
        painter.restore()

    def _render(
        self,
        participant: Participant,
        colour: QColor,
        talk: object,
        state: QStyle.StateFlag,
        size: QSize,
        ratio: float,
        marks: tuple[str, ...] = (),
    ) -> QPixmap:
        self.renders += 1
        pixmap = QPixmap(ceil(size.width() * ratio), ceil(size.height() * ratio))
        pixmap.setDevicePixelRatio(ratio)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        try:
            self._draw(painter, QRect(0, 0, size.width(), size.height()), participant, colour,
                       talk, state, ratio, marks)  # fmt: skip
        finally:
            painter.end()
        return pixmap

    def _draw(
        self,
        painter: QPainter,
        outer: QRect,
        participant: Participant,
        colour: QColor,
        talk: object,
        state: QStyle.StateFlag,
        ratio: float,
        marks: tuple[str, ...] = (),
    ) -> None:
        rect = QRect(outer).adjusted(2, 2, -2, -2)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        pending = participant.pending is not None or participant.ringing
        if pending:
            painter.setOpacity(0.55)  # sent, not confirmed: visibly not settled yet
        self._card(painter, rect, participant, state, ratio)
        self._avatar(painter, rect, participant, colour, ratio)
        self._texts(painter, rect, participant)
        self._mic(painter, rect, participant, ratio)
        self._badges(painter, rect, participant, marks)
        self._talk(painter, rect, talk, participant.speaking)
        painter.setOpacity(1.0)
        if pending:
            self._pending(painter, rect, participant, ratio)
        if state & QStyle.StateFlag.State_HasFocus:
            self._focus_ring(painter, QRect(outer))

    # ---- pieces ----------------------------------------------------------------------------

    def _card(
        self,
        painter: QPainter,
        rect: QRect,
        participant: Participant,
        state: QStyle.StateFlag,
        ratio: float,
    ) -> None:
        """The card: a handful of looks (hover, selection, hold, muted, speaking), each
        antialiased once and then copied."""
        look = (
            bool(state & QStyle.StateFlag.State_MouseOver),
            bool(state & QStyle.StateFlag.State_Selected),
            participant.hold,
            participant.muted,
            participant.speaking,
            rect.width(),
            rect.height(),
            ratio,
        )
        card = self._cards.get(look)
        if card is None:
            card = QPixmap(ceil(rect.width() * ratio), ceil(rect.height() * ratio))
            card.setDevicePixelRatio(ratio)
            card.fill(Qt.GlobalColor.transparent)
            card_painter = QPainter(card)
            card_painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            self._draw_card(card_painter, QRect(0, 0, rect.width(), rect.height()), *look[:5])
            card_painter.end()
            self._cards[look] = card
        painter.drawPixmap(rect.topLeft(), card)

    @staticmethod
    def _draw_card(
        painter: QPainter,
        rect: QRect,
        hover: bool,
        selected: bool,
        hold: bool,
        muted: bool,
        speaking: bool,
    ) -> None:
        fill = theme.TILE_HOVER if hover else theme.TILE
        if hold:
            fill = _mix(fill, theme.HOLD, 0.16)
        elif muted:
            fill = _mix(fill, theme.MUTED, 0.07)
        path = QPainterPath()
        path.addRoundedRect(QRectF(rect), RADIUS, RADIUS)
        painter.fillPath(path, fill)
        if speaking:
            pen = QPen(theme.SPEAKING, 3)
        elif selected:
            pen = QPen(theme.ACCENT, 2)
        elif hold:
            pen = QPen(theme.HOLD, 1.5)
        else:
            pen = QPen(theme.BORDER, 1)
        painter.setPen(pen)
        inset = pen.widthF() / 2
        painter.drawRoundedRect(QRectF(rect).adjusted(inset, inset, -inset, -inset), RADIUS, RADIUS)
        if speaking and selected:
            # Keep the selection visible on a speaking tile: a thin inner accent line.
            painter.setPen(QPen(theme.ACCENT, 1.5))
            painter.drawRoundedRect(QRectF(rect).adjusted(4, 4, -4, -4), RADIUS - 3, RADIUS - 3)

    def _focus_ring(self, painter: QPainter, outer: QRect) -> None:
        """Keyboard focus: a light ring in the margin around the card, apart from the
        selection's accent border, so Tab and the arrows always show where Space acts."""
        pen = QPen(theme.TEXT, 1.5)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        ring = QRectF(outer).adjusted(0.75, 0.75, -0.75, -0.75)
        painter.drawRoundedRect(ring, RADIUS + 2, RADIUS + 2)

    def _avatar_rect(self, rect: QRect) -> QRect:
        return QRect(rect.left() + PAD, rect.top() + PAD, AVATAR, AVATAR)

    def _avatar(
        self, painter: QPainter, rect: QRect, participant: Participant, fill: QColor, ratio: float
    ) -> None:
        circle = self._avatar_rect(rect)
        painter.setPen(Qt.PenStyle.NoPen)
        if participant.hold:
            painter.setBrush(theme.HOLD.darker(140))
        else:
            painter.setBrush(fill)
        painter.drawEllipse(circle)
        if participant.speaking:
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(QPen(theme.SPEAKING, 2.5))
            painter.drawEllipse(QRectF(circle).adjusted(-3.5, -3.5, 3.5, 3.5))
        if participant.hold:
            painter.drawPixmap(
                circle.adjusted(11, 11, -11, -11), icons.pixmap("pause", 22, theme.TEXT, ratio)
            )
            return
        painter.setPen(QColor("#ffffff"))
        painter.setFont(self._avatar_font)
        painter.drawText(circle, Qt.AlignmentFlag.AlignCenter, initials(participant.display_name))

    def _texts(self, painter: QPainter, rect: QRect, participant: Participant) -> None:
        left = rect.left() + PAD + AVATAR + 12
        width = rect.right() - PAD - 30 - left
        painter.setFont(self._name_font)
        painter.setPen(theme.TEXT)
        metrics = QFontMetrics(self._name_font)
        name = metrics.elidedText(participant.display_name, Qt.TextElideMode.ElideRight, width)
        # The number under the name, unless the name already is the number.
        second = participant.number if participant.number != participant.display_name else None
        # Alone, the name sits level with the avatar's centre; with a number, above it.
        centred = rect.top() + PAD + (AVATAR - metrics.height()) // 2
        top = rect.top() + PAD - 1 if second else centred
        painter.drawText(
            QRect(left, top, width, metrics.height()),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            name,
        )
        if second:
            painter.setFont(self._small_font)
            painter.setPen(theme.TEXT_DIM)
            small = QFontMetrics(self._small_font)
            painter.drawText(
                QRect(left, rect.top() + PAD + metrics.height() + 1, width, small.height()),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                small.elidedText(second, Qt.TextElideMode.ElideRight, width),
            )
        if participant.pending is not None or participant.ringing:
            clock = elapsed(participant.joined_at, self._clock())
            if clock:
                self._clock_text(painter, rect, clock)

    def _clock_text(self, painter: QPainter, rect: QRect, clock: str) -> None:
        """Bottom right: the time in call."""
        painter.setFont(self._small_font)
        painter.setPen(theme.TEXT_DIM)
        painter.drawText(
            QRect(rect.right() - PAD - 70, rect.bottom() - PAD - 16, 70, 16),
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            clock,
        )

    def _talk(self, painter: QPainter, rect: QRect, talk: object, speaking: bool) -> None:
        """Under the avatar: a thin bar of this person's share of all talk, and their talk time."""
        if not isinstance(talk, TalkTime):
            return
        top = rect.top() + PAD + AVATAR + 1  # between the avatar and the badges
        percent = round(talk.share * 100)  # the bar shows what the text says (see paint)
        text = f"talk {clock_text(talk.seconds)} · {percent}%"
        painter.setFont(self._small_font)
        metrics = QFontMetrics(self._small_font)
        text_width = metrics.horizontalAdvance("talk 00:00 · 100%") + 4
        track = QRectF(rect.left() + PAD, top + 5, rect.width() - 2 * PAD - text_width - 6, 4)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(theme.BORDER)
        painter.drawRoundedRect(track, 2, 2)
        if talk.share > 0:
            filled = QRectF(track)
            filled.setWidth(max(3.0, track.width() * percent / 100))
            colour = QColor(theme.SPEAKING)
            colour.setAlphaF(1.0 if speaking else 0.6)
            painter.setBrush(colour)
            painter.drawRoundedRect(filled, 2, 2)
        painter.setPen(theme.SPEAKING if speaking else theme.TEXT_DIM)
        painter.drawText(
            QRectF(rect.right() - PAD - text_width, top, text_width, 14),
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            text,
        )

    def _mic(self, painter: QPainter, rect: QRect, participant: Participant, ratio: float) -> None:
        """Top-right: a red mic-off disc when muted, a quiet mic glyph otherwise."""
        size = 26
        disc = QRect(rect.right() - PAD - size + 4, rect.top() + PAD - 4, size, size)
        if participant.muted:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(theme.MUTED)
            painter.drawEllipse(disc)
            painter.drawPixmap(
                disc.adjusted(5, 5, -5, -5), icons.pixmap("mic-off", 16, QColor("#ffffff"), ratio)
            )
        else:
            colour = theme.SPEAKING if participant.speaking else theme.TEXT_DIM
            painter.drawPixmap(disc.adjusted(4, 4, -4, -4), icons.pixmap("mic", 18, colour, ratio))

    def _badges(
        self, painter: QPainter, rect: QRect, participant: Participant, marks: tuple[str, ...] = ()
    ) -> None:
        """Bottom-left pills: YOU, COACHING ALICE (or COACH) / HEARS YOU, ON HOLD, PRESENTER,
        SPEAKING, MUTED (most urgent first)."""
        pills: list[tuple[str, QColor]] = []
        if "you" in marks:
            pills.append(("YOU", theme.PRESENTER))
        coaching = [m for m in marks if m != "you"]  # whom the host whispers to comes first
        if coaching:
            pills += [(m.upper(), theme.COACH) for m in coaching]
        elif participant.coaching:
            pills.append(("COACH", theme.COACH))
        if participant.hold:
            pills.append(("ON HOLD", theme.HOLD))
        if participant.presenter:
            pills.append(("PRESENTER", theme.PRESENTER))
        if participant.speaking and not participant.hold:
            pills.append(("SPEAKING", theme.SPEAKING))
        elif participant.muted and not participant.hold and len(pills) < 2:
            pills.append(("MUTED", theme.MUTED))
        painter.setFont(self._badge_font)
        metrics = QFontMetrics(self._badge_font)
        x = rect.left() + PAD
        y = rect.bottom() - PAD - 16
        limit = rect.right() - PAD - 44  # leave room for the time in call
        for text, colour in pills:
            width = metrics.horizontalAdvance(text) + 14
            if x + width > limit:
                break
            pill = QRectF(x, y, width, 17)
            background = QColor(colour)
            background.setAlphaF(0.18)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(background)
            painter.drawRoundedRect(pill, 8.5, 8.5)
            painter.setPen(colour)
            painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, text)
            x += width + 6

    def _pending(
        self, painter: QPainter, rect: QRect, participant: Participant, ratio: float
    ) -> None:
        """An hourglass chip over the dimmed tile: the action is sent, Twilio has not confirmed."""
        if participant.pending is not None:
            text = PENDING_WORDS.get(participant.pending.kind, "Waiting…")
        else:
            text = RINGING  # a dial-out Twilio is still ringing: not in the call yet
        painter.setFont(self._badge_font)
        metrics = QFontMetrics(self._badge_font)
        width = metrics.horizontalAdvance(text) + 34
        chip = QRectF(rect.right() - PAD - width, rect.bottom() - PAD - 18, width, 20)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#3a4150"))
        painter.drawRoundedRect(chip, 10, 10)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.translate(chip.left() + 14, chip.top() + 10)  # the hourglass's centre
        painter.rotate(hourglass_angle(self.pending_phase))
        painter.drawPixmap(-7, -7, icons.pixmap("hourglass", 14, theme.PENDING, ratio))
        painter.restore()
        painter.setPen(theme.PENDING)
        painter.drawText(
            chip.adjusted(24, 0, -8, 0),
            Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
            text,
        )
