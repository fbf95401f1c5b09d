"""The console's settings, each declared once as data: key, default, type, page, label, tip.

`Settings` is the typed value the rest of the console reads. Each of its fields is made by
`setting(...)`, which keeps the field's default and its `Setting` (where it shows in the
settings dialog, what it is called there, its range, the names an older version saved it
under) in one place, as Vorta's `store/settings.py` does; `SETTINGS` lists them in field order.
The dialog builds its pages from that list and the settings store reads and writes it, so a new
setting is one declaration here. Persistence (QSettings) and widgets live in the UI layer.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import Enum
from typing import Any, TypeVar

_T = TypeVar("_T", str, int, float, bool)


class Page(Enum):
    """The settings dialog's page a setting shows on (HIDDEN: set elsewhere, e.g. the
    setup assistant, and saved all the same)."""

    ACCOUNT = "Twilio account"
    SERVER = "Server"
    MODERATION = "Moderation"
    HIDDEN = ""


@dataclass(frozen=True)
class Setting:
    """One setting as data. `key` is the Settings field and the name it is saved under."""

    key: str
    default: str | int | float | bool
    type: type
    page: Page
    label: str  # the form row's label ("" for a row that continues the one above)
    tooltip: str = ""
    text: str = ""  # a check box's own text
    placeholder: str = ""  # what an empty text field shows
    minimum: float = 0  # numbers: the range the field accepts
    maximum: float = 0
    suffix: str = ""  # numbers: the unit after the value
    # what the host types is stripped; a base URL also loses its trailing slashes
    base_url: bool = False
    blank_is_default: bool = False  # an emptied field means the default, not ""
    enabled_by: str = ""  # a bool setting's key: the field is editable only while it is on
    old_keys: tuple[str, ...] = ()  # names an older version saved it under, still read


_SETTING = "setting"


def setting(default: _T, page: Page, label: str, **details: Any) -> _T:
    """A Settings field with its default and its declaration (see `Setting` for `details`).

    Typed as the default so that `port: int = setting(8080, ...)` reads as an int field; the
    value is a dataclasses.field carrying the declaration in its metadata.
    """
    declared = {"default": default, "type": type(default), "page": page, "label": label}
    field: Any = dataclasses.field(default=default, metadata={_SETTING: {**declared, **details}})
    return field  # type: ignore[no-any-return]


@dataclass
class Settings:
    """Everything a host can configure, except secrets (those live in the keyring)."""

    account_sid: str = setting(
        "",
        Page.ACCOUNT,
        "Account SID",
        placeholder="AC followed by 32 hex digits",
        tooltip="Your Twilio account's SID (Twilio Console, Account info)",
    )
    # optional API key SID (SK...); its secret lives in the keyring
    api_key: str = setting(
        "",
        Page.ACCOUNT,
        "API key SID",
        placeholder="optional: SK…",
        tooltip="An API key to call Twilio with instead of the Auth Token (its secret below)",
    )
    public_url: str = setting(
        "",
        Page.SERVER,
        "Public URL",
        placeholder="https://your-tunnel.example.com",
        tooltip="The base URL a tunnel or proxy maps to this console's webhook server",
        base_url=True,
    )
    port: int = setting(
        8080, Page.SERVER, "Webhook port", tooltip="0 picks any free port", maximum=65535
    )
    conference_name: str = setting(
        "TeamMeeting",
        Page.SERVER,
        "Conference name",
        tooltip="The conference callers of the number join (empty: TeamMeeting)",
        blank_is_default=True,
    )
    caller_id: str = setting(
        "",
        Page.SERVER,
        "Caller ID for dial-out",
        placeholder="+14155550100 (a number of your Twilio account)",
        tooltip="The From of a call the console places: a number of your Twilio account",
    )
    host_number: str = setting(
        "",
        Page.SERVER,
        "Your phone number (Call me)",
        placeholder="+14155550123 (the phone you join the meeting on)",
        tooltip="Call me dials this number into the meeting and marks that call as yours",
    )
    # "ngrok": the console starts its own tunnel (authtoken in the keyring); the assistant sets it
    tunnel: str = setting("", Page.HIDDEN, "Tunnel")
    auto_mute_enabled: bool = setting(
        False,
        Page.MODERATION,
        "Auto-mute",
        text="Mute everyone but the presenter after the conference starts",
    )
    auto_mute_delay: float = setting(
        30.0,
        Page.MODERATION,
        "",
        tooltip="How long after the conference starts everyone but the presenter is muted",
        maximum=3600.0,
        suffix=" s after start",
        enabled_by="auto_mute_enabled",
    )
    mute_on_entry: bool = setting(
        False, Page.MODERATION, "Late joiners", text="Mute people who join late"
    )
    hold_music_url: str = setting(
        "",
        Page.MODERATION,
        "Hold music URL",
        placeholder="Twilio's default hold music",
        tooltip="What a caller on hold hears (HoldUrl): an audio file or TwiML",
    )
    record_from_start: bool = setting(
        False,
        Page.MODERATION,
        "Recording",
        text="Record the meeting from its start",
        tooltip='The voice route\'s <Conference record="record-from-start">',
    )
    captions: bool = setting(
        False,
        Page.MODERATION,
        "Live captions",
        text="Caption what callers say (Twilio charges per minute for each caller)",
        tooltip="Twilio's real-time transcription of each caller's own leg, billed per minute"
        ' per caller; callers hear "This call is transcribed". Turning it on or off applies'
        " to the callers already in, too.",
    )
    # REST calls in flight at once (bulk actions and all): half Twilio's default per-account
    # limit of 100, so other programs on the account keep room; 429s shrink it (AIMD)
    rest_concurrency: int = setting(
        50,
        Page.MODERATION,
        "REST calls at once",
        tooltip="At most this many calls to Twilio's REST API in flight; a 429 lowers it",
        minimum=1,
        maximum=64,
        old_keys=("bulk_concurrency",),  # its name when it capped bulk actions only
    )
    rest_timeout: float = setting(
        10.0,
        Page.MODERATION,
        "REST timeout",
        tooltip="Seconds to connect and read for every REST call",
        minimum=1.0,
        maximum=120.0,
        suffix=" s",
    )


SETTINGS: tuple[Setting, ...] = tuple(
    Setting(key=field.name, **field.metadata[_SETTING]) for field in dataclasses.fields(Settings)
)


def on_page(page: Page) -> list[Setting]:
    """The settings a page shows, in the order it shows them."""
    return [declared for declared in SETTINGS if declared.page is page]
