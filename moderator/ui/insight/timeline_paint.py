"""Paints a conference timeline with QPainter: the same code draws the view, the PNG and the SVG."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPainterPath, QPen

from moderator.domain.timeline import ConferenceTimeline, Marker, Span, Track
from moderator.ui.look import theme

LABEL_WIDTH = 150
AXIS = 30
ROW = 30
LEGEND = 28
RIGHT_MARGIN = 24
RULE = QColor("#a78bfa")


def tick_step(visible_seconds: float, wanted: int) -> int:
    """A round tick interval (s) giving at most about `wanted` ticks."""
    for step in (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200):
        if visible_seconds / step <= max(1, wanted):
            return step
    return 14400


def tick_label(offset: int) -> str:
    hours, rest = divmod(offset, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{seconds:02}" if hours else f"{minutes}:{seconds:02}"


@dataclass(frozen=True)
class Layout:
    """Where things go: `scale` pixels per second from `begin` to `end`."""

    timeline: ConferenceTimeline
    markers: tuple[Marker, ...]
    begin: datetime
    end: datetime
    scale: float

    @property
    def seconds(self) -> float:
        return max(1.0, (self.end - self.begin).total_seconds())

    @property
    def width(self) -> int:
        return int(LABEL_WIDTH + self.seconds * self.scale + RIGHT_MARGIN)

    @property
    def height(self) -> int:
        return AXIS + ROW * (len(self.timeline.participants) + 1) + LEGEND

    def x(self, moment: datetime) -> float:
        offset = min(max((moment - self.begin).total_seconds(), 0.0), self.seconds)
        return LABEL_WIDTH + offset * self.scale

    def row_top(self, row: int) -> float:
        """Row -1 is the conference's own row (actions for everyone), 0.. the participants."""
        return AXIS + ROW * (row + 1)


def layout_for(
    timeline: ConferenceTimeline,
    markers: list[Marker],
    now: datetime | None,
    *,
    scale: float | None = None,
    fit_width: int = 900,
) -> Layout | None:
    """The layout at `scale` px/s, or fitted to `fit_width`; None when nothing happened yet."""
    begin, end = timeline.first_moment, timeline.until(now)
    if begin is None or end is None:
        return None
    seconds = max(1.0, (end - begin).total_seconds())
    if scale is None:
        scale = max(0.05, (fit_width - LABEL_WIDTH - RIGHT_MARGIN) / seconds)
    return Layout(timeline, tuple(markers), begin, end, scale)


