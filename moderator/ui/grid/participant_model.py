"""The participants present in one conference, as a list model fed by roster changes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from moderator.domain.clock import utc_now
from moderator.domain.roster import Change, Participant, Roster
from moderator.domain.timeline import Track
from moderator.ui.grid.avatar_colours import AvatarSlots
from moderator.ui.grid.roles import ITEM_FLAGS, Role
from moderator.ui.look import theme
from moderator.ui.plain_text import plain_tip

_Index = QModelIndex | QPersistentModelIndex
# A repaint asks every tile for its share of all talk; the sum over everyone is taken once per
# this many seconds (and again after any change), not once per tile.
TALK_TOTAL_FRESH = 0.05


@dataclass(frozen=True)
class TalkTime:
    """How long someone has talked in this conference and their share of all the talking."""

    seconds: float
    share: float  # 0..1


def clock_text(seconds: float) -> str:
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"


def states(participant: Participant) -> list[str]:
    """What is true of the participant, in words: muted, on hold, speaking, pending…"""
    flags = [
        word
        for word, on in (
            ("muted", participant.muted),
            ("on hold", participant.hold),
            ("speaking", participant.speaking),
            ("presenter", participant.presenter),
            ("coaching", participant.coaching),
        )
        if on
    ]
    if participant.pending is not None:
        flags.append(f"{participant.pending.kind.value} sent, waiting for Twilio")
    if participant.ringing:
        flags.append("ringing, not in the call yet")
    return flags


def spoken(participant: Participant) -> str:
    """One line a screen reader announces: 'Alice, muted, on hold, mute sent, waiting…'."""
    return ", ".join([participant.display_name, *states(participant)])


def describe(participant: Participant) -> str:
    """A plain-text summary (tool tip and the accessible description)."""
    flags = states(participant)
    lines = [participant.display_name]
    if participant.number and participant.number != participant.display_name:
        lines.append(participant.number)
    lines.append(participant.call_sid)
    if flags:
        lines.append(", ".join(flags))
    return "\n".join(lines)


SAID_CHARS = 160  # of a caller's last line in their tile's tool tip


def _nothing_said(_call_sid: str) -> str | None:
    return None


class HostView(Protocol):
    """The host's own call and whom it whispers to (the Moderator service offers these)."""

    def me(self, conf_sid: str) -> str | None: ...

    def coaching(self, conf_sid: str) -> tuple[str, str] | None: ...


MAX_MARK_NAME = 12  # a coached name on a tile's pill: its first word, cut past this many


def host_marks(
    participant: Participant,
    me: str | None,
    coaching: tuple[str, str] | None,
    name_of: Callable[[str], str],
) -> tuple[str, ...]:
    """What the host's state says of one tile, in words: "you", "coaching Alice",
    "hears you" (the person whispered to)."""
    marks: list[str] = []
    if participant.call_sid == me:
        marks.append("you")
    if coaching is not None:
        coach, coached = coaching
        if participant.call_sid == coach:
            name = (name_of(coached).split() or ["someone"])[0]  # "Alice": the pill is short
            short = name if len(name) <= MAX_MARK_NAME else name[: MAX_MARK_NAME - 1] + "…"
            marks.append(f"coaching {short}")
        elif participant.call_sid == coached:
            marks.append("hears you" if coach == me else f"coached by {name_of(coach)}")
    return tuple(marks)


class _Batch:
    """What one batch of changes reads from the roster, each read once (the roster does not
    change while the views apply a batch)."""

    def __init__(self, present: Callable[[], list[str]], avatar_key: Callable[[str], str]) -> None:
        self._read_present = present
        self._present: list[str] | None = None
        self._avatar_key = avatar_key
        self._keys: dict[str, str] = {}
        self._shown_keys: list[str] | None = None

    def present(self) -> list[str]:
        if self._present is None:
            self._present = self._read_present()
        return self._present

    def key(self, call_sid: str) -> str:
        key = self._keys.get(call_sid)
        if key is None:
            key = self._keys[call_sid] = self._avatar_key(call_sid)
        return key

    def shown_keys(self, shown: list[str], inserted: str | None) -> list[str]:
        """The keys of the tiles `shown`: read at the first call, then kept by adding the one
        `inserted` since (250 joins read 250 keys, not 250 x 250)."""
        if self._shown_keys is None:
            self._shown_keys = [self.key(sid) for sid in shown]
        elif inserted is not None:
            self._shown_keys.append(self.key(inserted))
        return self._shown_keys


def _shown(participant: Participant) -> bool:
    """In the call, or a dial-out still ringing (a "Ringing…" tile that is not counted)."""
    return participant.present or participant.ringing


