"""The UI tests' fake offers exactly the seam the UI may call, with the same signatures."""

from __future__ import annotations

import asyncio
import inspect

import pytest

from moderator.control import Moderator, ModeratorService
from tests.forms import CONFERENCE_SID, call_sid
from tests.helpers.fake_moderator import FakeModerator


def members(cls: type) -> dict[str, inspect.Signature | str]:
    found: dict[str, inspect.Signature | str] = {}
    for name, value in vars(cls).items():
        if name.startswith("_"):
            continue
        found[name] = "property" if isinstance(value, property) else inspect.signature(value)
    return found


# The seam's properties that the service and the fake set in __init__ (not class members)
INSTANCE_ATTRIBUTES = {"settings", "host_changed"}


def test_fake_and_service_match_the_protocol() -> None:
    seam = members(ModeratorService)
    fake = members(FakeModerator)
    fake["connection_state"] = "property"  # an attribute on the fake
    for name in INSTANCE_ATTRIBUTES:
        fake[name] = "property"
    for name, signature in seam.items():
        assert fake[name] == signature, name
        if name in INSTANCE_ATTRIBUTES:
            assert hasattr(FakeModerator(), name), name
            continue
        real = inspect.getattr_static(Moderator, name)
        expected = "property" if isinstance(real, property) else inspect.signature(real)
        assert expected == signature, name
    assert set(fake) - {"as_service"} == set(seam)


def test_fake_refuses_what_the_service_would_not_take() -> None:
    fake = FakeModerator()
    with pytest.raises(AttributeError):
        fake.mute_everyone  # type: ignore[attr-defined]  # noqa: B018
    with pytest.raises(TypeError):
        asyncio.run(fake.mute(CONFERENCE_SID))  # type: ignore[call-arg]
    with pytest.raises(AssertionError, match="not a CallSid"):
        asyncio.run(fake.mute(CONFERENCE_SID, "Alice"))
    asyncio.run(fake.mute(CONFERENCE_SID, call_sid("Alice")))
    assert fake.calls == [("mute", CONFERENCE_SID, call_sid("Alice"))]
