"""The log file is written off the caller's thread: a disk that takes no writes stops no one."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from moderator.logs import BackgroundFileHandler, setup_logging
from moderator.ui.shell.crash_dialog import log_file_path

HANG_GUARD = 30.0  # seconds; only stops a hang from hanging the suite, never a speed check


class StuckDisk(logging.Handler):
    """A file handler whose writes wait until the test lets the disk go."""

    def __init__(self) -> None:
        super().__init__()
        self.released = threading.Event()
        self.written: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.released.wait()
        self.written.append(record.getMessage())


@pytest.fixture
def logger() -> Iterator[logging.Logger]:
    made = logging.getLogger("tests.stuck-disk")
    made.propagate = False
    made.setLevel(logging.INFO)
    yield made
    for handler in list(made.handlers):
        made.removeHandler(handler)
        handler.close()


def log_from_a_thread(logger: logging.Logger, *lines: str) -> bool:
    """Whether logging `lines` returned (checked from outside, so a hang cannot hang the test)."""
    caller = threading.Thread(target=lambda: [logger.info(line) for line in lines], daemon=True)
    caller.start()
    caller.join(10)
    return not caller.is_alive()


def test_logging_returns_while_the_disk_is_stuck_and_every_line_is_written_after(
    logger: logging.Logger,
) -> None:
    disk = StuckDisk()
    handler = BackgroundFileHandler(disk)
    logger.addHandler(handler)
    assert log_from_a_thread(logger, "callback from Bob", "mute Alice", "Bob left")
    assert disk.written == []
    disk.released.set()
    handler.close()  # writes what is queued
    assert disk.written == ["callback from Bob", "mute Alice", "Bob left"]


def test_closing_gives_up_on_a_disk_that_stays_stuck(logger: logging.Logger) -> None:
    disk = StuckDisk()
    handler = BackgroundFileHandler(disk, close_wait=0.2)
    logger.addHandler(handler)
    logger.info("the last line before SIGTERM")
    closer = threading.Thread(target=handler.close, daemon=True)
    closer.start()
    closer.join(10)
    assert not closer.is_alive()  # the exit goes on; the stuck line is what it costs
    disk.released.set()


def test_setup_logging_writes_the_file_in_the_background_and_the_crash_dialog_finds_it(
    tmp_path: Path,
) -> None:
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    try:
        path = setup_logging(verbose=False, log_dir=tmp_path)
        assert path == tmp_path / "moderator.log" and log_file_path() == path
        background = [h for h in root.handlers if isinstance(h, BackgroundFileHandler)]
        assert len(background) == 1
        logging.getLogger("tests").warning("written by the log thread")
        background[0].close()
        assert "written by the log thread" in path.read_text(encoding="utf-8")
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
            handler.close()
        for handler in saved[0]:
            root.addHandler(handler)
        root.setLevel(saved[1])


EXITS_PAST_A_STUCK_DISK = """
import logging, threading
from moderator.logs import BackgroundFileHandler

class Frozen(logging.Handler):  # a file on a frozen disk: the write never returns
    def emit(self, record):
        threading.Event().wait()

handler = BackgroundFileHandler(Frozen(), close_wait=0.2)
logging.getLogger().addHandler(handler)
logging.getLogger().warning("the last line before SIGTERM")
handler.close()  # the console's bounded close gives up on the line
print("closed", flush=True)
"""  # then the interpreter's exit: logging.shutdown() visits every handler, the stuck one too


def test_the_process_exits_once_the_bounded_close_gave_up_on_a_stuck_disk() -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", EXITS_PAST_A_STUCK_DISK],
        stdout=subprocess.PIPE,
        text=True,
        env=child_env_here(),
    )
    try:
        out, _ = child.communicate(timeout=HANG_GUARD)
    except subprocess.TimeoutExpired:
        child.kill()
        child.communicate()
        raise AssertionError("the process stayed after its log handler gave up") from None
    assert child.returncode == 0 and out == "closed\n"


def child_env_here() -> dict[str, str]:
    """The child imports this worktree's moderator, as the test does."""
    root = str(Path(__file__).resolve().parent.parent)
    return {**os.environ, "PYTHONPATH": root}