class ParticipantModel(QAbstractListModel):
    """Present participants of the selected conference, in the order the roster first saw them.

    A participant who leaves is removed (beginRemoveRows); one who joins or rejoins is inserted
    at its roster position (beginInsertRows); any other change emits dataChanged for its row only.
    """

    def __init__(
        self,
        roster: Roster,
        parent: QObject | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        super().__init__(parent)
        self._roster = roster
        self._clock = clock
        self._conference_sid: str | None = None
        self._sids: list[str] = []
        self._rows: dict[str, int] = {}
        self._avatars = AvatarSlots(len(theme.AVATAR_COLOURS))
        self._by_talk = False  # rows ordered by talk time (most first) instead of arrival
        self._batches = 0  # change batches seen: a talk-total memo is from before any newer one
        self._talk_memo: tuple[str, int, datetime, float] | None = None
        # what a caller said last (live captions; the app sets it): the tile's tool tip says it
        self.last_words: Callable[[str], str | None] = _nothing_said
        self.host: HostView | None = None  # the host's own call and whisper (tiles mark them)

    # ---- feeding ---------------------------------------------------------------------------

    @property
    def conference_sid(self) -> str | None:
        return self._conference_sid

    def set_conference(self, conference_sid: str | None) -> None:
        """Show another conference (the only time the model resets)."""
        if conference_sid == self._conference_sid:
            return
        self.beginResetModel()
        self._conference_sid = conference_sid
        self._sids = self._present_sids()
        self._reindex()
        batch = _Batch(self._present_sids, self._avatar_key)  # each name read once, not n times
        for sid in self._sids:  # in roster order, so colours come out the same every run
            self._assign_avatar(sid, batch)
        self.endResetModel()

    def on_changes(self, changes: list[Change]) -> None:
        """Apply a batch of roster changes: touch only the rows they name."""
        self._batches += 1
        if self._conference_sid is None:
            return
        touched = dict.fromkeys(  # each participant once per batch, in the order of the changes
            change.call_sid
            for change in changes
            if change.conference_sid == self._conference_sid and change.call_sid is not None
        )
        # The roster does not change while a batch is applied: who is present, in what order,
        # and the names on the tiles are read once per batch, not once per joining tile (a
        # 250-person meeting's joins cost 250 x 250 roster reads and display names).
        # Decide from the roster's current state, not the change kind, so a refold that
        # reorders events can never leave the model out of step.
        sid = self._conference_sid
        wanted = {}
        for call_sid in touched:
            participant = self._roster.participant(sid, call_sid)
            wanted[call_sid] = participant is not None and _shown(participant)
        self._remove_rows(
            [self._rows[c] for c, shown in wanted.items() if not shown and c in self._rows]
        )
        batch = _Batch(self._present_sids, self._avatar_key)
        for call_sid, shown in wanted.items():
            if shown:
                self._sync(call_sid, batch)
        if self._by_talk:
            self._resort()  # at callbacks (speech stops), not every second: tiles rest meanwhile

    def _remove_rows(self, rows: list[int]) -> None:
        """Remove `rows`, each run of neighbours at once and from the bottom up: the end of a
        250-person conference is one removal, not 250 that each renumbered the rows after it."""
        rows.sort(reverse=True)
        while rows:
            last = first = rows.pop(0)
            while rows and rows[0] == first - 1:
                first = rows.pop(0)
            self.beginRemoveRows(QModelIndex(), first, last)
            for call_sid in self._sids[first : last + 1]:
                del self._rows[call_sid]
            del self._sids[first : last + 1]
            self._reindex(first)
            self.endRemoveRows()

    def _sync(self, call_sid: str, batch: _Batch) -> None:
        """A participant to show: inserted at its roster position, else its row repainted."""
        row = self._rows.get(call_sid)
        if row is None:
            row = self._insert_position(batch.present(), call_sid)
            self.beginInsertRows(QModelIndex(), row, row)
            self._sids.insert(row, call_sid)
            self._reindex(row)
            self._assign_avatar(call_sid, batch, inserted=True)
            self.endInsertRows()
        else:
            index = self.index(row)
            self.dataChanged.emit(index, index)

    def _insert_position(self, present: list[str], call_sid: str) -> int:
        """Where `call_sid` goes so the rows keep the roster's order."""
        shown = self._rows  # not a set of the rows made at each join
        before = 0
        for sid in present:
            if sid == call_sid:
                break
            if sid in shown:
                before += 1
        return before

    def _present_sids(self) -> list[str]:
        if self._conference_sid is None:
            return []
        return [p.call_sid for p in self._roster.present_or_ringing(self._conference_sid)]

    def _avatar_key(self, call_sid: str) -> str:
        # The name on the tile, not the call SID: a rejoin is a new call of the same person.
        assert self._conference_sid is not None
        participant = self._roster.participant(self._conference_sid, call_sid)
        return participant.display_name if participant is not None else call_sid

    def _assign_avatar(self, call_sid: str, batch: _Batch, inserted: bool = False) -> None:
        shown = batch.shown_keys(self._sids, call_sid if inserted else None)
        self._avatars.assign(batch.key(call_sid), shown)

    def _reindex(self, start: int = 0) -> None:
        """Rows from `start` on moved (those before it did not)."""
        if start == 0:
            self._rows = {}
        for row in range(start, len(self._sids)):
            self._rows[self._sids[row]] = row

    # ---- talk time -------------------------------------------------------------------------

    @property
    def sorted_by_talk(self) -> bool:
        return self._by_talk

    def sort_by_talk(self, on: bool) -> None:
        """Order the tiles by talk time, most first (off: the order people came in)."""
        self._by_talk = on
        self._resort()

    def talk_time(self, call_sid: str) -> TalkTime:
        sid = self._conference_sid
        if sid is None:
            return TalkTime(0.0, 0.0)
        now = self._clock()
        seconds = self._roster.timelines.seconds(sid, call_sid, Track.SPEAKING, now)
        total = self._talk_total(sid, now)
        return TalkTime(seconds, seconds / total if total > 0 else 0.0)

    def _talk_total(self, sid: str, now: datetime) -> float:
        memo = self._talk_memo
        if (
            memo is not None
            and memo[:2] == (sid, self._batches)
            and abs((now - memo[2]).total_seconds()) < TALK_TOTAL_FRESH
        ):
            return memo[3]
        total = self._roster.timelines.talk_total(sid, now)
        self._talk_memo = (sid, self._batches, now, total)
        return total

    def _resort(self) -> None:
        order = {sid: row for row, sid in enumerate(self._present_sids())}
        if self._by_talk:
            now, conference = self._clock(), self._conference_sid or ""
            seconds = self._roster.timelines.seconds
            talk = {sid: seconds(conference, sid, Track.SPEAKING, now) for sid in self._sids}
            wanted = sorted(self._sids, key=lambda s: (-talk[s], order.get(s, len(order))))
        else:
            wanted = sorted(self._sids, key=lambda s: order.get(s, len(order)))
        if wanted == self._sids:
            return
        self.layoutAboutToBeChanged.emit()
        moved = self.persistentIndexList()
        sids = [self._sids[index.row()] for index in moved]
        self._sids = wanted
        self._reindex()
        self.changePersistentIndexList(moved, [self.index(self._rows[sid]) for sid in sids])
        self.layoutChanged.emit()

    def refresh_all(self) -> None:
        """Every tile repaints (the host's own call or whisper changed)."""
        if self._sids:
            self.dataChanged.emit(self.index(0), self.index(len(self._sids) - 1))

    def marks(self, participant: Participant) -> tuple[str, ...]:
        host, conf = self.host, self._conference_sid
        if host is None or conf is None:
            return ()

        def name_of(call_sid: str) -> str:
            other = self._roster.participant(conf, call_sid)
            # one who left (hung up, sent to wait) hears no whisper: "coaching nobody"
            return other.display_name if other is not None and other.present else "nobody"

        return host_marks(participant, host.me(conf), host.coaching(conf), name_of)

    # ---- queries ---------------------------------------------------------------------------

    def participant(self, row: int) -> Participant | None:
        if self._conference_sid is None or not 0 <= row < len(self._sids):
            return None
        return self._roster.participant(self._conference_sid, self._sids[row])

    def row_of(self, call_sid: str) -> int:
        """The row showing `call_sid`, or -1."""
        return self._rows.get(call_sid, -1)

    def call_sids(self) -> list[str]:
        return list(self._sids)

    def pending_rows(self) -> list[int]:
        """Rows whose tile animates: an action sent and unconfirmed (the roster's pending
        overlay) or a dial-out still ringing."""
        conference_sid = self._conference_sid
        if conference_sid is None:
            return []
        rows = []
        for row, sid in enumerate(self._sids):
            participant = self._roster.participant(conference_sid, sid)
            if participant is not None and (participant.pending is not None or participant.ringing):
                rows.append(row)
        return rows

    # ---- QAbstractListModel ----------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._sids)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        participant = self.participant(index.row())
        if participant is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return participant.display_name
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return ", ".join([spoken(participant), *self.marks(participant)])
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleDescriptionRole):
            talk = self.talk_time(participant.call_sid)
            share = f"talked {clock_text(talk.seconds)} ({talk.share:.0%} of all talk)"
            marks = self.marks(participant)
            text = f"{describe(participant)}\n{share}" + (f"\n{', '.join(marks)}" if marks else "")
            said = self.last_words(participant.call_sid)
            if said:  # a tool tip is a glance: a long utterance is cut (the pane has it all)
                cut = said if len(said) <= SAID_CHARS else said[: SAID_CHARS - 1] + "…"
                text += f"\nsaid: “{cut}”"
            return plain_tip(text) if role == Qt.ItemDataRole.ToolTipRole else text
        if role == Role.TALK:
            return self.talk_time(participant.call_sid)
        if role == Role.HOST_MARKS:
            return self.marks(participant)
        if role == Role.PARTICIPANT:
            return participant
        if role == Role.CALL_SID:
            return participant.call_sid
        if role == Role.AVATAR_COLOUR:
            return theme.AVATAR_COLOURS[self._avatars.slot(participant.display_name)]
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return ITEM_FLAGS
