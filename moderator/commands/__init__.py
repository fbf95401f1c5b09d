"""The command line's sub-commands, one module each (moderator/cli.py picks one)."""
