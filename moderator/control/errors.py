"""Turn whatever a Twilio REST call raised into a short reason a host can read (no secrets)."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass

import aiohttp
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.response import Response

from moderator.domain.twilio_words import (
    AUTH_FAILED,
    CONFERENCE_FULL,
    DUPLICATE_LABEL,
    NOT_FOUND,
    TOO_MANY_REQUESTS,
)


class NoAnswer(Exception):
    """Twilio did not answer: a timeout or no connection. `reason` is safe to show."""

    def __init__(self, reason: str, *, timed_out: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.timed_out = timed_out


class Refused(Exception):
    """Several REST calls sent as one action, some refused: `reason` (already described,
    one "where: why" per refusal) is safe to show."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class NotConfigured(Exception):
    """No credentials that allow REST calls."""


@dataclass(frozen=True)
class Failure:
    """Why a REST call failed: `reason` completes "Could not mute Bob: …"."""

    reason: str
    status: int | None = None  # HTTP status; None when Twilio never answered
    code: int | None = None  # Twilio error code

    @property
    def credentials_rejected(self) -> bool:
        return self.status == 401 or self.code == AUTH_FAILED

    @property
    def gone(self) -> bool:
        """The participant or conference no longer exists: the roster is stale, reconcile."""
        return self.status == 404


def describe(exc: BaseException, *, subject: str = "participant") -> Failure:
    """Why the SDK or our HTTP client failed; `subject` is what a 404 refers to."""
    if isinstance(exc, NotConfigured):
        return Failure(str(exc) or "no Twilio credentials are configured")
    if isinstance(exc, NoAnswer | Refused):
        return Failure(exc.reason)
    if isinstance(exc, TwilioRestException):
        return _rest_failure(exc, subject)
    if isinstance(exc, TwilioException):
        page_error = _page_failure(exc)
        if page_error is not None:
            return _rest_failure(page_error, subject)
        return Failure(f"the Twilio library reported: {str(exc)[:200]}")
    if isinstance(exc, asyncio.TimeoutError):
        return Failure("Twilio did not answer in time")
    if isinstance(exc, aiohttp.ClientError):
        return Failure(f"cannot reach Twilio ({type(exc).__name__})")
    return Failure(f"unexpected error ({type(exc).__name__})")


_REJECTED = "Twilio rejected the credentials; check the Account SID and Auth Token"


def _page_failure(exc: TwilioException) -> TwilioRestException | None:
    """list() raises a bare TwilioException("Unable to fetch page", response) for any non-200
    answer (401, 404, 429, 5xx alike): rebuild the REST error from that response."""
    if len(exc.args) < 2 or not isinstance(exc.args[1], Response):
        return None
    response: Response = exc.args[1]
    code: int | None = None
    message = ""
    try:
        body = json.loads(response.text or "")
    except ValueError:
        body = None
    if isinstance(body, dict):
        code = body.get("code") if isinstance(body.get("code"), int) else None
        message = str(body.get("message") or "")
    return TwilioRestException(response.status_code, "", msg=message, code=code)


def _rest_failure(exc: TwilioRestException, subject: str) -> Failure:
    status, code = exc.status, exc.code
    if status == 401 or code == AUTH_FAILED:
        reason = _REJECTED
    elif status == 404 or code == NOT_FOUND:
        reason = (
            "Twilio says the participant has left"
            if subject == "participant"
            else f"Twilio says the {subject} is over or does not exist"
        )
    elif status == 429 or code == TOO_MANY_REQUESTS:
        reason = "Twilio is rate limiting requests and still refused after retries"
    elif code == CONFERENCE_FULL:
        reason = "Twilio says the conference is full (250 participants)"
    elif code == DUPLICATE_LABEL:
        reason = "Twilio says another participant already has that label"
    elif status >= 500:
        reason = f"Twilio had a server error (HTTP {status}) and still failed after retries"
    else:
        message = (exc.msg or "").strip().rstrip(".")
        reason = f"Twilio says {message[:200]}" if message else f"Twilio answered HTTP {status}"
    suffix = f" ({code})" if code else f" (HTTP {status})"
    return Failure(reason + suffix, status=status, code=code if isinstance(code, int) else None)


def redact(text: str, *secrets: str | None) -> str:
    """`text` with every secret replaced, as a last guard before it reaches a log or the UI."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    return text
