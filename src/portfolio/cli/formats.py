"""`report --format`: several formats in one run, and the PDF decided before writing.

``--format md --format json`` and ``--format md,json`` both write Markdown and JSON;
``all`` is every writer. The PDF needs Chromium and its fonts; whether this machine
has them is asked before anything is written:

- a PDF asked for by name (``--format pdf``) that cannot be printed stops the command
  with one line and exit 2, and writes nothing: the user wanted that file, and a
  half-written month would hide the failure;
- the default, ``all``, means every format this machine can write: a cron job that
  runs ``portfolio report`` each month still gets its Markdown, JSON, CSV and HTML, exits
  0, and its mail carries the one stderr line that names what to install for the PDF.
"""

from __future__ import annotations

from collections.abc import Iterable

from portfolio.cli.suggest import unknown_choice
from portfolio.errors import ConfigError, InputError
from portfolio.report.render.pdf import missing_packages
from portfolio.report.write import WRITERS, Format

ALL = "all"


def parse_formats(values: Iterable[str]) -> list[Format]:
    """The formats named by repeated and comma-separated values, in WRITERS' order."""
    allowed = [*WRITERS, ALL]
    asked: set[str] = set()
    for value in values:
        words = [word.strip() for word in value.split(",") if word.strip()]
        if not words:  # `--format ""` must not fall back to every format
            raise InputError(
                f"--format names no format, got {value!r}; one of: {', '.join(allowed)}"
            )
        for word in words:
            if word not in allowed:
                raise unknown_choice("--format", word, allowed)
            asked.update(WRITERS if word == ALL else {word})
    return [fmt for fmt in WRITERS if fmt in asked]


def complete_formats(incomplete: str) -> list[str]:
    """Shell completion of ``--format``, after a comma too (``md,j`` → ``md,json``)."""
    head, _, last = incomplete.rpartition(",")
    prefix = f"{head}," if head else ""
    return [prefix + fmt for fmt in [*WRITERS, ALL] if fmt.startswith(last)]


def pdf_plan(formats: list[Format], *, explicit: bool) -> tuple[list[Format], str | None]:
    """The formats to write and, when the PDF is left out, the one line that says why.

    ConfigError (exit 2, nothing written) when the PDF was asked for by name and this
    machine cannot print it.
    """
    if "pdf" not in formats:
        return formats, None
    missing = missing_packages()
    if not missing:
        return formats, None
    install = f"sudo apt-get install {' '.join(missing)}"
    if explicit:
        raise ConfigError(f"the PDF needs {', '.join(missing)}: `{install}`; nothing written")
    hint = f"no PDF: it needs {', '.join(missing)}; get it with `{install}`"
    return [fmt for fmt in formats if fmt != "pdf"], hint
