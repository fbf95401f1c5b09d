"""Fixtures for the server tests."""

from tests.helpers.media import media  # noqa: F401  (a fixture: a static audio host)
