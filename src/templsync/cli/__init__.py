"""The command line: a Typer app with one module per command group. Nothing imports the CLI."""
