"""One name per person: the rule every view and report uses to call a participant.

The host's own name for the number (the address book) comes first, then the label the console
gave the call, then the caller name Twilio looked up (CallerName), then the number, and last
"Caller N" by the order the call first appeared in its conference. A CallSid is never a name: it
belongs only in technical fields (JSON, CSV, a details view).
"""

from __future__ import annotations

UNKNOWN = "Caller"  # no ordinal known either


def display_name(
    *,
    name: str | None = None,
    label: str | None = None,
    caller_name: str | None = None,
    number: str | None = None,
    ordinal: int = 0,
) -> str:
    """The one display name: address-book name → label → caller name → number → "Caller N"."""
    for candidate in (name, label, caller_name, number):
        if candidate is not None and candidate.strip():
            return candidate.strip()
    return f"{UNKNOWN} {ordinal}" if ordinal > 0 else UNKNOWN


def plural(count: int, word: str, many: str | None = None) -> str:
    """'1 participant', '2 participants', '0 participants' (`many` for an irregular plural)."""
    return f"{count} {word if count == 1 else (many or word + 's')}"
