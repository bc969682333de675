""" "Did you mean …?" for a mistyped value, as Click already says for a mistyped option.

Typer rejects a value outside an option's choices with the list of choices; a person
who typed ``--lang jp`` or ``check dialy`` reads faster what was probably meant.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from difflib import get_close_matches
from typing import Any

from portfolio.errors import InputError


def closest(value: str, allowed: Iterable[str]) -> list[str]:
    """The allowed values close to ``value``, the closest first (at most three)."""
    return get_close_matches(value, list(allowed), n=3, cutoff=0.5)


def did_you_mean(value: str, allowed: Iterable[str]) -> str:
    """ " Did you mean 'x'?" when a value is close, else ""."""
    matches = closest(value, allowed)
    return f" Did you mean {' or '.join(repr(m) for m in matches)}?" if matches else ""


def unknown_choice(name: str, value: str, allowed: Sequence[str]) -> InputError:
    """The one-line error for a value outside ``allowed``, with a suggestion if one is close."""
    return InputError(
        f"{name} must be one of {', '.join(allowed)}, got {value!r}.{did_you_mean(value, allowed)}"
    )


def _choices(param: Any) -> list[str]:
    descriptor = getattr(param, "type_descriptor", None)
    values = getattr(descriptor, "choices", None) or ()
    return [str(getattr(v, "value", v)) for v in values]


def _given(param: Any, argv: Sequence[str]) -> list[str]:
    """The words of ``argv`` that were meant for ``param``."""
    if param.param_type_name == "argument":
        return [word for word in argv if not word.startswith("-")]
    given = []
    for index, word in enumerate(argv):
        for name in param.opts:
            if word == name and index + 1 < len(argv):
                given.append(argv[index + 1])
            elif word.startswith(name + "="):
                given.append(word.partition("=")[2])
    return given


def with_suggestion(err: Exception, message: str, argv: Sequence[str]) -> str:
    """``message``, and "Did you mean …?" when ``err`` rejected a value close to a choice."""
    message = message.replace("Value error, ", "")  # pydantic's prefix, through Typer
    param = getattr(err, "param", None)
    allowed = _choices(param) if param is not None else []
    if not allowed or "Did you mean" in message:
        return message
    for word in _given(param, argv):
        if word not in allowed:
            hint = did_you_mean(word, allowed)
            if hint:
                return message.rstrip() + hint
    return message
