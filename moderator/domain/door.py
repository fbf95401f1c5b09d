"""The meeting's door: given the door settings and a caller, what happens to their call.

Pure decisions; the voice route turns them into TwiML (domain/door_twiml.py) and journals them.
A caller first meets the PIN (when one is set), then the admission rule: "always admit" callers
join, a locked meeting turns others away (or holds them in the waiting room when it is on), and
the waiting room holds everyone else until the host admits them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import Enum
from urllib.parse import urlencode

from moderator.dispatch import Signal
from moderator.domain import door_twiml
from moderator.domain.address_book import AddressBook
from moderator.domain.announcements import AnnouncementBoard
from moderator.domain.pin_hash import pin_matches
from moderator.domain.twilio_words import ANNOUNCE_PATH
from moderator.domain.twiml import KnownCaller, join_conference

MAX_PIN_ATTEMPTS = 3
LOBBY_SUFFIX = "-lobby"  # the waiting room's conference is "{meeting}-lobby"

ASK_PIN = "Please enter the meeting PIN, then press the pound key."
WRONG_PIN = "That PIN is not right."
TOO_MANY_ATTEMPTS = "That PIN is not right. Goodbye."
LOCKED = "This meeting is locked. Goodbye."
PLEASE_WAIT = "Please wait, the host will let you in soon."
SENT_TO_WAIT = "The host moved you to the waiting room. Please wait, they will let you back in."
DENIED = "The host did not let you in to this meeting. Goodbye."
MEETING_OVER = "The meeting has ended. Goodbye."  # to those still waiting when the host ends it
# the PIN guard (domain/pin_guard.py): journaled words and what a locked-out number hears
PIN_LOCKED_OUT_KIND = "pin-locked-out"
PIN_ALARM_KIND = "pin-alarm"
PIN_LOCKED_OUT = "Too many wrong PINs were keyed from this number. Please try again later. Goodbye."
# how a call held at the door ended, from the number's call status callback (call_status.py)
HUNG_UP_AT_PIN = "hung-up-at-pin"
LEFT_LOBBY = "left-lobby"


@dataclass(frozen=True)
class DoorSettings:
    """What the host set for the door: a PIN (its salted hash, empty: none), the lock, the
    waiting room. The clear PIN is never kept (domain/host_state.py hashes it)."""

    pin_hash: str = ""
    locked: bool = False
    waiting_room: bool = False


@dataclass(frozen=True)
class Addresses:
    """Where the door's TwiML points: the meeting and the console's public URLs."""

    meeting: str
    public_base: str
    callback_url: str
    hold_music_url: str = ""
    # callers the console knows by number (the demo's people): their label, and whether they
    # present (start the conference, end it on leaving; the others then wait for them)
    known_callers: Mapping[str, KnownCaller] = field(default_factory=dict)
    recording_callback_url: str = ""  # set: the meeting (not its lobby) is recorded
    # set: captions are on; a caller let into the meeting gets their leg transcribed
    transcription_callback_url: str = ""
    # where the announce route finds an announcement's text (the URL names only its id)
    announcements: AnnouncementBoard = field(default_factory=AnnouncementBoard)

    def announce_url(self, text: str) -> str:
        """The AnnounceUrl that speaks `text`: kept on the board, its id in the URL."""
        return (
            self.public_base
            + ANNOUNCE_PATH
            + "?"
            + urlencode({"id": self.announcements.post(text)})
        )

    def label_of(self, number: str | None) -> str | None:
        known = self.known_callers.get(number or "")
        return known.label if known else None

    def lobby(self, number: str | None, say: str = "", label: str | None = None) -> str:
        """The TwiML that puts a call in the meeting's waiting room (the lobby conference),
        with hold music while it waits; `label`: the call's own when the number is unknown."""
        return door_twiml.conference(
            lobby_name(self.meeting),
            self.callback_url,
            say=say,
            wait_url=self.hold_music_url or door_twiml.TWILIO_HOLD_MUSIC,
            start_on_enter=False,
            label=self.label_of(number) or label,
        )

    def join(
        self, conference: str, number: str, *, entering: bool = False, label: str | None = None
    ) -> str:
        """The TwiML that puts `number` into `conference` with every callback to the console.

        `entering`: the door's last step (a new caller let in, or admitted from the waiting
        room): with captions on, their leg's transcription starts here. A call moved between
        rooms keeps the transcription it has. `label`: the call's own (Call me's "Host") when
        the number is not a known caller's, so a move keeps the name its tile shows.
        """
        captions = entering and conference == self.meeting and self.transcription_callback_url
        return join_conference(
            conference,
            self.callback_url,
            caller=self.known_callers.get(number) or (KnownCaller(label) if label else None),
            presenter_expected=any(c.presenter for c in self.known_callers.values()),
            recording_callback_url=(
                self.recording_callback_url if conference == self.meeting else None
            ),
            transcription_callback_url=self.transcription_callback_url if captions else None,
        )


