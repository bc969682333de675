"""Docs are tested: every command has help text and stands in the README's CLI reference."""

from __future__ import annotations

import re
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


def test_every_option_stands_in_its_commands_readme_line() -> None:
    """The CLI reference is true: each command's line names every option it takes."""
    root = typer.main.get_command(app)
    reference: dict[str, str] = {}
    for line in README.splitlines():
        if line.startswith("| `portfolio"):
            words = []
            for token in line.split("`")[1].split():  # the command's words, up to its arguments
                if not re.fullmatch(r"[a-z][a-z-]*", token):
                    break
                words.append(token)
            reference[" ".join(words)] = line
    for path, command in [("portfolio", root), *commands(root, "portfolio")]:
        line = reference.get(path)
        assert line is not None, f"{path} has no line in the README's CLI reference"
        for param in command.params:
            names = [name for name in (*param.opts, *param.secondary_opts) if name.startswith("--")]
            if param.param_type_name != "option" or not names or "--help" in names:
                continue
            assert any(name in line for name in names), f"{path} {names[0]} is not in the README"
