"""Pure state rules of the simulator: mixing start, end reasons, paging tokens."""

from __future__ import annotations

import pytest

from moderator.sim import SimError
from moderator.sim.paging import paginate
from moderator.sim.world import World, parse_events


def _world() -> tuple[World, str]:
    world = World("AC" + "0" * 32)
    return world, world.create_conference("Room", "http://x/cb", "start end join leave").sid


def _join(world: World, conf_sid: str, label: str, **flags: bool) -> list[str]:
    conf = world.conference(conf_sid)
    part = world.add_participant(
        conf, from_="+1", to="+2", direction="inbound", label=label, **flags
    )
    return [e.name for e in world.connect(conf, part)]


def test_start_needs_two_and_a_starter() -> None:
    world, conf = _world()
    assert _join(world, conf, "A", start_conference_on_enter=False) == ["participant-join"]
    assert _join(world, conf, "B", start_conference_on_enter=False) == ["participant-join"]
    assert world.conference(conf).status == "init"
    assert _join(world, conf, "C") == ["participant-join", "conference-start"]
    assert _join(world, conf, "D") == ["participant-join"]  # only once
    assert world.conference(conf).status == "in-progress"


def test_lone_starter_does_not_start() -> None:
    world, conf = _world()
    assert _join(world, conf, "A") == ["participant-join"]


def test_last_participant_kicked() -> None:
    world, conf_sid = _world()
    _join(world, conf_sid, "A")
    conf = world.conference(conf_sid)
    events = world.remove(
        conf, world.participant(conf, "A"), "participant_updated_via_api", kicked=True
    )
    assert [e.name for e in events] == ["participant-leave", "conference-end"]
    assert events[-1].params["ReasonConferenceEnded"] == "last-participant-kicked"
    assert conf.status == "completed"
    with pytest.raises(SimError) as info:
        world.add_participant(conf, from_="+1", to="+2", direction="inbound")
    assert info.value.code == 20404


def test_labels_are_unique_only_among_present() -> None:
    world, conf_sid = _world()
    _join(world, conf_sid, "Bob")
    _join(world, conf_sid, "Mary")
    conf = world.conference(conf_sid)
    with pytest.raises(SimError) as info:
        _join(world, conf_sid, "Bob")
    assert info.value.code == 16026
    world.remove(conf, world.participant(conf, "Bob"), "participant_hung_up")
    assert _join(world, conf_sid, "Bob") == ["participant-join"]


def test_parse_events() -> None:
    assert parse_events(None) is None
    assert parse_events("start  end,join bogus") == {"start", "end", "join"}
    assert parse_events(["mute", "hold speaker"]) == {"mute", "hold", "speaker"}


def test_paging_tokens_survive_changes() -> None:
    items = [f"CA{i}" for i in range(10)]

    def page(query: dict[str, str], source: list[str]) -> dict[str, object]:
        return paginate(
            source,
            key="things",
            path="/p.json",
            query=query,
            filters={"Muted": "true"},
            sid_of=str,
            render=lambda s: {"sid": s},
        )

    first = page({"PageSize": "4"}, items)
    assert first["next_page_uri"] == "/p.json?Muted=true&PageSize=4&Page=1&PageToken=PACA3"
    # an item on the first page leaves: the next page still starts after CA3
    second = page({"PageSize": "4", "Page": "1", "PageToken": "PACA3"}, items[1:])
    assert [t["sid"] for t in second["things"]] == ["CA4", "CA5", "CA6", "CA7"]  # type: ignore[attr-defined]
    back = page({"PageSize": "4", "Page": "0", "PageToken": "PBCA4"}, items)
    assert [t["sid"] for t in back["things"]] == ["CA0", "CA1", "CA2", "CA3"]  # type: ignore[attr-defined]
    huge = page({"PageSize": "5000"}, items)
    assert huge["page_size"] == 1000 and huge["next_page_uri"] is None
    empty = page({}, [])
    assert (empty["start"], empty["end"], empty["things"]) == (0, 0, [])
