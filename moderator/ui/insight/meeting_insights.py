"""Talk time and the meeting's record in the main window: timeline, sort, who speaks, summary."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QToolButton, QWidget

from moderator.domain.events import ConferenceEvent
from moderator.domain.names import plural
from moderator.domain.roster import Change, ChangeKind, Conference, Roster
from moderator.ui.grid.participant_model import ParticipantModel, clock_text
from moderator.ui.insight.summary_dialog import HtmlSource, SummaryDialog, save_page
from moderator.ui.insight.timeline_view import MarkerSource, TimelineWindow, no_markers
from moderator.ui.look import icons


def speaking_text(roster: Roster, conference_sid: str, now: datetime, limit: int = 3) -> str:
    """'speaking: Mary 0:42, Bob 0:03' (how long each has been speaking), '' when nobody is."""
    since = roster.timelines.speaking_since(conference_sid)
    names = []
    for call_sid, start in sorted(since.items(), key=lambda item: item[1])[:limit]:
        participant = roster.participant(conference_sid, call_sid)
        name = participant.display_name if participant else call_sid
        names.append(f"{name} {clock_text(max(0.0, (now - start).total_seconds()))}")
    return "speaking: " + ", ".join(names) if names else ""


class EndedBanner(QFrame):
    """A slim bar above the tiles: 'TeamMeeting ended … [Summary…] [Dismiss]'; its buttons are
    in the Tab order like any other (a keyboard host reaches them)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("endedBanner")
        self.conference_sid: str | None = None
        self.text = QLabel()
        self.text.setTextFormat(Qt.TextFormat.PlainText)  # the conference's name
        self.summary_button = QPushButton(icons.icon("summary"), "Summary…")
        self.close_button = QPushButton("Dismiss")
        self.close_button.clicked.connect(self.dismiss)
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 4, 8, 4)
        row.addWidget(self.text, 1)
        row.addWidget(self.summary_button)
        row.addWidget(self.close_button)
        self.hide()

    def offer(self, conference_sid: str, text: str) -> None:
        self.conference_sid = conference_sid
        self.text.setText(text)
        self.show()

    def dismiss(self) -> None:
        self.conference_sid = None
        self.hide()


