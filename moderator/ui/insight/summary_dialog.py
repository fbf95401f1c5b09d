"""The end-of-meeting summary: duration, attendance, a talk-time chart, and the HTML report."""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QFontMetrics, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from moderator.domain.names import plural
from moderator.domain.roster import Roster
from moderator.domain.timeline import ConferenceTimeline, Track
from moderator.ui.grid.participant_model import clock_text
from moderator.ui.look import theme

HtmlSource = Callable[[str], str]  # conference SID -> the HTML report page


def local_time(moment: datetime | None) -> str:
    return moment.astimezone().strftime("%H:%M:%S") if moment else ""


class TalkChart(QWidget):
    """Horizontal bars of talk time, most first (painted: no widget per person)."""

    BAR = 18

    def __init__(self, rows: list[tuple[str, float]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows = sorted(rows, key=lambda row: -row[1])
        self.setMinimumHeight(self.BAR * max(1, len(self.rows)) + 8)

    def sizeHint(self) -> QSize:
        return QSize(520, self.minimumHeight())

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = QFontMetrics(self.font())
        names = max((metrics.horizontalAdvance(n) for n, _ in self.rows), default=0) + 12
        figures = metrics.horizontalAdvance("0:00:00 100%") + 12
        width = max(10, self.width() - names - figures)
        total = sum(s for _, s in self.rows) or 1.0
        most = max((s for _, s in self.rows), default=0.0) or 1.0
        for row, (name, seconds) in enumerate(self.rows):
            top = 4 + row * self.BAR
            painter.setPen(theme.TEXT)
            painter.drawText(
                QRectF(0, top, names - 8, self.BAR), Qt.AlignmentFlag.AlignVCenter, name
            )
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(theme.BORDER)
            painter.drawRoundedRect(QRectF(names, top + 5, width, self.BAR - 10), 3, 3)
            painter.setBrush(theme.SPEAKING)
            bar = max(2.0, width * seconds / most) if seconds else 0.0
            painter.drawRoundedRect(QRectF(names, top + 5, bar, self.BAR - 10), 3, 3)
            painter.setPen(theme.TEXT_DIM)
            painter.drawText(
                QRectF(names + width + 8, top, figures, self.BAR),
                Qt.AlignmentFlag.AlignVCenter,
                f"{clock_text(seconds)} {seconds / total:.0%}",
            )
        painter.end()


@dataclass
class Person:
    """One person's row: their calls under one name (a rejoin is the same person)."""

    name: str
    joined: datetime | None = None  # first join
    left: datetime | None = None  # last leave (None while still in the call)
    present: float = 0.0
    talked: float = 0.0
    calls: int = 0
    here: bool = False  # one of their calls is in the meeting now


def people_of(timeline: ConferenceTimeline, until: datetime) -> list[Person]:
    """The timeline's rows as people: first join, last leave, seconds summed."""
    people: dict[str, Person] = {}
    for row in timeline.participants:
        person = people.setdefault(row.name, Person(row.name))
        spans = row.spans[Track.PRESENT]
        person.calls += 1
        person.present += row.seconds(Track.PRESENT, until)
        person.talked += row.seconds(Track.SPEAKING, until)
        if not spans:
            continue
        first, last = spans[0].start, spans[-1].end
        person.joined = first if person.joined is None else min(person.joined, first)
        person.here = person.here or last is None
        if last is not None and (person.left is None or last > person.left):
            person.left = last
    for person in people.values():
        if person.here:
            person.left = None
    return list(people.values())


class SummaryDialog(QDialog):
    """Non-modal: it sits beside the main window while the host carries on elsewhere."""

    def __init__(
        self,
        roster: Roster,
        conference_sid: str,
        html: HtmlSource | None = None,
        open_timeline: Callable[[str], object] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setModal(False)
        self.setObjectName("meetingSummary")
        self.conference_sid = conference_sid
        self._html = html
        conference = roster.conference(conference_sid)
        name = (conference.friendly_name if conference else "") or conference_sid
        self.setWindowTitle(f"Summary: {name}")
        timeline = roster.timeline(conference_sid)
        layout = QVBoxLayout(self)
        self.facts = QLabel(self._facts(name, timeline))
        self.facts.setTextFormat(Qt.TextFormat.RichText)  # the name in bold, escaped
        self.facts.setObjectName("summaryFacts")
        self.facts.setWordWrap(True)
        layout.addWidget(self.facts)
        until = timeline.until() if timeline else None
        people = people_of(timeline, until) if timeline and until else []
        self.table = QTableWidget(len(people), 5)
        self.table.setHorizontalHeaderLabels(["Participant", "Joined", "Left", "Present", "Talk"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        talk: list[tuple[str, float]] = []
        for row, person in enumerate(people):
            talk.append((person.name, person.talked))
            rejoined = f" (rejoined {plural(person.calls - 1, 'time')})" if person.calls > 1 else ""
            cells = [
                person.name + rejoined,
                local_time(person.joined),
                local_time(person.left),
                clock_text(person.present),
                clock_text(person.talked),
            ]
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        layout.addWidget(self.table, 1)
        layout.addWidget(QLabel("Talk time"))
        self.chart = TalkChart(talk)
        layout.addWidget(self.chart)
        self.note = QLabel()
        self.note.setTextFormat(Qt.TextFormat.PlainText)  # a path
        layout.addWidget(self.note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        if open_timeline is not None:
            timeline_button = QPushButton("Timeline…")
            timeline_button.clicked.connect(lambda: open_timeline(conference_sid))
            buttons.addButton(timeline_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.save_button = QPushButton("Save HTML report…")
        self.save_button.setEnabled(html is not None)
        self.save_button.clicked.connect(self.ask_path)
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.ActionRole)
        layout.addWidget(buttons)
        self.resize(640, 520)

    @staticmethod
    def _facts(name: str, timeline: ConferenceTimeline | None) -> str:
        if timeline is None:
            return f"{html.escape(name)}: nothing recorded."
        duration = timeline.duration_seconds()
        until = timeline.until()
        count = len(people_of(timeline, until)) if until else 0
        return (
            f"<b>{html.escape(name)}</b> lasted {clock_text(duration or 0.0)}"
            f" ({local_time(timeline.started_at or timeline.first_moment)}"
            f" to {local_time(timeline.ended_at)}): {plural(count, 'participant')},"
            f" at most {timeline.peak_participants()} at once."
        )

    def ask_path(self) -> None:
        """A save dialog without a nested event loop."""
        self.ask_path_for(self, lambda path: self.save_html(path))

    @staticmethod
    def ask_path_for(parent: QWidget, save: Callable[[Path], object]) -> QFileDialog:
        dialog = QFileDialog(parent, "Save report", "report.html", "HTML page (*.html)")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix("html")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(lambda path: save(Path(path)))
        dialog.open()
        return dialog

    def save_html(self, path: Path) -> bool:
        if self._html is None:
            return False
        problem = save_page(self._html, self.conference_sid, path)
        self.note.setText(problem or f"Saved {path}")
        return problem is None


def save_page(html: HtmlSource | None, conference_sid: str, path: Path) -> str | None:
    """Write the conference's HTML report to `path`; the problem in words, or None."""
    if html is None:
        return "No report to save"
    try:
        path.write_text(html(conference_sid), encoding="utf-8")
    except OSError as exc:
        return f"Could not save the report: {exc.strerror or exc}"
    return None
