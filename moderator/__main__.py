"""`python -m moderator` runs the console, like the `moderator` command."""

from moderator.cli import entry

entry()