class MeetingInsights(QObject):
    """Owns the timeline and summary windows and the actions that open them.

    The app sets `markers` (actions journaled for a conference) and `html` (the HTML report
    of a conference); without them the timeline has no markers and the report button is off.
    """

    def __init__(
        self,
        roster: Roster,
        participants: ParticipantModel,
        current: Callable[[], str | None],
        clock: Callable[[], datetime],
        window: QWidget,
    ) -> None:
        super().__init__(window)
        self._roster = roster
        self._current = current
        self._clock = clock
        self._window = window
        self.markers: MarkerSource = no_markers
        self.html: HtmlSource | None = None
        self.notify: Callable[[str, str], None] = lambda level, text: None  # the status bar
        # a waiting room or breakout room ending is no meeting ending: no banner for it
        self.is_meeting: Callable[[Conference], bool] = lambda conference: True
        # live when the window opened: the journal's replay says so, but a start-up reconcile
        # may find them long over (the previous run's call); they count as watched only once
        # Twilio calls back about them in this session
        self._live = {c.sid for c in roster.conferences() if c.status.live}
        self._carried_over = set(self._live)
        self._ended_carried_over: set[str] = set()  # ended in this batch: was it Twilio's word?
        self._banner_facts = ("", "")  # (conference SID, "ended after … with N participants.")
        self.windows: dict[tuple[str, str], QWidget] = {}  # (kind, conference sid) -> window
        self.sort_button: QToolButton | None = None  # made by beside()
        self.banner = EndedBanner()
        self.banner.summary_button.clicked.connect(self._summary_from_banner)
        self.timeline_action = QAction(icons.icon("timeline"), "&Timeline", window)
        self.timeline_action.setShortcut(QKeySequence("Ctrl+T"))
        self.timeline_action.setToolTip("Who was in, muted, on hold and speaking, when (Ctrl+T)")
        self.timeline_action.triggered.connect(lambda _checked=False: self.open_current())
        self.sort_action = QAction(icons.icon("sort"), "&Sort by talk time", window)
        self.sort_action.setCheckable(True)
        self.sort_action.setToolTip("Order the tiles by talk time, most first")
        self.sort_action.toggled.connect(participants.sort_by_talk)
        self.summary_action = QAction(icons.icon("summary"), "Summar&y…", window)
        self.summary_action.setToolTip("Who came, for how long, and who talked")
        self.summary_action.triggered.connect(lambda _checked=False: self.summary_of_current())
        self.report_action = QAction("Sa&ve HTML report…", window)
        self.report_action.setToolTip("The meeting's report as one page to keep or send")
        self.report_action.triggered.connect(lambda _checked=False: self.save_report_of_current())
        window.installEventFilter(self)  # its windows close when the main window goes

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._window and event.type() == QEvent.Type.Hide and not event.spontaneous():
            for widget in list(self.windows.values()):
                widget.close()  # the app is shutting down: the journal is about to close
        return False

    def menu_actions(self) -> list[QAction]:
        return [self.timeline_action, self.summary_action, self.report_action, self.sort_action]

    def beside(self, subtitle: QWidget) -> QWidget:
        """The header's subtitle with the sort-by-talk-time toggle at its right."""
        row = QWidget()
        row.setObjectName("subtitleRow")
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 8, 0)
        layout.addWidget(subtitle, 1)
        self.sort_button = QToolButton()
        self.sort_button.setObjectName("sortByTalk")
        self.sort_button.setDefaultAction(self.sort_action)
        self.sort_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.sort_button.setAutoRaise(True)
        layout.addWidget(self.sort_button)
        return row

    def on_changes(self, changes: list[Change]) -> None:
        """Offer the summary of a conference that ends while the console watches."""
        self._ended_carried_over.clear()
        if any(change.conference_sid == self._banner_facts[0] for change in changes):
            self._banner_facts = ("", "")  # its duration or people may have changed
        for change in changes:
            if change.kind not in (ChangeKind.CONFERENCE_ADDED, ChangeKind.CONFERENCE_UPDATED):
                continue
            conference = self._roster.conference(change.conference_sid)
            if conference is None:
                continue
            if conference.status.live:
                self._live.add(conference.sid)
            elif conference.sid in self._live:
                self._live.discard(conference.sid)
                if not self.is_meeting(conference):
                    continue
                if conference.sid in self._carried_over:
                    # ended by Twilio's callback (on_events, same batch) or by a reconcile
                    self._ended_carried_over.add(conference.sid)
                else:
                    self.banner.offer(conference.sid, "")
        self._refresh_banner()

    def on_events(self, events: list[ConferenceEvent]) -> None:
        """Twilio called back about these conferences in this session: the host watches them."""
        for event in events:
            sid = event.conference_sid
            if sid in self._ended_carried_over:
                self.banner.offer(sid, "")
            if sid in self._live:
                self._carried_over.discard(sid)
        self._ended_carried_over.clear()
        self._refresh_banner()

    def _refresh_banner(self) -> None:
        """The banner names its conference (with its start when a same-named one is live) and
        goes away when that conference is no longer in the roster."""
        sid = self.banner.conference_sid
        if sid is None:
            return
        conference = self._roster.conference(sid)
        if conference is None or conference.status.live:
            self.banner.dismiss()
            return
        name = conference.friendly_name or conference.sid
        same_name_live = any(
            c.status.live and c.friendly_name == conference.friendly_name and c.sid != sid
            for c in self._roster.conferences()
        )
        if same_name_live and conference.started_at is not None:
            name += f" (started {conference.started_at.astimezone().strftime('%H:%M')})"
        if self._banner_facts[0] != sid:  # a frozen copy of its timeline: not at every batch
            timeline = self._roster.timeline(sid)
            duration = timeline.duration_seconds() if timeline else None
            people = plural(self._roster.took_part(sid), "participant")  # a rejoin is one
            facts = f"ended after {clock_text(duration or 0.0)} with {people}."
            self._banner_facts = (sid, facts)
        self.banner.text.setText(f"{name} {self._banner_facts[1]}")

    def speaking(self, conference_sid: str) -> str:
        return speaking_text(self._roster, conference_sid, self._clock())

    # ---- windows ---------------------------------------------------------------------------

    def open_current(self) -> None:
        sid = self._current()
        if sid is not None:
            self.open_timeline(sid)

    def open_timeline(self, conference_sid: str) -> TimelineWindow:
        view = self._reuse("timeline", conference_sid)
        if not isinstance(view, TimelineWindow):
            view = TimelineWindow(
                self._roster, conference_sid, self.markers, self._clock, self._window
            )
            self._keep("timeline", conference_sid, view)
        self._raise(view)
        return view

    def open_summary(self, conference_sid: str) -> SummaryDialog:
        dialog = self._reuse("summary", conference_sid)
        if not isinstance(dialog, SummaryDialog):
            dialog = SummaryDialog(
                self._roster, conference_sid, self.html, self.open_timeline, self._window
            )
            self._keep("summary", conference_sid, dialog)
        self._raise(dialog)
        return dialog

    def summary_of_current(self) -> SummaryDialog | None:
        sid = self._current()
        return self.open_summary(sid) if sid is not None else None

    def save_report_of_current(self) -> None:
        """Meeting → Save HTML report…: the summary's save dialog, without opening the summary."""
        sid = self._current()
        if sid is None or self.html is None:
            return
        html = self.html

        def save(path: Path) -> None:
            problem = save_page(html, sid, path)
            self.notify("error" if problem else "info", problem or f"Saved the report to {path}")

        SummaryDialog.ask_path_for(self._window, save)

    def _summary_from_banner(self) -> None:
        sid = self.banner.conference_sid
        self.banner.dismiss()
        if sid is not None:
            self.open_summary(sid)

    def _reuse(self, kind: str, conference_sid: str) -> QWidget | None:
        return self.windows.get((kind, conference_sid))

    def _keep(self, kind: str, conference_sid: str, widget: QWidget) -> None:
        widget.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.windows[(kind, conference_sid)] = widget
        widget.destroyed.connect(lambda *_: self.windows.pop((kind, conference_sid), None))

    @staticmethod
    def _raise(widget: QWidget) -> None:
        widget.show()
        widget.raise_()
        widget.activateWindow()
