"""Words Twilio and the console share: callback subscriptions, error codes, webhook paths.

Each lives here once; the server, control, the simulator and the UI import them from here.
"""

from __future__ import annotations

# ---- statusCallbackEvent subscriptions --------------------------------------------------------

# The words `<Conference statusCallbackEvent>` and the Participants API accept.
EVENT_WORDS = ("start", "end", "join", "leave", "mute", "hold", "modify", "speaker", "announcement")
# The console subscribes to every word: "announcement" and "modify" are cheap and keep the log
# complete. A space-separated string for TwiML, a list for the REST API.
SUBSCRIBED_EVENTS = " ".join(EVENT_WORDS)
# Which subscription word makes Twilio send each StatusCallbackEvent.
SUBSCRIPTION_WORD = {
    "conference-start": "start",
    "conference-end": "end",
    "participant-join": "join",
    "participant-leave": "leave",
    "participant-mute": "mute",
    "participant-unmute": "mute",
    "participant-hold": "hold",
    "participant-unhold": "hold",
    "participant-modify": "modify",
    "participant-speech-start": "speaker",
    "participant-speech-stop": "speaker",
    "announcement-end": "announcement",
    "announcement-fail": "announcement",
}

# ---- Twilio REST error codes (https://www.twilio.com/docs/api/errors) -------------------------

# Input that did not pass validation: Twilio's generic "400: Bad Request" code. (20001 is only
# a warning, "unknown parameters ... were ignored", never an error answer.)
INVALID_PARAMETER = 400
AUTH_FAILED = 20003
NOT_FOUND = 20404
TOO_MANY_REQUESTS = 20429
CONFERENCE_FULL = 16020
# "Participant to be whispered is not present in the conference": a CallSidToCoach (or
# <Conference coach>) that is not a call connected to the same live conference
NOT_IN_CONFERENCE_TO_COACH = 16028
INVALID_LABEL = (
    16024  # a Participants API label over 128 characters, shaped like a CallSid or with '/'
)
DUPLICATE_LABEL = 16026  # a Participants API label another participant has
DUPLICATE_LABEL_TWIML = 16025  # the same clash through <Conference participantLabel>
FROM_NOT_VERIFIED = 21210  # a From the account neither bought nor verified
INVALID_TO = 21211
INVALID_URL = 21205  # a Calls Url that is not an http(s) URL
INVALID_NUMBER_URL = 21402  # an IncomingPhoneNumber VoiceUrl (or other handler URL) likewise
CALL_NOT_IN_PROGRESS = 21220  # a Calls update of a call that has ended
FROM_REQUIRED = 21603
TO_REQUIRED = 21604

# ---- the console's webhook routes ------------------------------------------------------------

CONFERENCE_EVENTS_PATH = "/twilio/conference-events"
VOICE_PATH = "/twilio/voice"
RECORDING_EVENTS_PATH = "/twilio/recording-events"  # the recording status callback
TRANSCRIPTION_EVENTS_PATH = "/twilio/transcription-events"  # real-time transcription callbacks
CALL_STATUS_PATH = "/twilio/call-status"  # the number's call StatusCallback: each call's end
PIN_PATH = "/twilio/voice/pin"  # the PIN prompt's <Gather action>, ?attempt=N
ANNOUNCE_PATH = "/twilio/announce"  # an AnnounceUrl that speaks the text kept under ?id=
HEALTH_PATH = "/healthz"
