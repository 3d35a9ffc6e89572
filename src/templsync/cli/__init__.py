"""The command line: one click group, one module per command. Nothing imports the CLI."""
