"""Persistence: the SQLite journal of callbacks and actions, and the attendance report."""
