"""The short text a host pastes into a chat or an e-mail so people can dial in."""

from __future__ import annotations


def invitation_text(meeting: str, number: str | None, pin: str | None, *, pin_set: bool) -> str:
    """`Join “TeamMeeting” by phone: call +1 202 555 0199, then key the PIN 2468 and #.`

    `pin` is the clear PIN only while the console knows it (the host typed it this session);
    with `pin_set` and no `pin` the text says a PIN is asked, so nobody is surprised by it.
    """
    lines = [f"Join “{meeting}” by phone."]
    lines.append(f"Call {number}." if number else "Call the meeting's number.")
    if pin:
        lines.append(f"When asked, key the PIN {pin} and then #.")
    elif pin_set:
        lines.append("When asked, key the meeting's PIN and then # (ask the host for it).")
    return "\n".join(lines)