class Verdict(str, Enum):
    """What happens to a call at the door; also the word journaled for it."""

    JOIN = "join"
    ASK_PIN = "ask-pin"
    WAIT = "wait"  # into the waiting room (the lobby conference)
    LOCKED_OUT = "locked-out"
    WRONG_PIN = "wrong-pin"  # asked again
    PIN_REFUSED = "pin-refused"  # the last attempt was wrong: hung up


# The word journaled when a caller keyed the right PIN (followed by the verdict it led to).
PIN_RIGHT = "pin-right"


@dataclass(frozen=True)
class Decision:
    """A verdict, the attempt the next PIN prompt is (1-based), and what the caller hears first."""

    verdict: Verdict
    attempt: int = 0
    say: str = ""


def lobby_name(meeting: str) -> str:
    """The waiting room's conference name for a meeting."""
    return meeting + LOBBY_SUFFIX


def is_lobby(friendly_name: str) -> bool:
    return friendly_name.endswith(LOBBY_SUFFIX)


def on_arrival(door: DoorSettings, book: AddressBook, number: str) -> Decision:
    """A new call reaches /twilio/voice."""
    if door.pin_hash:
        return Decision(Verdict.ASK_PIN, attempt=1, say=ASK_PIN)
    return admission(door, book, number)


def on_pin(
    door: DoorSettings, book: AddressBook, number: str, digits: str, attempt: int
) -> Decision:
    """The caller keyed `digits` at PIN prompt number `attempt`."""
    if not door.pin_hash or pin_matches(digits, door.pin_hash):
        return admission(door, book, number)
    if attempt >= MAX_PIN_ATTEMPTS:
        return Decision(Verdict.PIN_REFUSED, attempt=attempt, say=TOO_MANY_ATTEMPTS)
    return Decision(Verdict.WRONG_PIN, attempt=attempt + 1, say=f"{WRONG_PIN} {ASK_PIN}")


def admission(door: DoorSettings, book: AddressBook, number: str) -> Decision:
    """Past the PIN: join, wait, or be turned away by the lock.

    "Always admit" opens the lock and skips the waiting room, but not the PIN: a caller ID can be
    forged, a PIN cannot be guessed from the outside.
    """
    if book.always_admits(number):
        return Decision(Verdict.JOIN)
    if door.waiting_room:
        return Decision(Verdict.WAIT, say=PLEASE_WAIT)
    if door.locked:
        return Decision(Verdict.LOCKED_OUT, say=LOCKED)
    return Decision(Verdict.JOIN)


@dataclass(frozen=True)
class DoorEntry:
    """One thing that happened at the door, for the event log."""

    at: datetime
    call_sid: str
    number: str
    name: str | None  # the address book's name, else the label the console knows them by
    kind: str  # the journaled word: a Verdict's value, or PIN_RIGHT
    attempt: int = 0

    @property
    def who(self) -> str:
        """The caller as their tile names them: the known name, else the number."""
        return self.name or self.number or self.call_sid

    @property
    def text(self) -> str:
        return {
            Verdict.JOIN.value: f"{self.who} is let in",
            Verdict.ASK_PIN.value: f"{self.who} is asked for the PIN",
            Verdict.WAIT.value: f"{self.who} is in the waiting room",
            Verdict.LOCKED_OUT.value: f"{self.who} was turned away: the meeting is locked",
            Verdict.WRONG_PIN.value: (
                f"{self.who} entered a wrong PIN (attempt {self.attempt} of {MAX_PIN_ATTEMPTS})"
            ),
            Verdict.PIN_REFUSED.value: f"{self.who} entered a wrong PIN {MAX_PIN_ATTEMPTS} times"
            " and was hung up",
            PIN_RIGHT: f"{self.who} entered the right PIN",
            HUNG_UP_AT_PIN: f"{self.who} hung up at the PIN prompt",
            LEFT_LOBBY: f"{self.who} left the waiting room (hung up)",
            PIN_LOCKED_OUT_KIND: f"{self.who} keyed too many wrong PINs: that number is refused"
            " for now",
            PIN_ALARM_KIND: "Many wrong PINs from several numbers: someone may be guessing the"
            " PIN. The door now answers slowly and gives each call one try.",
        }.get(self.kind, f"{self.who}: {self.kind}")


class Door:
    """The door as it is now: read by the voice route on every call, changed by the host."""

    def __init__(self, settings: DoorSettings | None = None, book: AddressBook | None = None):
        self.settings = settings or DoorSettings()
        self.book = book or AddressBook()
        # the settings or the book changed
        self.changed: Signal[[DoorSettings, AddressBook]] = Signal("door.changed")

    def update(self, **changes: object) -> DoorSettings:
        """New door settings (pin_hash, locked, waiting_room); listeners hear of a real change."""
        new = replace(self.settings, **changes)  # type: ignore[arg-type]
        if new != self.settings:
            self.settings = new
            self._tell()
        return new

    def set_book(self, book: AddressBook) -> None:
        if book != self.book:
            self.book = book
            self._tell()

    def _tell(self) -> None:
        self.changed.emit(self.settings, self.book)
