"""Test doubles shared by the test packages (each checks what it is asked)."""
