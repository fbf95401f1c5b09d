"""Announcements waiting for Twilio to fetch them: the text stays here, the URL carries an id.

An AnnounceUrl is fetched by Twilio with its query string on the request line; 460 CJK
characters are 4 KB once percent-encoded, past what a web server takes in one line. So the
console keeps each text under a random id and the URL names the id only.
"""

from __future__ import annotations

import secrets
from collections import OrderedDict

MAX_ANNOUNCEMENT_CHARS = 500
KEPT = 64  # announcements remembered; Twilio fetches each within seconds of the update


class AnnouncementBoard:
    """The texts of recent announcements by id (the oldest forgotten past KEPT)."""

    def __init__(self) -> None:
        self._texts: OrderedDict[str, str] = OrderedDict()

    def post(self, text: str) -> str:
        """Keep `text` (cut to MAX_ANNOUNCEMENT_CHARS) and return its id for the URL."""
        ident = secrets.token_urlsafe(12)
        self._texts[ident] = text[:MAX_ANNOUNCEMENT_CHARS]
        while len(self._texts) > KEPT:
            self._texts.popitem(last=False)
        return ident

    def text(self, ident: str) -> str | None:
        """The text posted under `ident`; None for an id not known (or forgotten)."""
        return self._texts.get(ident)
