"""The one message API: a level and one sink, held until the window connects."""

from __future__ import annotations

from moderator.messages import HELD, Level, Messages


def test_messages_sent_before_the_window_connects_are_held_then_delivered_in_order() -> None:
    hub = Messages()
    hub.error("the journal was repaired")
    hub.info("Demo: a simulated TeamMeeting is starting")
    shown: list[tuple[Level, str]] = []
    hub.connect(lambda level, text: shown.append((level, text)))
    hub.info("Dialling Bob")
    assert shown == [
        (Level.ERROR, "the journal was repaired"),
        (Level.INFO, "Demo: a simulated TeamMeeting is starting"),
        (Level.INFO, "Dialling Bob"),
    ]
    assert hub.held == []


def test_after_disconnect_messages_are_held_again_and_the_oldest_dropped_past_the_limit() -> None:
    hub = Messages()
    hub.connect(lambda level, text: None)
    hub.disconnect()
    for n in range(HELD + 5):
        hub.info(str(n))
    held = hub.held
    assert len(held) == HELD and held[0] == (Level.INFO, "5")


def test_a_failing_sink_does_not_reach_the_sender() -> None:
    hub = Messages()

    def broken(level: Level, text: str) -> None:
        raise RuntimeError("the window is gone")

    hub.connect(broken)
    hub.error("Could not mute Bob")  # logged, not raised


def test_levels_are_the_words_the_window_shows() -> None:
    assert [level.value for level in Level] == ["info", "warning", "error"]
    assert Level.ERROR == "error"
