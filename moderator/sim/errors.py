"""Twilio-style API errors raised by the simulator and their JSON bodies."""

from __future__ import annotations

from typing import Any

from moderator.domain.twilio_words import (
    AUTH_FAILED,
    CONFERENCE_FULL,
    DUPLICATE_LABEL,
    FROM_NOT_VERIFIED,
    FROM_REQUIRED,
    INVALID_LABEL,
    INVALID_PARAMETER,  # approximate: the simulator's code for a malformed parameter
    INVALID_TO,
    NOT_FOUND,
    NOT_IN_CONFERENCE_TO_COACH,
    TO_REQUIRED,
    TOO_MANY_REQUESTS,
)

MORE_INFO = "https://www.twilio.com/docs/errors/{code}"

__all__ = [
    "AUTH_FAILED",
    "CONFERENCE_FULL",
    "DUPLICATE_LABEL",
    "FROM_NOT_VERIFIED",
    "FROM_REQUIRED",
    "INVALID_LABEL",
    "INVALID_PARAMETER",
    "INVALID_TO",
    "NOT_FOUND",
    "NOT_IN_CONFERENCE_TO_COACH",
    "TOO_MANY_REQUESTS",
    "TO_REQUIRED",
    "SimError",
    "default_code",
    "error_body",
    "not_found",
]


class SimError(Exception):
    """An error answered the way Twilio's REST API answers it."""

    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def body(self) -> dict[str, Any]:
        """The JSON error body: code, message, more_info and status."""
        return error_body(self.status, self.code, self.message)


def error_body(status: int, code: int, message: str) -> dict[str, Any]:
    """Twilio's legacy error envelope."""
    return {
        "code": code,
        "message": message,
        "more_info": MORE_INFO.format(code=code),
        "status": status,
    }


def not_found(what: str) -> SimError:
    """20404 for a resource that does not exist (or is no longer live)."""
    return SimError(404, NOT_FOUND, f"The requested resource {what} was not found")


def default_code(status: int) -> int:
    """The Twilio error code the simulator uses for an injected HTTP status."""
    return {401: AUTH_FAILED}.get(status, 20000 + status)
