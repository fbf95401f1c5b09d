"""The TwiML that puts a caller into the moderated conference, subscribed to every callback."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from xml.etree import ElementTree
from xml.etree.ElementTree import Element

from moderator.domain.recordings import CALLBACK_EVENTS, RECORD_FROM_START
from moderator.domain.transcripts import INBOUND_TRACK
from moderator.domain.twilio_words import SUBSCRIBED_EVENTS

XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'
TRANSCRIBED = "This call is transcribed."  # what a caller hears when captions are on
# the name every transcription the console starts carries: the REST resource stops it by name
CAPTIONS_NAME = "moderator-captions"
# What XML 1.0 cannot hold, even escaped: C0 controls but tab and newlines, lone surrogates,
# U+FFFE/U+FFFF. ElementTree writes them as they are, and Twilio cannot parse the result.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def document(response: Element) -> str:
    """The TwiML document for `response`, always parseable: characters XML cannot hold (an
    announcement's or a name's control characters) are left out."""
    return XML_DECLARATION + _NOT_XML.sub("", ElementTree.tostring(response, encoding="unicode"))


@dataclass(frozen=True)
class KnownCaller:
    """A caller the voice route recognises by number: a name for the tile, and whether the
    call is the presenter's (starts the conference, ends it on leaving)."""

    label: str | None = None
    presenter: bool = False


def join_conference(
    conference_name: str,
    status_callback_url: str,
    *,
    caller: KnownCaller | None = None,
    presenter_expected: bool = False,
    recording_callback_url: str | None = None,
    transcription_callback_url: str | None = None,
) -> str:
    """The TwiML document for one caller: join `conference_name`, callbacks to our server.

    A presenter starts the conference and ends it on leaving; when a presenter is expected,
    everyone else waits for them (startConferenceOnEnter false). Built with ElementTree
    (escaping included) so the settings dialog can show the same document the voice route
    serves without importing the server. With `recording_callback_url` the conference is
    recorded from the start (the first caller's attributes fix it) and reports its recording's
    status there.
    """
    attributes: Mapping[str, str] = {
        "statusCallback": status_callback_url,
        "statusCallbackEvent": SUBSCRIBED_EVENTS,
        "statusCallbackMethod": "POST",
    }
    if caller is not None and caller.presenter:
        attributes = {**attributes, "startConferenceOnEnter": "true", "endConferenceOnExit": "true"}
    elif presenter_expected:
        attributes = {**attributes, "startConferenceOnEnter": "false"}
    if caller is not None and caller.label:
        attributes = {**attributes, "participantLabel": caller.label}
    if recording_callback_url:
        attributes = {
            **attributes,
            "record": RECORD_FROM_START,
            "recordingStatusCallback": recording_callback_url,
            "recordingStatusCallbackMethod": "POST",
            "recordingStatusCallbackEvent": CALLBACK_EVENTS,
        }
    response = ElementTree.Element("Response")
    if transcription_callback_url:
        transcribe(response, transcription_callback_url)
    dial = ElementTree.SubElement(response, "Dial")
    conference = ElementTree.SubElement(dial, "Conference", dict(attributes))
    conference.text = conference_name
    return document(response)


def transcription_attributes(callback_url: str) -> dict[str, str]:
    """`<Transcription>`'s attributes (and the REST create's, in its own casing): the caller's
    own leg only (inbound_track), so each line's speaker is known exactly; partial results,
    so the captions pane shows words while they are spoken."""
    return {
        "name": CAPTIONS_NAME,
        "statusCallbackUrl": callback_url,
        "statusCallbackMethod": "POST",
        "track": INBOUND_TRACK,
        "partialResults": "true",
    }


def transcribe(response: Element, callback_url: str) -> None:
    """Append `<Say>This call is transcribed.</Say><Start><Transcription …/></Start>`: the
    transcription runs alongside whatever TwiML follows, until the call ends or is stopped."""
    ElementTree.SubElement(response, "Say").text = TRANSCRIBED
    start = ElementTree.SubElement(response, "Start")
    ElementTree.SubElement(start, "Transcription", transcription_attributes(callback_url))
