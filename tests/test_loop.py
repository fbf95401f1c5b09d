"""The console's event loop: qasync's, with call_soon callbacks batched from one Qt timer."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from moderator.loop import PASS_BUDGET, ConsoleEventLoop
from tests.child_env import isolated_env


def _run(qapp: QApplication, main: Any) -> Any:
    loop = ConsoleEventLoop(qapp)
    asyncio.set_event_loop(loop)
    try:
        return loop, loop.run_until_complete(main(loop))
    finally:
        loop.close()
        asyncio.set_event_loop(None)


def test_call_soon_keeps_order_skips_cancelled_and_takes_no_qt_timer_each(
    qapp: QApplication,
) -> None:
    qt_timers: list[Any] = []

    async def main(loop: ConsoleEventLoop) -> list[object]:
        original = loop._timer.add_callback
        loop._timer.add_callback = lambda handle, delay=0: (
            qt_timers.append(handle) or original(handle, delay)
        )
        seen: list[object] = []
        loop.call_soon(seen.append, "dropped").cancel()
        for n in range(100):
            loop.call_soon(seen.append, n)
        loop.call_soon(lambda: loop.call_soon(seen.append, "queued by a callback"))
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        await asyncio.sleep(0.01)  # a delayed callback still uses qasync's timers
        return seen

    _loop, seen = _run(qapp, main)
    assert seen == [*range(100), "queued by a callback"]
    assert len(qt_timers) == 1  # only the sleep(0.01)


def test_a_long_pass_lets_qt_in_before_the_rest(qapp: QApplication) -> None:
    """Callbacks past PASS_BUDGET wait for the next pass, after Qt's events (a key press)."""

    async def main(loop: ConsoleEventLoop) -> list[str]:
        order: list[str] = []

        def slow(name: str) -> None:
            order.append(name)
            if name == "a":  # an input event arrives meanwhile
                QTimer.singleShot(0, lambda: order.append("qt"))
            time.sleep(PASS_BUDGET)  # each one alone spends a whole pass

        for name in ("a", "b", "c"):
            loop.call_soon(slow, name)
        await asyncio.sleep(0.05)
        return order

    _loop, order = _run(qapp, main)
    assert order == ["a", "qt", "b", "c"]


def test_a_failing_callback_goes_to_the_exception_handler(qapp: QApplication) -> None:
    errors: list[dict[str, Any]] = []

    async def main(loop: ConsoleEventLoop) -> bool:
        loop.set_exception_handler(lambda _loop, context: errors.append(context))
        after: list[bool] = []
        loop.call_soon(lambda: 1 / 0)
        loop.call_soon(after.append, True)
        await asyncio.sleep(0.01)
        return bool(after)

    _loop, ran_after = _run(qapp, main)
    assert ran_after and isinstance(errors[0]["exception"], ZeroDivisionError)


def test_a_server_and_client_talk_on_it(qapp: QApplication) -> None:
    async def main(loop: ConsoleEventLoop) -> list[int]:
        async def hello(request: web.Request) -> web.Response:
            await request.post()
            return web.Response(status=204)

        app = web.Application()
        app.router.add_post("/", hello)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        url = f"http://127.0.0.1:{runner.addresses[0][1]}/"
        async with aiohttp.ClientSession() as session:

            async def post(n: int) -> int:
                async with session.post(url, data={"n": str(n)}) as answer:
                    return answer.status

            statuses = await asyncio.gather(*(post(n) for n in range(50)))
        await runner.cleanup()
        return list(statuses)

    _loop, statuses = _run(qapp, main)
    assert statuses == [204] * 50


UNCLOSED_LOOP_SCRIPT = """
import asyncio, sys
from PySide6.QtWidgets import QApplication
from moderator.loop import ConsoleEventLoop

app = QApplication([])
loop = ConsoleEventLoop(app, already_running=True)  # as the UI tests' fixture makes it
asyncio.set_event_loop(loop)
done = loop.run_in_executor(None, sum, [1, 2])  # what aiohttp's DNS lookup and to_thread do
while not done.done():
    app.processEvents()
print(done.result())
"""


def test_a_loop_left_open_with_a_used_executor_exits_cleanly(tmp_path: Path) -> None:
    """qasync's default executor is made of QThreads; one still running at interpreter exit
    aborts the process (exit 134, "QThread: Destroyed while thread is still running"): it
    took a whole CI run down after the last test had passed."""
    result = subprocess.run(
        [sys.executable, "-c", UNCLOSED_LOOP_SCRIPT],
        cwd=Path(__file__).parents[1],
        env=isolated_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (result.returncode, result.stdout.strip()) == (0, "3"), result.stderr[-2000:]
    assert "QThread" not in result.stderr