class TimelinePainter:
    """Draws a Layout; `label_left` keeps the names pinned while the view scrolls."""

    def __init__(self) -> None:
        self.font = QFont()
        self.font.setPointSizeF(9)
        self.small = QFont()
        self.small.setPointSizeF(8)

    def paint(self, painter: QPainter, layout: Layout, label_left: float = 0.0) -> None:
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(QRectF(0, 0, layout.width, layout.height), theme.WINDOW)
        self._axis(painter, layout)
        people = layout.timeline.participants
        own = layout.timeline.own_span
        if own is not None:  # the conference's own row: started to ended
            x0, x1 = layout.x(own.start), layout.x(own.end or layout.end)
            top = layout.row_top(-1)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(theme.TEXT_DIM)
            painter.drawRoundedRect(QRectF(x0, top + 12, max(1.5, x1 - x0), 6), 3, 3)
        for row, person in enumerate(people):
            top = layout.row_top(row)
            if row % 2 == 0:
                painter.fillRect(QRectF(0, top, layout.width, ROW), theme.SURFACE)
            self._spans(painter, layout, person.spans, top)
        self._markers(painter, layout)
        self._labels(painter, layout, label_left)
        self._legend(painter, layout, label_left)
        painter.restore()

    def _axis(self, painter: QPainter, layout: Layout) -> None:
        painter.setFont(self.small)
        metrics = QFontMetrics(self.small)
        label_width = metrics.horizontalAdvance("0:00:00") + 24
        step = tick_step(layout.seconds, int(layout.seconds * layout.scale / label_width))
        bottom = layout.height - LEGEND
        for offset in range(0, int(layout.seconds) + 1, step):
            x = LABEL_WIDTH + offset * layout.scale
            painter.setPen(QPen(theme.BORDER, 1))
            painter.drawLine(QPointF(x, AXIS - 4), QPointF(x, bottom))
            painter.setPen(theme.TEXT_DIM)
            painter.drawText(
                QRectF(x - label_width / 2, 4, label_width, AXIS - 10),
                Qt.AlignmentFlag.AlignCenter,
                tick_label(offset),
            )

    def _spans(
        self, painter: QPainter, layout: Layout, spans: dict[Track, tuple[Span, ...]], top: float
    ) -> None:
        painter.setPen(Qt.PenStyle.NoPen)
        for track, y, h, colour in (
            (Track.PRESENT, 6, 18, theme.BORDER.lighter(115)),
            (Track.HOLD, 6, 18, theme.HOLD),
            (Track.SPEAKING, 9, 12, theme.SPEAKING),
            (Track.MUTED, 21, 4, theme.MUTED),
        ):
            painter.setBrush(colour)
            for span in spans[track]:
                x0 = layout.x(span.start)
                x1 = layout.x(span.end or layout.end)
                painter.drawRoundedRect(QRectF(x0, top + y, max(1.5, x1 - x0), h), 2, 2)

    def _markers(self, painter: QPainter, layout: Layout) -> None:
        rows = {p.call_sid: row for row, p in enumerate(layout.timeline.participants)}
        for marker in layout.markers:
            row = rows.get(marker.call_sid, -1) if marker.call_sid else -1
            top = layout.row_top(row)
            x = layout.x(marker.at)
            colour = theme.ACCENT if marker.by == "host" else RULE
            if marker.ok is False:
                colour = theme.ERROR
            painter.setPen(QPen(colour, 1, Qt.PenStyle.DashLine))
            painter.drawLine(QPointF(x, top + 4), QPointF(x, top + ROW - 2))
            triangle = QPainterPath()
            triangle.moveTo(x, top + 8)
            triangle.lineTo(x - 5, top + 1)
            triangle.lineTo(x + 5, top + 1)
            triangle.closeSubpath()
            painter.fillPath(triangle, colour)

    def _labels(self, painter: QPainter, layout: Layout, left: float) -> None:
        painter.fillRect(QRectF(left, AXIS, LABEL_WIDTH - 6, layout.height - AXIS), theme.WINDOW)
        painter.setFont(self.font)
        metrics = QFontMetrics(self.font)
        names = ["Conference", *(p.name for p in layout.timeline.participants)]
        for row, name in enumerate(names, start=-1):
            if row >= 0 and row % 2 == 0:  # the row's stripe continues under its name
                painter.fillRect(
                    QRectF(left, layout.row_top(row), LABEL_WIDTH - 6, ROW), theme.SURFACE
                )
            painter.setPen(theme.TEXT_DIM if row < 0 else theme.TEXT)
            painter.drawText(
                QRectF(left + 10, layout.row_top(row), LABEL_WIDTH - 20, ROW),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                metrics.elidedText(name, Qt.TextElideMode.ElideRight, LABEL_WIDTH - 20),
            )

    def _legend(self, painter: QPainter, layout: Layout, left: float) -> None:
        painter.setFont(self.small)
        metrics = QFontMetrics(self.small)
        x = left + 10
        y = layout.height - LEGEND + 8
        for text, colour in (
            ("conference", theme.TEXT_DIM),
            ("present", theme.BORDER.lighter(115)),
            ("speaking", theme.SPEAKING),
            ("muted", theme.MUTED),
            ("on hold", theme.HOLD),
            ("host action", theme.ACCENT),
            ("rule action", RULE),
        ):
            painter.fillRect(QRectF(x, y, 10, 10), colour)
            painter.setPen(theme.TEXT_DIM)
            painter.drawText(QPointF(x + 14, y + 9), text)
            x += 14 + metrics.horizontalAdvance(text) + 16
