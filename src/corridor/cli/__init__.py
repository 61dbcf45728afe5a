"""The `corridor` command line (Typer)."""
