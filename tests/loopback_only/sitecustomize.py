"""Loaded by every Python child a test starts (tests/child_env.py puts this folder on PYTHONPATH):
it installs tests/loopback_guard.py, so that child can reach no host but this machine."""

import importlib.util
from pathlib import Path

_spec = importlib.util.spec_from_file_location(
    "_tests_loopback_guard", Path(__file__).resolve().parents[1] / "loopback_guard.py"
)
if _spec is not None and _spec.loader is not None:
    _guard = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(_guard)
    _guard.install()
