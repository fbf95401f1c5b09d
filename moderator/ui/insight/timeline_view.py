"""The timeline window of one conference: zoom, scroll, refresh while live, export PNG and SVG."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QRect, QSize, Qt, QTimer
from PySide6.QtGui import (
    QHideEvent,
    QImage,
    QKeySequence,
    QPainter,
    QPaintEvent,
    QResizeEvent,
    QShowEvent,
    QWheelEvent,
)
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QScrollArea,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from moderator.domain.clock import utc_now
from moderator.domain.roster import Roster
from moderator.domain.timeline import Marker
from moderator.ui.insight.timeline_paint import Layout, TimelinePainter, layout_for

MarkerSource = Callable[[str], list[Marker]]
ZOOM_STEP = 1.5
MIN_SCALE, MAX_SCALE = 0.02, 80.0  # pixels per second
REFRESH_MS = 1000  # while the conference is live and the window shown


def no_markers(conference_sid: str) -> list[Marker]:
    return []


class TimelineCanvas(QWidget):
    """The painted timeline, as big as its layout; the scroll area around it scrolls."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.painter = TimelinePainter()
        self.layout_: Layout | None = None
        self.label_left = 0  # the horizontal scroll position: names stay in view

    def set_layout(self, layout: Layout | None) -> None:
        self.layout_ = layout
        self.resize(QSize(layout.width, layout.height) if layout else QSize(400, 120))
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        if self.layout_ is None:
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "Nothing happened yet.")
        else:
            self.painter.paint(painter, self.layout_, self.label_left)
        painter.end()


