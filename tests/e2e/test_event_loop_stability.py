"""Guards the PySide6 + qasync combination against the 'none_dealloc' crash under load.

PySide6 6.12 on Python 3.11 loses a reference to None in every QTimer event; qasync runs every
asyncio callback through one, so a busy console died after a few thousand callbacks. The
dependency pins avoid it; this test fails loudly if a future upgrade brings it back.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.e2e.conftest import ROOT, child_env

pytestmark = pytest.mark.e2e  # a child Python process (`make test-fast` leaves it out)

SCRIPT = textwrap.dedent(
    """
    import asyncio, sys
    import qasync
    from PySide6.QtWidgets import QApplication

    app = QApplication([])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)

    async def main() -> None:
        for _ in range(30_000):
            await asyncio.sleep(0)
        for _ in range(1_000):
            await asyncio.sleep(0.00001)

    loop.run_until_complete(main())
    loop.close()
    print("survived")
    """
)


def test_thirty_thousand_loop_callbacks_do_not_crash(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env=child_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "survived"
