"""The console's look: theme colours, icons and the Qt style."""
