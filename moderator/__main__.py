"""`python -m moderator` runs the console, like the `moderator` command."""

from moderator.cli import main

raise SystemExit(main())
