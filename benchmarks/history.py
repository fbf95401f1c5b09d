"""Journals full of past meetings, written by SQLite itself (a million callbacks in seconds).

Each past conference: the presenter joins, the conference starts, 249 guests join, guests take
turns speaking, the conference ends. The forms are Twilio-shaped and replay like real ones;
the schema is the console's own (the Journal creates the file first).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from benchmarks.callbacks import ACCOUNT_SID
from moderator.store.journal import JOURNAL_FILE, Journal

PER_CONFERENCE = 5000
FIRST = 0x1000  # conference numbers of the past: never those of the live benchmark meetings

_INSERT = """
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < :total - 1),
rows AS (
    SELECT i, :first + i / :per AS c, i % :per + 1 AS s FROM n
),
shaped AS (
    SELECT i, c, s,
        CASE
            WHEN s = 1 THEN 'participant-join'
            WHEN s = 2 THEN 'conference-start'
            WHEN s <= 251 THEN 'participant-join'
            WHEN s = :per THEN 'conference-end'
            WHEN s % 2 = 0 THEN 'participant-speech-start'
            ELSE 'participant-speech-stop'
        END AS event,
        CASE
            WHEN s = 1 THEN 0
            WHEN s = 2 OR s = :per THEN NULL
            WHEN s <= 251 THEN s - 2
            ELSE 1 + ((s - 252) / 2) % 249
        END AS person,
        printf('Wed, 25 Nov 2026 %02d:%02d:%02d +0000',
               (i / 20) / 3600 % 24, (i / 20) / 60 % 60, (i / 20) % 60) AS stamp,
        printf('2026-11-25T%02d:%02d:%02d.000+00:00',
               (i / 20) / 3600 % 24, (i / 20) / 60 % 60, (i / 20) % 60) AS received
    FROM rows
)
INSERT INTO callbacks (received_at, conference_sid, sequence, event, call_sid, form)
SELECT received, 'CF' || printf('%032x', c), s, event,
    CASE WHEN person IS NULL THEN NULL ELSE 'CA' || printf('%016x%016x', c, person) END,
    CASE WHEN person IS NULL THEN json_object(
        'AccountSid', :account, 'ConferenceSid', 'CF' || printf('%032x', c),
        'FriendlyName', 'Past' || c, 'StatusCallbackEvent', event,
        'SequenceNumber', CAST(s AS TEXT), 'Timestamp', stamp)
    ELSE json_object(
        'AccountSid', :account, 'ConferenceSid', 'CF' || printf('%032x', c),
        'FriendlyName', 'Past' || c, 'StatusCallbackEvent', event,
        'SequenceNumber', CAST(s AS TEXT), 'Timestamp', stamp,
        'CallSid', 'CA' || printf('%016x%016x', c, person),
        'ParticipantLabel', CASE WHEN person = 0 THEN 'Presenter'
                                 ELSE printf('Guest %03d', person) END,
        'Muted', 'false', 'Hold', 'false', 'Coaching', 'false',
        'EndConferenceOnExit', CASE WHEN person = 0 THEN 'true' ELSE 'false' END,
        'StartConferenceOnEnter', CASE WHEN person = 0 THEN 'true' ELSE 'false' END)
    END
FROM shaped
"""


def conference_sids(total: int, per_conference: int = PER_CONFERENCE) -> list[str]:
    count = -(-total // per_conference)
    return [f"CF{FIRST + c:032x}" for c in range(count)]


def write_history(data_dir: Path, total: int, per_conference: int = PER_CONFERENCE) -> list[str]:
    """A journal in `data_dir` holding `total` callbacks of ended conferences; their SIDs."""
    path = data_dir / JOURNAL_FILE
    Journal(path).close()  # the console's schema and pragmas
    if total:
        db = sqlite3.connect(path)
        with db:
            db.execute(
                _INSERT,
                {"total": total, "per": per_conference, "first": FIRST, "account": ACCOUNT_SID},
            )
        db.close()
    return conference_sids(total, per_conference) if total else []
