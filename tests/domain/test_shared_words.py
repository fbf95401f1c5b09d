"""Words shared by Twilio and the console's parts are defined once, in domain/."""

from __future__ import annotations

import ast
from pathlib import Path

from moderator.domain.events import parse_callback
from moderator.domain.roster import Roster
from moderator.domain.state import ConferenceStatus
from moderator.domain.twilio_words import EVENT_WORDS, SUBSCRIBED_EVENTS, SUBSCRIPTION_WORD
from moderator.domain.twiml import join_conference
from tests.forms import START, form

PACKAGE = Path(__file__).resolve().parents[2] / "moderator"
SHARED = {
    "EVENT_WORDS",
    "SUBSCRIBED_EVENTS",
    "ALL_EVENTS",
    "SUBSCRIPTION_WORD",
    "AUTH_FAILED",
    "NOT_FOUND",
    "TOO_MANY_REQUESTS",
    "CONFERENCE_FULL",
    "DUPLICATE_LABEL",
    "CONFERENCE_EVENTS_PATH",
    "VOICE_PATH",
}


def modules() -> list[tuple[Path, ast.Module]]:
    return [(path, ast.parse(path.read_text())) for path in sorted(PACKAGE.rglob("*.py"))]


def test_shared_words_are_assigned_only_in_domain() -> None:
    owners: dict[str, list[str]] = {}
    for path, tree in modules():
        for node in tree.body:
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name) and target.id in SHARED:
                        owners.setdefault(target.id, []).append(str(path.relative_to(PACKAGE)))
    assert owners == {name: ["domain/twilio_words.py"] for name in owners}
    assert set(owners) == SHARED - {"ALL_EVENTS"}


def test_one_utc_now() -> None:
    defined = [
        str(path.relative_to(PACKAGE))
        for path, tree in modules()
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef) and node.name == "utc_now"
    ]
    assert defined == ["domain/clock.py"]


def test_the_ui_does_not_import_the_server() -> None:
    for path in sorted((PACKAGE / "ui").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                assert not (node.module or "").startswith("moderator.server"), path.name
            elif isinstance(node, ast.Import):
                assert not any(a.name.startswith("moderator.server") for a in node.names)


def test_every_event_has_a_subscription_word_and_twiml_subscribes_to_all() -> None:
    assert set(SUBSCRIPTION_WORD.values()) == set(EVENT_WORDS)
    twiml = join_conference("TeamMeeting", "https://example.com/twilio/conference-events")
    assert f'statusCallbackEvent="{SUBSCRIBED_EVENTS}"' in twiml


def test_conference_status_is_an_enum_not_display_text() -> None:
    roster = Roster()
    roster.apply(parse_callback(form("conference-start", 1), START))
    (conference,) = roster.conferences()
    assert conference.status is ConferenceStatus.IN_PROGRESS
    roster.apply(parse_callback(form("conference-end", 2), START))
    (conference,) = roster.conferences()
    assert conference.status is ConferenceStatus.COMPLETED and not conference.status.live
    assert ConferenceStatus.parse("bogus") is None
