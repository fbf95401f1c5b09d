"""The captions pane and the tile's tool tip on a console against the simulator: callers dial
in with captions on, a partial is shown then replaced by its final, names are the tiles',
the search finds what was said, and a tile's tool tip says its caller's last line."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from moderator.domain.transcripts import Line
from moderator.loop import ConsoleEventLoop
from moderator.sim.records import LINE_NUMBER
from moderator.ui.insight.captions_model import Role
from moderator.ui.insight.captions_pane import CaptionsPane

from ..conftest import SimConsole, console_on_simulator, run

ALICE, BOB = "+13125550101", "+14155550102"
ALICE_SAYS = "The budget is on track this quarter."
BOB_SAYS = "Three customers asked for a shorter setup."


@pytest.fixture
def captioned(qtbot: Any, qloop: ConsoleEventLoop, tmp_path: Path) -> Iterator[SimConsole]:
    with console_on_simulator(qtbot, qloop, tmp_path, seed=5, captions=True) as console:
        console.sim.set_voice_url(LINE_NUMBER, console.core.server.voice_url)
        console.sim.transcriptions.script(ALICE, [ALICE_SAYS])
        console.sim.transcriptions.script(BOB, [BOB_SAYS])
        assert console.core.captions is not None
        console.window.show_captions(console.core.captions)
        console.window.show()
        qtbot.waitExposed(console.window)
        yield console


def _texts(pane: CaptionsPane) -> list[tuple[str, bool]]:
    model = pane.model
    return [
        (model.data(model.index(row)), model.data(model.index(row), Role.FINAL))
        for row in range(model.rowCount())
    ]


def _call_in(qtbot: Any, console: SimConsole, *numbers: str) -> dict[str, str]:
    calls = {n: console.sim.place_call(n, LINE_NUMBER).sid for n in numbers}
    qtbot.waitUntil(lambda: console.window.participants.rowCount() == len(numbers), timeout=10000)
    return calls


def _said(console: SimConsole, call_sid: str, text: str, *, final: bool = True) -> Line:
    """A caption line of `call_sid` made here (not through the simulator)."""
    at = console.sim.world.call(call_sid).date_created
    return Line(at, call_sid, "GT" + "1" * 32, 9, text, final)


def _speak(qtbot: Any, qloop: ConsoleEventLoop, console: SimConsole, call_sid: str) -> None:
    conf = console.sim.world.call(call_sid).conference_sid
    assert conf is not None
    run(qtbot, qloop, console.sim.set_speaking(conf, call_sid, True))
    run(qtbot, qloop, console.sim.sleep(4))
    run(qtbot, qloop, console.sim.set_speaking(conf, call_sid, False))


def test_a_partial_is_shown_then_replaced_by_its_final_with_the_tiles_name(
    qtbot: Any, qloop: ConsoleEventLoop, captioned: SimConsole, qtmodeltester: Any
) -> None:
    pane = captioned.window.captions_pane
    assert pane is not None and pane.state.text() == "live"
    calls = _call_in(qtbot, captioned, ALICE, BOB)
    seen: list[tuple[str, bool]] = []
    pane.model.dataChanged.connect(lambda *_: seen.extend(_texts(pane)))
    pane.model.rowsInserted.connect(lambda *_: seen.extend(_texts(pane)))
    _speak(qtbot, qloop, captioned, calls[ALICE])
    name = captioned.window._caller_name(calls[ALICE])
    qtbot.waitUntil(lambda: _texts(pane) == [(f"{name}: {ALICE_SAYS}", True)], timeout=10000)
    partials = [text for text, final in seen if not final]
    assert partials and all(text.endswith(" …") for text in partials)  # shown while spoken
    assert pane.model.rowCount() == 1  # replaced in place, not a second row
    _speak(qtbot, qloop, captioned, calls[BOB])
    qtbot.waitUntil(lambda: pane.model.rowCount() == 2 and _texts(pane)[1][1], timeout=10000)
    # the tile's tool tip says what its caller said last
    model = captioned.window.participants
    rows = {model.participant(r).call_sid: r for r in range(model.rowCount())}  # type: ignore[union-attr]
    tip = model.data(model.index(rows[calls[BOB]]), Qt.ItemDataRole.ToolTipRole)
    assert BOB_SAYS in tip and "said:" in tip
    qtmodeltester.check(pane.model)


def test_search_finds_what_was_said_and_clears_back_to_live(
    qtbot: Any, qloop: ConsoleEventLoop, captioned: SimConsole
) -> None:
    pane = captioned.window.captions_pane
    assert pane is not None
    calls = _call_in(qtbot, captioned, ALICE, BOB)
    _speak(qtbot, qloop, captioned, calls[ALICE])
    _speak(qtbot, qloop, captioned, calls[BOB])
    qtbot.waitUntil(lambda: [f for _t, f in _texts(pane)] == [True, True], timeout=10000)
    qtbot.keyClicks(pane.search, "CUSTOMERS")
    assert [text.split(": ", 1)[1] for text, _final in _texts(pane)] == [BOB_SAYS]
    assert pane.state.text() == "1 line with “CUSTOMERS”"
    # a live line while the host searches does not disturb the results
    pane.on_line(_said(captioned, calls[ALICE], "while searching", final=False))
    assert pane.model.rowCount() == 1
    pane.search.clear()
    assert pane.model.rowCount() == 2 and pane.state.text() == "live"


def test_a_line_that_is_html_stays_text(qtbot: Any, captioned: SimConsole) -> None:
    pane = captioned.window.captions_pane
    assert pane is not None
    calls = _call_in(qtbot, captioned, ALICE, BOB)
    pane.on_line(_said(captioned, calls[ALICE], "<b>bold</b> & <script>x</script>"))
    tip = pane.model.data(pane.model.index(0), Qt.ItemDataRole.ToolTipRole)
    assert "<b>bold</b>" not in tip and "&lt;b&gt;bold&lt;/b&gt;" in tip


def test_the_pane_waits_hidden_until_captions_are_turned_on(
    qtbot: Any, qloop: ConsoleEventLoop, tmp_path: Path
) -> None:
    with console_on_simulator(qtbot, qloop, tmp_path, seed=6) as console:
        captions = console.core.captions
        assert captions is not None
        pane = console.window.show_captions(captions)
        console.window.show()
        qtbot.waitExposed(console.window)
        assert not pane.isVisible()
        run(qtbot, qloop, captions.set_on(True))
        assert pane.isVisible() and pane.state.text() == "live"
        assert console.core.server.captions is True
        run(qtbot, qloop, captions.set_on(False))
        assert not pane.isVisible()


def test_the_meeting_menus_live_captions_switch(
    qtbot: Any, qloop: ConsoleEventLoop, tmp_path: Path
) -> None:
    with console_on_simulator(qtbot, qloop, tmp_path, seed=7) as console:
        console.sim.set_voice_url(LINE_NUMBER, console.core.server.voice_url)
        captions = console.core.captions
        assert captions is not None
        pane = console.window.show_captions(captions)
        console.window.show()
        qtbot.waitExposed(console.window)
        (alice,) = _call_in(qtbot, console, ALICE).values()
        menu = console.window.window_actions.meeting_menu
        (switch,) = [a for a in menu.actions() if a.text() == "Live captions"]
        assert switch is pane.toggle and switch.isCheckable() and not switch.isChecked()
        switch.trigger()  # on: Alice, already in, is transcribed through REST
        qtbot.waitUntil(lambda: bool(console.sim.transcriptions.running(alice)), timeout=5000)
        assert switch.isChecked() and captions.on and pane.isVisible()
        run(qtbot, qloop, captions.set_on(False))  # the Settings switch: the menu follows
        assert not switch.isChecked()
        qtbot.waitUntil(lambda: not console.sim.transcriptions.running(alice), timeout=5000)
        switch.trigger()
        qtbot.waitUntil(lambda: bool(console.sim.transcriptions.running(alice)), timeout=5000)
        assert switch.isChecked()
        switch.trigger()  # and off from the menu
        qtbot.waitUntil(lambda: not console.sim.transcriptions.running(alice), timeout=5000)
        assert not switch.isChecked() and not captions.on
        rows = [a.kind for a in console.core.journal.actions() if a.kind.startswith("captions")]
        assert rows.count("captions-on") == 4 and rows.count("captions-off") == 4


def test_a_partial_cut_off_by_captions_off_goes(
    qtbot: Any, qloop: ConsoleEventLoop, captioned: SimConsole
) -> None:
    pane = captioned.window.captions_pane
    captions = captioned.core.captions
    assert pane is not None and captions is not None
    calls = _call_in(qtbot, captioned, ALICE, BOB)
    conf = captioned.sim.world.call(calls[ALICE]).conference_sid
    assert conf is not None
    run(qtbot, qloop, captioned.sim.set_speaking(conf, calls[ALICE], True))
    qtbot.waitUntil(lambda: [f for _t, f in _texts(pane)] == [False], timeout=10000)
    run(qtbot, qloop, captions.set_on(False))  # while she still talks
    qtbot.waitUntil(lambda: pane.model.rowCount() == 0, timeout=5000)
    assert captions.last_words(calls[ALICE]) is None
