"""The CLI as an 80-column terminal shows it: help, -h, the version, suggestions, completion.

Every command's help is read at COLUMNS=80: no line is wider, no list of choices is
split over two lines, every option that has choices shows them, and every command
ends with examples that fit the width.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any, get_args

import pytest
import typer
from rich.cells import cell_len

from portfolio import __version__
from portfolio.checks.run import targets
from portfolio.cli import check, ops, report
from portfolio.cli.main import app, run
from portfolio.report.write import WRITERS
from portfolio.scheduled.jobs import JOBS
from portfolio.simulate.scenarios import SCENARIOS
from portfolio.sources.registry import SOURCE_MODULES


def _commands(group: Any, words: list[str]) -> Iterator[tuple[list[str], Any]]:
    yield words, group
    for name in getattr(group, "list_commands", lambda _ctx: [])(None):
        yield from _commands(group.get_command(None, name), [*words, name])


def _choices(param: Any) -> list[str]:
    descriptor = getattr(param, "type_descriptor", None)
    values = getattr(descriptor, "choices", None) or ()
    return [str(getattr(v, "value", v)) for v in values]


COMMANDS = list(_commands(typer.main.get_command(app), []))


@pytest.mark.parametrize(("words", "command"), COMMANDS, ids=[" ".join(w) for w, _ in COMMANDS])
def test_help_reads_at_80_columns(
    words: list[str],
    command: Any,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    assert run([*words, "--help"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    wide = [line for line in lines if cell_len(line) > 80]
    assert wide == [], wide
    shown = 0
    for param in command.params:
        choices = _choices(param)
        if param.param_type_name == "option" and param.metavar and "|" in param.metavar:
            choices = param.metavar.strip("<>").split("|")  # a list option (report --format)
        if not choices:
            continue
        listed = "<" + "|".join(choices) + ">"
        assert any(listed in line for line in lines), f"{param.name}: {listed} not on one line"
        shown += 1
    assert "Examples:" in out
    examples = out.split("Examples:", 1)[1]
    assert "  portfolio" in examples
    if words == ["report"]:
        assert shown >= 3  # --lang, --format (every writer and all), --source
        assert "<" + "|".join([*WRITERS, "all"]) + ">" in out


def test_every_option_with_fixed_values_declares_them() -> None:
    """What the README promised: choices where `<str>` used to stand."""
    found = {
        (" ".join(words), param.name): _choices(param)
        for words, command in COMMANDS
        for param in command.params
    }
    assert found[("serve", "store")] == ["sqlite", "dynamodb"]
    assert found[("serve", "server")] == ["uvicorn", "granian"]
    assert found[("check", "target")] == ["local", "aws"]
    assert found[("check", "kind")] == ["daily", "weekly", "monthly"]
    assert found[("infra cost", "design")] == ["original", "serverless"]
    assert found[("ops run", "job")] == list(JOBS)
    # The declared values are the registries' own.
    assert list(get_args(report.SourceName)) == list(SOURCE_MODULES)
    assert list(get_args(ops.Job)) == list(JOBS)
    assert sorted(get_args(check.Target)) == targets()
    assert list(get_args(report.DemoScenario)) == list(SCENARIOS)


def test_dash_h_is_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["-h"]) == 0
    assert capsys.readouterr().out.startswith("Usage: portfolio ")
    assert run(["incident", "add", "-h"]) == 0
    assert "--summary" in capsys.readouterr().out


def test_the_version_has_one_form(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--version"]) == 0
    flag = capsys.readouterr().out
    assert run(["version"]) == 0
    assert capsys.readouterr().out == flag == f"portfolio {__version__}\n"


@pytest.mark.parametrize(
    ("args", "suggestion"),
    [
        (["repot"], "Did you mean 'report'?"),
        (["incident", "lst"], "Did you mean 'list'?"),
        (["check", "dialy"], "Did you mean 'daily'?"),
        (["report", "--lang", "em"], "Did you mean 'en'?"),
        (["report", "--format", "md,jsno"], "Did you mean 'json'?"),
        (["serve", "--server", "granain"], "Did you mean 'granian'?"),
    ],
)
def test_a_mistyped_command_or_value_gets_a_suggestion(
    args: list[str], suggestion: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert suggestion in err


def _complete(words: str) -> list[str]:
    env = {**os.environ, "_PORTFOLIO_COMPLETE": "complete_bash", "COMP_WORDS": words,
           "COMP_CWORD": str(len(words.split(" ")) - 1)}  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-c", "from portfolio.cli.main import main; main()"],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    return done.stdout.split()


def test_option_values_complete() -> None:
    assert _complete("portfolio report --lang ") == ["ja", "en", "all"]
    assert _complete("portfolio check ") == ["daily", "weekly", "monthly"]
    assert _complete("portfolio report --format md,j") == ["md,json"]
    assert _complete("portfolio serve --store d") == ["dynamodb"]
