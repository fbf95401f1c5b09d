"""TwiML for the door: the PIN prompt, the waiting room, a spoken goodbye, an announcement."""

from __future__ import annotations

from xml.etree import ElementTree
from xml.etree.ElementTree import Element

from moderator.domain.twilio_words import SUBSCRIBED_EVENTS
from moderator.domain.twiml import document

PIN_TIMEOUT_SECONDS = 10
# Twilio's own hold music: what a <Conference> plays without a waitUrl, named so the lobby
# always has music (a host's hold music URL from Settings replaces it).
TWILIO_HOLD_MUSIC = "http://twimlets.com/holdmusic?Bucket=com.twilio.music.classical"
NO_PIN = "No PIN was entered. Goodbye."
WAIT_METHOD = "GET"  # how Twilio fetches the lobby's waitUrl (see conference())


def _say(parent: Element, text: str) -> None:
    if text:
        ElementTree.SubElement(parent, "Say").text = text


def ask_pin(action_url: str, prompt: str, *, pause: int = 0) -> str:
    """Gather the PIN (ended by #) and post it to `action_url`.

    `pause` seconds of silence come first (the door is slowed while someone guesses PINs).
    An empty entry (# alone, or silence) is posted too (actionOnEmptyResult): without it
    Twilio goes on to the next verb and the caller is hung up at the first slip, while the
    door counts an empty entry as a wrong PIN and asks again. The goodbye after the Gather
    is only reached if the action cannot be fetched.
    """
    response = Element("Response")
    if pause > 0:
        ElementTree.SubElement(response, "Pause", length=str(pause))
    gather = ElementTree.SubElement(
        response,
        "Gather",
        action=action_url,
        method="POST",
        finishOnKey="#",
        timeout=str(PIN_TIMEOUT_SECONDS),
        actionOnEmptyResult="true",
    )
    _say(gather, prompt)
    _say(response, NO_PIN)
    ElementTree.SubElement(response, "Hangup")
    return document(response)


def goodbye(text: str) -> str:
    """Say `text`, then hang up (locked out, PIN refused, denied entry)."""
    response = Element("Response")
    _say(response, text)
    ElementTree.SubElement(response, "Hangup")
    return document(response)


def conference(
    name: str,
    status_callback_url: str,
    *,
    say: str = "",
    wait_url: str | None = None,
    start_on_enter: bool = True,
    label: str | None = None,
) -> str:
    """Join the conference `name` with every callback to the console.

    The waiting room is such a conference whose callers have startConferenceOnEnter="false":
    it never starts, so they hear the wait music until the host moves them.
    """
    response = Element("Response")
    _say(response, say)
    dial = ElementTree.SubElement(response, "Dial")
    attributes = {
        "statusCallback": status_callback_url,
        "statusCallbackEvent": SUBSCRIBED_EVENTS,
        "statusCallbackMethod": "POST",
    }
    if not start_on_enter:
        attributes["startConferenceOnEnter"] = "false"
    if label:
        attributes["participantLabel"] = label
    if wait_url:
        # GET, not Twilio's default POST: a static WAV/MP3 host answers POST with 405 and the
        # callers would wait in silence (error 13234's page). The same URL is the HoldUrl,
        # which Twilio fetches with GET, so one URL works for both.
        attributes["waitUrl"] = wait_url
        attributes["waitMethod"] = WAIT_METHOD
    ElementTree.SubElement(dial, "Conference", attributes).text = name
    return document(response)


def announcement(text: str) -> str:
    """What an AnnounceUrl answers: the text, spoken once."""
    response = Element("Response")
    _say(response, text)
    return document(response)