class TimelineWindow(QWidget):
    """A separate, non-modal window: the host keeps moderating while it is open."""

    def __init__(
        self,
        roster: Roster,
        conference_sid: str,
        markers: MarkerSource = no_markers,
        clock: Callable[[], datetime] = utc_now,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("timelineWindow")
        self._roster = roster
        self.conference_sid = conference_sid
        self._markers = markers
        self._clock = clock
        self.scale: float | None = None  # None: fit the window
        conference = roster.conference(conference_sid)
        name = (conference.friendly_name if conference else "") or conference_sid
        self.setWindowTitle(f"Timeline: {name}")
        self.resize(1100, 420)
        self.canvas = TimelineCanvas()
        self.scroller = QScrollArea()
        self.scroller.setWidget(self.canvas)
        self.scroller.setWidgetResizable(False)
        bar = self.scroller.horizontalScrollBar()
        bar.valueChanged.connect(self._on_scrolled)
        self.toolbar = QToolBar()
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for text, shortcut, slot in (
            ("Zoom in", QKeySequence.StandardKey.ZoomIn, lambda: self.zoom(ZOOM_STEP)),
            ("Zoom out", QKeySequence.StandardKey.ZoomOut, lambda: self.zoom(1 / ZOOM_STEP)),
            ("Fit", "Ctrl+0", self.fit),
        ):
            action = self.toolbar.addAction(text)
            action.setShortcut(QKeySequence(shortcut))
            action.triggered.connect(lambda _checked=False, slot=slot: slot())
        self.toolbar.addSeparator()
        close = self.toolbar.addAction("Close")
        close.setShortcuts(
            [QKeySequence(Qt.Key.Key_Escape), QKeySequence(QKeySequence.StandardKey.Close)]
        )
        close.setToolTip("Close the timeline (Esc)")
        close.triggered.connect(lambda _checked=False: self.close())
        self.toolbar.addSeparator()
        png = self.toolbar.addAction("Export PNG…")
        png.triggered.connect(lambda _checked=False: self.ask_path("PNG image (*.png)", ".png"))
        svg = self.toolbar.addAction("Export SVG…")
        svg.triggered.connect(lambda _checked=False: self.ask_path("SVG image (*.svg)", ".svg"))
        self.note = QLabel()
        self.note.setTextFormat(Qt.TextFormat.PlainText)  # a path
        self.note.setObjectName("timelineNote")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.scroller, 1)
        layout.addWidget(self.note)
        self.refresh_timer = QTimer(self)  # runs while shown and the conference is live
        self.refresh_timer.setInterval(REFRESH_MS)
        self.refresh_timer.timeout.connect(self.refresh)
        self.refresh()

    # ---- content ---------------------------------------------------------------------------

    def current_layout(self, fit_width: int | None = None) -> Layout | None:
        timeline = self._roster.timeline(self.conference_sid)
        if timeline is None:
            return None
        width = fit_width or max(400, self.scroller.viewport().width())
        return layout_for(
            timeline, self._markers(self.conference_sid), self._clock(), scale=self.scale,
            fit_width=width,
        )  # fmt: skip

    def refresh(self) -> None:
        """Redraw from the roster; runs every second while live and shown, else stops."""
        layout = self.current_layout()
        self.canvas.set_layout(layout)
        conference = self._roster.conference(self.conference_sid)
        live = conference is not None and conference.status.live
        if layout is not None:
            people = len(layout.timeline.participants)
            self.note.setText(
                f"  {people} participants · {len(layout.markers)} actions · "
                f"{'live, updating every second' if live else 'ended'} · Ctrl+wheel zooms"
            )
        if live and self.isVisible():
            if not self.refresh_timer.isActive():
                self.refresh_timer.start()
        else:
            self.refresh_timer.stop()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh()

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self.refresh_timer.stop()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.scale is None:
            self.canvas.set_layout(self.current_layout())

    def _on_scrolled(self, value: int) -> None:
        self.canvas.label_left = value
        self.canvas.update()  # the pinned names move with the view: repaint, not blit

    # ---- zoom ------------------------------------------------------------------------------

    def zoom(self, factor: float) -> None:
        """Zoom about the centre of the view."""
        layout = self.canvas.layout_
        if layout is None:
            return
        bar = self.scroller.horizontalScrollBar()
        viewport = self.scroller.viewport().width()
        centre_seconds = (bar.value() + viewport / 2 - layout.x(layout.begin)) / layout.scale
        self.scale = min(MAX_SCALE, max(MIN_SCALE, layout.scale * factor))
        self.refresh()
        bar.setValue(int(layout.x(layout.begin) + centre_seconds * self.scale - viewport / 2))

    def fit(self) -> None:
        self.scale = None
        self.refresh()

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.zoom(ZOOM_STEP if event.angleDelta().y() > 0 else 1 / ZOOM_STEP)
            event.accept()
            return
        super().wheelEvent(event)

    # ---- export ----------------------------------------------------------------------------

    def ask_path(self, name_filter: str, suffix: str) -> None:
        """A save dialog without a nested event loop; the export runs when a file is chosen."""
        dialog = QFileDialog(self, "Export timeline", f"timeline{suffix}", name_filter)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix(suffix.lstrip("."))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(lambda path: self.export(Path(path)))
        dialog.open()

    def export(self, path: Path) -> bool:
        """Write the whole timeline (not just the visible part) as PNG or SVG by suffix."""
        ok = self.export_svg(path) if path.suffix.lower() == ".svg" else self.export_png(path)
        self.note.setText(f"  Saved {path}" if ok else f"  Could not write {path}")
        return ok

    def render_image(self) -> QImage | None:
        layout = self.current_layout(fit_width=1200)
        if layout is None:
            return None
        image = QImage(layout.width, layout.height, QImage.Format.Format_ARGB32)
        painter = QPainter(image)
        self.canvas.painter.paint(painter, layout)
        painter.end()
        return image

    def export_png(self, path: Path) -> bool:
        image = self.render_image()
        return image is not None and image.save(str(path), "PNG")  # type: ignore[call-overload]  # the stubs want bytes; PySide6 wants str

    def export_svg(self, path: Path) -> bool:
        layout = self.current_layout(fit_width=1200)
        if layout is None:
            return False
        generator = QSvgGenerator()
        generator.setFileName(str(path))
        generator.setSize(QSize(layout.width, layout.height))
        generator.setViewBox(QRect(0, 0, layout.width, layout.height))
        generator.setTitle(self.windowTitle())
        painter = QPainter()
        if not painter.begin(generator):
            return False
        self.canvas.painter.paint(painter, layout)
        return painter.end()
