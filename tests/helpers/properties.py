"""How many cases a property test tries: its own count in `make test` and CI, a fifth of it in
`make test-fast` (hypothesis's "loop" profile, registered in tests/conftest.py)."""

from __future__ import annotations

from hypothesis import settings

DEFAULT_EXAMPLES = 100  # hypothesis's own default, the profile `make test` runs with


def examples(wanted: int) -> int:
    """`wanted` scaled by the loaded profile (loop: 20 of hypothesis's default 100)."""
    return max(10, wanted * settings().max_examples // DEFAULT_EXAMPLES)
