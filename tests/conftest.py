"""Test-wide setup: Qt renders offscreen and no test touches the real OS keyring."""

from __future__ import annotations

import os

from tests import loopback_guard

loopback_guard.install()  # no test reaches a host but this machine (see tests/loopback_guard.py)
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.pop("TWILIO_REGION", None)
os.environ.pop("TWILIO_EDGE", None)
