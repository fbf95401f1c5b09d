"""TwiML documents as the simulator reads them: parsed with xml.etree, refused as Twilio refuses."""

from __future__ import annotations

from dataclasses import dataclass
from xml.etree import ElementTree
from xml.etree.ElementTree import Element

DOCUMENT_PARSE_FAILURE = 12100  # Twilio's code for an answer that is not valid TwiML
HTTP_RETRIEVAL_FAILURE = 11200  # Twilio's code for a Voice URL that fails or answers non-2xx
# The verbs the simulator follows; any other element makes the document invalid here (Twilio
# knows more verbs, but the simulator must not pretend to follow what it does not).
VERBS = frozenset({"Say", "Play", "Pause", "Gather", "Redirect", "Hangup", "Dial", "Start"})
GATHER_NESTED = frozenset({"Say", "Play", "Pause"})
START_NESTED = frozenset({"Transcription"})  # <Start>'s forks the simulator follows
# What a waitUrl, HoldUrl or AnnounceUrl may answer; any other verb is Twilio's 13238.
AUDIO_VERBS = frozenset({"Say", "Play", "Pause", "Redirect"})
INVALID_AUDIO_VERB = 13238
MAX_TWIML_CHARS = 4000  # the Calls API's limit for its Twiml parameter


class TwimlError(Exception):
    """A document Twilio would refuse: its error code and why (safe to log)."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Document:
    """A parsed TwiML answer and the URL it came from (relative URLs resolve against it)."""

    verbs: tuple[Element, ...]
    url: str | None


def parse(
    text: str,
    url: str | None,
    verbs: frozenset[str] = VERBS,
    refused: int = DOCUMENT_PARSE_FAILURE,
) -> Document:
    """The verbs of a `<Response>` document; TwimlError 12100 for anything else, or `refused`
    for a verb outside `verbs` (13238 where only audio verbs are allowed)."""
    try:
        root = ElementTree.fromstring(text.strip())
    except ElementTree.ParseError as err:
        raise TwimlError(DOCUMENT_PARSE_FAILURE, f"Document parse failure: {err}") from None
    if root.tag != "Response":
        raise TwimlError(
            DOCUMENT_PARSE_FAILURE, f"Document parse failure: root is <{root.tag}>, not <Response>"
        )
    for verb in root:
        _check(verb, verbs, refused)
        if verb.tag == "Gather":
            for nested in verb:
                _check(nested, GATHER_NESTED)
        if verb.tag == "Start":
            for nested in verb:
                _check(nested, START_NESTED)
        if verb.tag == "Dial" and not any(child.tag == "Conference" for child in verb):
            raise TwimlError(
                DOCUMENT_PARSE_FAILURE,
                "the simulator follows <Dial> only with a <Conference> noun",
            )
    return Document(tuple(root), url)


def _check(element: Element, allowed: frozenset[str], code: int = DOCUMENT_PARSE_FAILURE) -> None:
    if element.tag not in allowed:
        raise TwimlError(code, f"Document parse failure: unknown or misplaced <{element.tag}>")


def flag(element: Element, name: str, default: bool) -> bool:
    """A TwiML boolean attribute ("true"/"false", any case)."""
    raw = element.get(name)
    return default if raw is None else raw.strip().lower() == "true"


def number(element: Element, name: str, default: float) -> float:
    """A numeric attribute; the default when absent or not a number."""
    try:
        return float(element.get(name, default))
    except ValueError:
        return default
