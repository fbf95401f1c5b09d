"""The rules' pure decisions: targets of mute-all, auto-mute timing, mute on entry."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from moderator.domain.actions import ActionKind, PendingAction
from moderator.domain.roster import Conference, Participant
from moderator.domain.rules import (
    RuleSettings,
    auto_mute_wait,
    intends_muted,
    mute_targets,
    mutes_on_entry,
    unmute_targets,
)
from moderator.domain.state import ConferenceStatus

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)
LIVE = Conference(sid="CF1", status=ConferenceStatus.IN_PROGRESS, started_at=T0)


def person(sid: str, **flags: object) -> Participant:
    return Participant(conference_sid="CF1", call_sid=sid, label=sid, **flags)  # type: ignore[arg-type]


def pending(kind: ActionKind) -> PendingAction:
    return PendingAction(kind, T0)


def test_intends_muted_follows_a_pending_mute_or_unmute() -> None:
    assert intends_muted(person("a", muted=True))
    assert intends_muted(person("a", pending=pending(ActionKind.MUTE)))
    assert not intends_muted(person("a", muted=True, pending=pending(ActionKind.UNMUTE)))
    assert intends_muted(person("a", muted=True, pending=pending(ActionKind.HOLD)))


def test_mute_targets_skip_presenter_absent_and_muted() -> None:
    everyone = [
        person("mary"),
        person("alice"),
        person("bob", muted=True),
        person("gone", present=False),
        person("carl", pending=pending(ActionKind.MUTE)),
        person("dina", muted=True, pending=pending(ActionKind.UNMUTE)),
    ]
    assert [p.call_sid for p in mute_targets(everyone, "mary")] == ["alice", "dina"]
    assert [p.call_sid for p in mute_targets(everyone, "mary", except_presenter=False)] == [
        "mary",
        "alice",
        "dina",
    ]
    assert [p.call_sid for p in mute_targets(everyone, None)] == ["mary", "alice", "dina"]
    assert [p.call_sid for p in unmute_targets(everyone)] == ["bob", "carl"]


def test_auto_mute_wait() -> None:
    assert auto_mute_wait(T0, T0 + timedelta(seconds=10), 30) == 20
    assert auto_mute_wait(T0, T0 + timedelta(seconds=31), 30) is None  # passed while closed
    assert auto_mute_wait(None, T0, 30) is None


def test_mute_on_entry_only_for_late_non_presenters() -> None:
    on = RuleSettings(mute_on_entry=True)
    bob = person("bob")
    assert mutes_on_entry(on, LIVE, bob, "mary")
    assert not mutes_on_entry(RuleSettings(), LIVE, bob, "mary")  # off by default
    assert not mutes_on_entry(on, Conference(sid="CF1"), bob, "mary")  # not started yet
    assert not mutes_on_entry(on, LIVE, person("mary"), "mary")
    assert not mutes_on_entry(on, LIVE, person("bob", muted=True), "mary")
    assert not mutes_on_entry(on, LIVE, person("host", end_conference_on_exit=True), None)
    assert not mutes_on_entry(on, None, bob, None)


def test_defaults_are_off() -> None:
    rules = RuleSettings()
    assert not rules.auto_mute_enabled and not rules.mute_on_entry


def test_intends_hold_follows_a_pending_hold_or_unhold() -> None:
    from moderator.domain.rules import intends_hold

    assert intends_hold(person("a", pending=pending(ActionKind.HOLD)))
    assert not intends_hold(person("a", hold=True, pending=pending(ActionKind.UNHOLD)))
    assert intends_hold(person("a", hold=True))
