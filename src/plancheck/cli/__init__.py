"""The command line: the typer app, one module per group of commands, one error and signal handler."""
