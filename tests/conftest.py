"""Test-wide setup: Qt renders offscreen and no test touches the real OS keyring."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from hypothesis import settings

from tests import loopback_guard

loopback_guard.install()  # no test reaches a host but this machine (see tests/loopback_guard.py)
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.pop("TWILIO_REGION", None)
os.environ.pop("TWILIO_EDGE", None)

# `make test-fast` (the loop rerun while editing) tries 20 cases of each property instead of
# hypothesis's 100: its six property files took 27 s of the loop's two minutes. `make test` and
# CI use the default profile. Tests that set their own count scale it with
# tests/helpers/properties.py examples(); a plain max_examples is kept in both.
settings.register_profile("loop", max_examples=20)

# The style sheet and icons moved from moderator/resources/ to the top-level resources/ (the
# package moderator.resources). A checkout that ran the old layout keeps moderator/resources/
# with only __pycache__ in it, which Python would import as an empty namespace package in place
# of resources/: a generated leftover, removed here (it holds no source).
_OLD_RESOURCES = Path(__file__).resolve().parents[1] / "moderator" / "resources"
if _OLD_RESOURCES.is_dir() and {p.name for p in _OLD_RESOURCES.iterdir()} <= {"__pycache__"}:
    shutil.rmtree(_OLD_RESOURCES, ignore_errors=True)
