"""Benchmarks of the console as the host runs it; `python -m benchmarks --quick` prints them all."""
