"""`--help` and `-h` as a terminal of any width reads them, 80 columns included.

Typer's own panels give the flag column half the width and split a list of choices
such as ``<md|json|csv|html|pdf|all>`` mid-word. Here every command's help is drawn as
plain text: the flag column is as wide as its longest entry needs (up to two fifths of
the width; a longer entry takes a line of its own with its help below), a flag and its
choices are never split, the help text wraps at words with East Asian characters
counted at their real width, and each command ends with its examples
(cli/examples.py). Every command gets this through its context class (``adopt``).
"""

from __future__ import annotations

import shutil
from typing import Any

import typer
from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

from portfolio.cli.examples import EXAMPLES

MAX_WIDTH = 100
"""Past this, lines grow too long to read; a wide terminal keeps the 100 columns."""
INDENT = 2
GAP = 2


def terminal_width() -> int:
    """The terminal's columns (``COLUMNS`` wins, as shells set it), at most MAX_WIDTH."""
    return max(40, min(shutil.get_terminal_size().columns, MAX_WIDTH))


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most ``width`` cells, broken at spaces (CJK text where it must)."""
    if not text:
        return [""]
    console = Console(width=max(width, 1), color_system=None, soft_wrap=False)
    return [line.plain.rstrip() for line in Text(text).wrap(console, max(width, 1))]


def _paragraphs(text: str) -> list[str]:
    """A docstring's paragraphs, each joined into one line (Click's ``\\b`` dropped)."""
    out: list[str] = []
    for block in text.strip().split("\n\n"):
        lines = [line.strip() for line in block.splitlines() if line.strip() != "\b"]
        if lines:
            out.append(" ".join(lines))
    return out


def term_column(rows: list[tuple[str, str]], width: int) -> int:
    """The longest term that fits in two fifths of the width: the term column's width."""
    cap = max(12, width * 2 // 5)
    return max((cell_len(term) for term, _ in rows if cell_len(term) <= cap), default=cap)


def definition_list(
    rows: list[tuple[str, str]], width: int, column: int | None = None
) -> list[str]:
    """Terms and their help in two columns; a term is never wrapped.

    The term column is sized to the longest term that fits in two fifths of the width;
    a longer term stands on its own line and its help starts on the next.
    """
    column = column or term_column(rows, width)
    help_width = width - INDENT - column - GAP
    lines: list[str] = []
    pad = " " * (INDENT + column + GAP)
    for term, text in rows:
        wrapped = wrap(text, help_width) if text else []
        if cell_len(term) > column:
            lines.append(" " * INDENT + term)
            lines.extend(pad + line for line in wrapped)
            continue
        first = wrapped[0] if wrapped else ""
        head = " " * INDENT + term + " " * (column - cell_len(term) + GAP) + first
        lines.append(head.rstrip())
        lines.extend(pad + line for line in wrapped[1:])
    return lines


def _usage(ctx: typer.Context) -> str:
    pieces = ctx.command.collect_usage_pieces(ctx)
    return f"Usage: {ctx.command_path} {' '.join(pieces)}".rstrip()


def _params(ctx: typer.Context) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    arguments: list[tuple[str, str]] = []
    options: list[tuple[str, str]] = []
    for param in ctx.command.get_params(ctx):
        record = param.get_help_record(ctx)
        if record is None:
            continue
        if param.param_type_name == "argument":
            arguments.append(record)
        else:
            options.append(record)
    return arguments, options


def _commands(ctx: typer.Context) -> list[tuple[str, str]]:
    group: Any = ctx.command
    if not hasattr(group, "list_commands"):
        return []
    rows = []
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if command is None or command.hidden:
            continue
        paragraphs = _paragraphs(command.short_help or command.help or "")
        rows.append((name, paragraphs[0] if paragraphs else ""))
    return rows


def command_key(ctx: typer.Context) -> str:
    """The command's words after the program's name: "" for the root, "incident add"."""
    return ctx.command_path.removeprefix(ctx.find_root().info_name or "").strip()


def render_help(ctx: typer.Context, width: int | None = None) -> str:
    """The help page of ``ctx``'s command: usage, text, arguments, options, commands,
    examples."""
    width = width or terminal_width()
    lines = [_usage(ctx), ""]
    for paragraph in _paragraphs(ctx.command.help or ""):
        lines.extend(" " * INDENT + line for line in wrap(paragraph, width - INDENT))
        lines.append("")
    arguments, options = _params(ctx)
    column = term_column(arguments + options, width)  # arguments align with options
    for title, rows, size in (
        ("Arguments", arguments, column),
        ("Options", options, column),
        ("Commands", _commands(ctx), None),
    ):
        if rows:
            lines.extend([f"{title}:", *definition_list(rows, width, size), ""])
    examples = EXAMPLES.get(command_key(ctx))
    if examples:
        lines.append("Examples:")
        for comment, command in examples:
            lines.extend(" " * INDENT + "# " + line for line in wrap(comment, width - INDENT - 2))
            lines.extend(" " * INDENT + line for line in command.splitlines())
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


class HelpContext(typer.Context):
    """A context whose help page is ``render_help``'s."""

    def get_help(self) -> str:
        return render_help(self).rstrip("\n")


def adopt(command: Any) -> Any:
    """Give ``command`` and every command under it the readable help (and return it)."""
    command.context_class = HelpContext
    for sub in getattr(command, "commands", {}).values():
        adopt(sub)
    return command
