"""The command line: one Typer sub-app per domain, thin over the library."""

__all__ = ["main"]
