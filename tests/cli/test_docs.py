"""Docs are tested: every command has help text and stands in the README's CLI reference."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import typer

from portfolio.cli.main import app

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def commands(group: Any, prefix: str) -> Iterator[tuple[str, Any]]:
    for name in group.list_commands(None):
        command = group.get_command(None, name)
        path = f"{prefix} {name}"
        if hasattr(command, "commands"):
            yield from commands(command, path)
        else:
            yield path, command


def test_every_command_has_help_and_is_in_the_readme() -> None:
    root = typer.main.get_command(app)
    found = list(commands(root, "portfolio"))
    assert len(found) >= 10
    for path, command in found:
        assert (command.help or "").strip(), f"{path} has no help text"
        assert f"`{path}" in README, f"{path} is missing from the README's CLI reference"


def test_readme_quickstart_names_the_two_commands() -> None:
    assert "make demo" in README
    assert "make test" in README
