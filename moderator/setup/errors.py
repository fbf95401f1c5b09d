"""The one error type of the setup steps, and what a failed Twilio request means to a host."""

from __future__ import annotations

import asyncio

import aiohttp
from twilio.base.exceptions import TwilioException, TwilioRestException

from moderator.control.errors import NoAnswer, Refused, describe
from moderator.domain.twilio_words import AUTH_FAILED

WRONG_CREDENTIALS = f"wrong SID or token: Twilio refused them ({AUTH_FAILED})"
UNREACHABLE = "cannot reach Twilio"


class SetupError(Refused):
    """A setup step failed for a reason in the host's world (wrong token, no tunnel, ...).

    `str(error)` (its `reason`) is one line that names what to fix; it never holds a secret, so
    the action lifecycle journals and tells it as it is (control/errors.py `describe`).
    """


class AlreadyRestored(SetupError):
    """`connect-number --restore` found the number already put back: nothing to do."""


def twilio_failure(exc: BaseException, *, subject: str) -> SetupError:
    """A SetupError for whatever a REST call of a setup step raised."""
    if isinstance(exc, NoAnswer | asyncio.TimeoutError | aiohttp.ClientError | OSError):
        reason = exc.reason if isinstance(exc, NoAnswer) else type(exc).__name__
        if reason.startswith(UNREACHABLE):
            return SetupError(reason)
        return SetupError(f"{UNREACHABLE} ({reason})")
    if isinstance(exc, TwilioRestException | TwilioException):
        failure = describe(exc, subject=subject)
        if failure.credentials_rejected:
            return SetupError(WRONG_CREDENTIALS)
        return SetupError(failure.reason)
    return SetupError(describe(exc, subject=subject).reason)
