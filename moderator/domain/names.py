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


MAX_QUERY_CHARS = 100  # a search string longer than any name or number is cut, not an error


def matches(query: str, name: str, number: str | None = None) -> bool:
    """Whether a search box's `query` finds the person called `name` (their one display
    name) with `number`: every word of the query is in the name (ignoring case), or the
    query's digits are in the number's digits ("555 0101" finds +1 312 555 0101).

    Any string is harmless: it is compared as text, never interpreted (no pattern, no markup).
    """
    words = query[:MAX_QUERY_CHARS].casefold().split()
    if not words:
        return True
    folded = name.casefold()
    if all(word in folded for word in words):
        return True
    digits = "".join(ch for ch in query[:MAX_QUERY_CHARS] if ch.isdigit())
    has_letters = any(ch.isalpha() for ch in query)
    if not digits or has_letters or not number:
        return False
    return digits in "".join(ch for ch in number if ch.isdigit())
