"""What text shown to people may contain: one rule, enforced and documented alike.

NUL, C0/C1 control and bidi-override characters are refused: they truncate,
hide or reorder what a reader of a name sees (Trojan Source). Leading and
trailing whitespace is refused rather than stripped, so that the OpenAPI
pattern and the server accept exactly the same strings.

The pattern is written once in the syntax that Python's ``re`` and ECMA-262
(JSON Schema's regex dialect) share; the validator uses it verbatim.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator, Field, WithJsonSchema

_BIDI = r"\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_LINE_CONTROLS = r"\x00-\x1f\x7f-\x9f" + _BIDI
_BLOCK_CONTROLS = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f" + _BIDI  # keeps \t \n \r


def _pattern(controls: str) -> str:
    return rf"^(?:[^\s{controls}](?:[^{controls}]*[^\s{controls}])?)?$"


LINE_PATTERN = _pattern(_LINE_CONTROLS)
BLOCK_PATTERN = _pattern(_BLOCK_CONTROLS)
_LINE = re.compile(LINE_PATTERN)
_BLOCK = re.compile(BLOCK_PATTERN)


def check_line(value: str) -> str:
    """A one-line text (a name, a title): ValueError naming the problem."""
    return _check(value, _LINE)


def check_block(value: str) -> str:
    """A multi-line text (a bio): tabs and line breaks allowed."""
    return _check(value, _BLOCK)


def _check(value: str, rule: re.Pattern[str]) -> str:
    if rule.fullmatch(value):
        return value
    if value != value.strip():
        raise ValueError("remove the leading or trailing whitespace")
    raise ValueError("contains a NUL, control or bidi-override character")


def line_field(**kwargs: Any) -> Any:
    """``Field`` for a one-line text, its pattern documented in OpenAPI."""
    return Field(json_schema_extra={"pattern": LINE_PATTERN}, **kwargs)


def block_field(**kwargs: Any) -> Any:
    return Field(json_schema_extra={"pattern": BLOCK_PATTERN}, **kwargs)


MAX_EMAIL = 254  # RFC 5321's path limit less the angle brackets
MAX_LOCAL_PART = 64  # RFC 5321 §4.5.3.1.1, in octets
EMAIL_SHAPE = r"^[^@]{1,64}@[^@]+\.[^@.]+$"
"""What the OpenAPI document promises beside ``format: email``: a local part of at most
64 characters and a dotted domain (a single label such as ``a@b`` is refused)."""


RESERVED_DOMAINS = ("arpa", "invalid", "local", "localhost", "onion")
"""Special-use names (RFC 6761 and kin) that email_validator refuses; ``.test`` is allowed."""
RESERVED_PATTERN = (
    "[@.](?:"
    + "|".join("".join(f"[{c.upper()}{c}]" for c in name) for name in RESERVED_DOMAINS)
    + r")\.?$"
)
"""The same names as a pattern the OpenAPI document excludes (case-insensitive by hand:
JSON Schema's regex dialect has no flags)."""


def check_email(value: str) -> str:
    """An address by RFC 5322's syntax (what the OpenAPI ``email`` format promises),
    not under a reserved domain. Whether a domain receives mail is not checked: this
    service never sends any."""
    try:
        checked = validate_email(
            value, check_deliverability=False, globally_deliverable=False, test_environment=True
        )
    except EmailNotValidError as err:
        raise ValueError(f"not a valid email address: {err}") from err
    local, _, domain = str(checked.normalized).rpartition("@")
    if len(local.encode()) > MAX_LOCAL_PART:
        raise ValueError(f"not a valid email address: the part before @ is over {MAX_LOCAL_PART}"
                         " bytes (RFC 5321 §4.5.3.1.1)")  # fmt: skip
    if "." not in domain.strip("."):
        raise ValueError("not a valid email address: the domain needs a dot (example.com)")
    return str(checked.normalized)


Email = Annotated[
    str,
    AfterValidator(check_email),
    WithJsonSchema(
        {
            "type": "string",
            "format": "email",
            "maxLength": MAX_EMAIL,
            "pattern": EMAIL_SHAPE,
            "not": {"pattern": RESERVED_PATTERN},
        }
    ),
]
