"""How Twilio's REST API is doing, as the status bar shows it: follows every real outcome."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class ConnectionState(str, Enum):
    NOT_CONFIGURED = "not configured"  # no credentials that allow REST calls
    UNKNOWN = "not checked yet"  # credentials, but no request answered yet
    CONNECTED = "connected"  # the last request got a real answer (2xx, or a 4xx about the call)
    DEGRADED = "degraded"  # Twilio answers, but with 5xx or 429: calls fail or wait
    UNREACHABLE = "unreachable"  # no answer: timeout, DNS, refused connection
    REJECTED = "credentials rejected"  # 401: wrong Account SID, token or API key


@dataclass(frozen=True)
class TwilioStatus:
    """The connection state and, when it is not plain, why (safe to show: no secrets)."""

    state: ConnectionState
    reason: str = ""


def status_for(http_status: int | None) -> TwilioStatus:
    """The connection state one REST attempt's outcome shows (None: no answer came)."""
    if http_status is None:
        return TwilioStatus(ConnectionState.UNREACHABLE, "no answer from Twilio")
    if http_status == 401:
        return TwilioStatus(ConnectionState.REJECTED, "Twilio answered 401 Unauthorized")
    if http_status == 429:
        return TwilioStatus(ConnectionState.DEGRADED, "Twilio is rate limiting (429)")
    if http_status >= 500:
        return TwilioStatus(
            ConnectionState.DEGRADED, f"Twilio answers with server errors ({http_status})"
        )
    return TwilioStatus(ConnectionState.CONNECTED)
