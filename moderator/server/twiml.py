"""TwiML that puts an incoming call into the moderated conference with every useful callback."""

from __future__ import annotations

from twilio.twiml.voice_response import Dial, VoiceResponse

CONFERENCE_EVENTS_PATH = "/twilio/conference-events"
VOICE_PATH = "/twilio/voice"
# Everything the console shows; "announcement" and "modify" are cheap and keep the log complete.
SUBSCRIBED_EVENTS = "start end join leave mute hold modify speaker announcement"


def join_conference(conference_name: str, status_callback_url: str) -> str:
    """The TwiML document for one caller: join `conference_name`, callbacks to our server."""
    dial = Dial()
    dial.conference(
        conference_name,
        status_callback=status_callback_url,
        status_callback_event=SUBSCRIBED_EVENTS,
        status_callback_method="POST",
    )
    response = VoiceResponse()
    response.append(dial)
    return str(response)
