"""Which Twilio REST call does what for the door and the breakout rooms.

- Moving a live call (admit from the waiting room, into or out of a breakout room) and denying
  one (a spoken goodbye, then hang up) both replace the call's TwiML: Calls update `Twiml`.
  Twilio takes the call out of its conference (ReasonParticipantLeft
  participant_updated_via_api) and runs the new document, which dials the other conference.
- Speaking to a whole room: Conference update `AnnounceUrl` (POST), a console route that
  answers `<Say>`; announcement-end or -fail follows as a conference callback.
"""

from __future__ import annotations

from typing import Any

from twilio.rest import Client


async def replace_twiml(client: Client, call_sid: str, twiml: str) -> Any:
    """POST /Calls/{CallSid}.json Twiml=…: the call leaves where it is and follows `twiml`."""
    return await client.calls(call_sid).update_async(twiml=twiml)


async def announce(client: Client, conference_sid: str, url: str) -> Any:
    """POST /Conferences/{ConferenceSid}.json AnnounceUrl=…: everyone in it hears `url`."""
    return await client.conferences(conference_sid).update_async(
        announce_url=url, announce_method="POST"
    )
