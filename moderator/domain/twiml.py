"""The TwiML that puts a caller into the moderated conference, subscribed to every callback."""

from __future__ import annotations

from xml.etree import ElementTree

from moderator.domain.twilio_words import SUBSCRIBED_EVENTS

XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'


def join_conference(conference_name: str, status_callback_url: str) -> str:
    """The TwiML document for one caller: join `conference_name`, callbacks to our server.

    Built with ElementTree (escaping included) so the settings dialog can show the same document
    the voice route serves without importing the server.
    """
    response = ElementTree.Element("Response")
    dial = ElementTree.SubElement(response, "Dial")
    conference = ElementTree.SubElement(
        dial,
        "Conference",
        statusCallback=status_callback_url,
        statusCallbackEvent=SUBSCRIBED_EVENTS,
        statusCallbackMethod="POST",
    )
    conference.text = conference_name
    return XML_DECLARATION + ElementTree.tostring(response, encoding="unicode")
