"""The console's settings as typed data with defaults; persistence lives in the UI layer."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Settings:
    """Everything a host can configure, except secrets (those live in the keyring)."""

    account_sid: str = ""
    api_key: str = ""  # optional API key SID (SK...); its secret lives in the keyring
    public_url: str = ""  # the tunnel's base URL, e.g. https://abc.ngrok.app
    tunnel: str = ""  # "ngrok": the console starts its own tunnel (authtoken in the keyring)
    port: int = 8080
    conference_name: str = "TeamMeeting"  # what /twilio/voice puts callers into
    caller_id: str = ""  # From for dial-out: a Twilio number of the account
    # REST calls in flight at once (bulk actions and all): half Twilio's default per-account
    # limit of 100, so other programs on the account keep room; 429s shrink it (AIMD)
    rest_concurrency: int = 50
    rest_timeout: float = 10.0  # seconds, connect + read, for every REST call
    auto_mute_enabled: bool = False  # mute everyone but the presenter ...
    auto_mute_delay: float = 30.0  # ... this many seconds after conference-start
    mute_on_entry: bool = False  # mute late joiners as they join
    hold_music_url: str = ""  # HoldUrl; empty: Twilio's default music
    record_from_start: bool = False  # the voice route's <Conference record="record-from-start">
