"""The one listener primitive of the Qt-free core: connect, disconnect, emit."""

from __future__ import annotations

import gc

from moderator.dispatch import Signal


def test_listeners_hear_each_emit_in_the_order_they_connected() -> None:
    signal: Signal[[str, int]] = Signal("test")
    heard: list[tuple[str, str, int]] = []
    signal.connect(lambda a, b: heard.append(("first", a, b)))
    signal.connect(lambda a, b: heard.append(("second", a, b)))
    signal.emit("x", 1)
    assert heard == [("first", "x", 1), ("second", "x", 1)]


def test_disconnect_stops_a_listener_and_connecting_twice_calls_once() -> None:
    signal: Signal[[int]] = Signal()
    heard: list[int] = []
    signal.connect(heard.append)
    signal.connect(heard.append)
    signal.emit(1)
    signal.disconnect(heard.append)
    signal.disconnect(heard.append)  # not connected any more: ignored
    signal.emit(2)
    assert heard == [1] and len(signal) == 0


def test_a_listener_that_raises_does_not_stop_the_others_or_the_emitter() -> None:
    signal: Signal[[]] = Signal()
    heard: list[str] = []

    def broken() -> None:
        raise RuntimeError("a view's bug")

    signal.connect(broken)
    signal.connect(lambda: heard.append("still told"))
    signal.emit()
    assert heard == ["still told"]


def test_a_weakly_connected_method_drops_out_when_its_object_is_gone() -> None:
    heard: list[int] = []

    class View:
        def on_change(self, n: int) -> None:
            heard.append(n)

    signal: Signal[[int]] = Signal()
    view = View()
    signal.connect(view.on_change, weak=True)
    signal.emit(1)
    assert view.on_change in signal
    del view
    gc.collect()
    signal.emit(2)
    assert heard == [1] and len(signal) == 0


def test_a_listener_may_disconnect_itself_while_being_told() -> None:
    signal: Signal[[]] = Signal()
    heard: list[str] = []

    def once() -> None:
        heard.append("once")
        signal.disconnect(once)

    signal.connect(once)
    signal.emit()
    signal.emit()
    assert heard == ["once"]
