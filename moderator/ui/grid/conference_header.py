"""The heading above the tiles: conference name, status line, and what an empty grid says."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from moderator.domain.roster import Conference, Participant
from moderator.domain.state import took_part
from moderator.ui.grid.conference_model import headline
from moderator.ui.grid.participant_model import clock_text
from moderator.ui.look import theme

NO_CONFERENCE = "Waiting for Twilio's first callback — see Settings, How to connect"
WAITING_FOR_PEOPLE = "No one is here yet.\nParticipants appear as they join."


def people(count: int) -> str:
    return "1 person" if count == 1 else f"{count} people"


def duration(seconds: float) -> str:
    """'2:56', '1:02:09': the one way every view (banner, summary, reports) writes a length."""
    return clock_text(max(0.0, seconds))


def _when_ended(conference: Conference) -> str:
    """' at 15:42 after 42 min' (the parts that are known)."""
    if conference.ended_at is None:
        return ""
    when = f" at {conference.ended_at.astimezone():%H:%M}"
    if conference.started_at is not None:
        when += f" after {duration((conference.ended_at - conference.started_at).total_seconds())}"
    return when


def ended_summary(
    conference: Conference, everyone: list[Participant], took: int | None = None
) -> str:
    """'Ended at 15:42 after 42 min · 4 people took part' (`took`, else counted in `everyone`)."""
    count = took_part(everyone) if took is None else took
    return f"Ended{_when_ended(conference)} · {people(count)} took part"


def empty_grid_text(
    conference: Conference | None, everyone: list[Participant], took: int | None = None
) -> str:
    """What the grid says with no tiles: waiting for people, or that the call is over."""
    if conference is not None and not conference.status.live:
        who = people(took_part(everyone) if took is None else took)
        return f"This conference ended{_when_ended(conference)}.\n{who} took part."
    return WAITING_FOR_PEOPLE


class StatusLine(QWidget):
    """One line of plain text that changes often (counts, who speaks and for how long), elided
    to its width. A new text repaints this line only: a QLabel asks every layout up to the
    window again at each setText, and with a batch of callbacks each frame the window relaid
    out its splitters and repainted far more than the line (2-20 ms a frame)."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._text = ""
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setText(text)

    def text(self) -> str:
        return self._text

    def setText(self, text: str) -> None:
        if text == self._text:
            return
        self._text = text
        self.setAccessibleName(text)  # what a screen reader reads, as a label's text is
        self.update()

    def sizeHint(self) -> QSize:
        metrics, margins = self.fontMetrics(), self.contentsMargins()
        return QSize(
            metrics.horizontalAdvance(self._text) + margins.left() + margins.right(),
            metrics.height() + margins.top() + margins.bottom(),
        )

    def minimumSizeHint(self) -> QSize:
        margins = self.contentsMargins()
        return QSize(0, self.fontMetrics().height() + margins.top() + margins.bottom())

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setPen(theme.TEXT_DIM)  # style sheets colour labels, not a painted widget
        area = self.contentsRect()  # inside the margins, as a label's padding was
        line = self.fontMetrics().elidedText(self._text, Qt.TextElideMode.ElideRight, area.width())
        left = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        painter.drawText(area, left, line)
        painter.end()


class ConferenceHeader(QWidget):
    """Title and one status line for the conference shown in the grid."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel("No conference yet")
        self.title.setObjectName("conferenceTitle")
        # the conference's name is the caller's (or Twilio's) text: never read as HTML
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.subtitle = StatusLine("Waiting for Twilio's first callback")  # plain text: names
        self.subtitle.setObjectName("conferenceSubtitle")
        self.subtitle.setContentsMargins(14, 0, 14, 6)  # under the title's text (style.qss)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self._title_row = QHBoxLayout()
        self._title_row.setSpacing(8)
        self._title_row.addWidget(self.title)
        self._title_row.addStretch(1)
        layout.addLayout(self._title_row)
        layout.addWidget(self.subtitle)

    def add_badge(self, badge: QWidget) -> None:
        """A small widget beside the title (the REC indicator)."""
        self._title_row.insertWidget(self._title_row.count() - 1, badge)

    def show_conference(
        self,
        conference: Conference | None,
        everyone: list[Participant],
        speaking: str = "",
        took: int | None = None,
        in_flight: str | None = None,
    ) -> None:
        """Render `conference` (None: nothing yet) with `everyone` the roster has seen in it;
        `speaking` says who speaks and for how long ("speaking: Mary 0:42"), if known; `took`
        how many took part in an ended one (else counted in `everyone`); `in_flight` the host's
        action Twilio has not confirmed ("ending…", "dialling Dana…"), after the headline."""
        if conference is None:
            self.title.setText("No conference yet")
            self.subtitle.setText(NO_CONFERENCE)
            return
        self.title.setText(conference.friendly_name or conference.sid)
        if not conference.status.live:
            self.subtitle.setText(ended_summary(conference, everyone, took))
            return
        present = [p for p in everyone if p.present]
        parts = [headline(conference), *([in_flight] if in_flight else [])]
        muted = sum(1 for p in present if p.muted)
        if muted:
            parts.append(f"{muted} muted")
        held = sum(1 for p in present if p.hold)
        if held:
            parts.append(f"{held} on hold")
        speakers = [p.display_name for p in present if p.speaking]
        if speaking or speakers:
            parts.append(speaking or "speaking: " + ", ".join(speakers[:3]))
        if conference.started_at:
            parts.append(f"started {conference.started_at.astimezone():%H:%M}")
        self.subtitle.setText("  ·  ".join(parts))
