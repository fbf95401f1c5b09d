"""The host's message about an action, written once: redacted, logged, sent to the sink."""

from __future__ import annotations

import logging
from collections.abc import Callable

from moderator.control.errors import redact
from moderator.credentials import Credentials
from moderator.messages import Level, Sink

log = logging.getLogger(__name__)


class HostMessages:
    """Every control service tells the host through one of these: no secret (the auth token,
    the API secret) reaches the window, the log or the journal's error text."""

    def __init__(self, sink: Sink, credentials: Callable[[], Credentials]) -> None:
        self.sink = sink
        self._credentials = credentials

    def redact(self, text: str) -> str:
        creds = self._credentials()
        return redact(text, creds.auth_token, creds.api_secret)

    def say(self, level: Level, text: str) -> str:
        """Tell the host `text` (redacted, and logged); returns what was said."""
        text = self.redact(text)
        (log.warning if level is Level.ERROR else log.info)("%s", text)
        try:
            self.sink(level, text)
        except Exception:
            log.exception("the message sink failed")
        return text

    def info(self, text: str) -> str:
        return self.say(Level.INFO, text)

    def error(self, text: str) -> str:
        return self.say(Level.ERROR, text)
