"""If-Match per RFC 9110 §13.1.1, for writes: strong comparison, ``*`` and lists.

The ETag of a user is its version in quotes (``"3"``). A write names the version
it changes; the store then compares and writes in one step, so a stale version
is refused even if it passed here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from portfolio.api.problems import ProblemError

MAX_IF_MATCH = 1024
MAX_VERSION_DIGITS = 18
"""A version with more digits than this cannot exist (and would not fit the stores)."""

ENTITY_TAG = r'(?:W/)?"[\x21\x23-\x7e]*"'
IF_MATCH_PATTERN = rf"^[ \t]*(?:\*|{ENTITY_TAG}(?:[ \t]*,[ \t]*{ENTITY_TAG})*)[ \t]*$"
"""``*`` or a list of entity tags (RFC 9110 §13.1.1, tags restricted to ASCII): the
OpenAPI document publishes this pattern and the parser accepts exactly it."""

_VALID = re.compile(IF_MATCH_PATTERN)
_TAGS = re.compile(r'(W/)?"([\x21\x23-\x7e]*)"')


@dataclass(frozen=True, slots=True)
class IfMatch:
    """What an If-Match header asks for: any current version, or one of these."""

    any: bool
    versions: frozenset[int]


def parse_if_match(value: str | None) -> IfMatch:
    """428 when absent, 400 when malformed; weak tags are dropped (they never match)."""
    if value is None:
        raise ProblemError(
            428,
            "send 'If-Match' with the user's ETag (from GET) so changes are not lost",
            slug="if-match-required",
        )
    if len(value) > MAX_IF_MATCH or _VALID.fullmatch(value) is None:
        raise ProblemError(
            400,
            f'If-Match must be * or a list of entity tags like "3" (at most {MAX_IF_MATCH}'
            " characters)",
            slug="malformed-if-match",
        )
    if value.strip(" \t") == "*":
        return IfMatch(any=True, versions=frozenset())
    versions = {
        int(opaque) for weak, opaque in _TAGS.findall(value) if not weak and _is_version(opaque)
    }
    return IfMatch(any=False, versions=frozenset(versions))


def _is_version(opaque: str) -> bool:
    """Whether a tag can be one this API made: strong comparison is exact, "03" is not "3"."""
    return (
        opaque.isdigit()
        and len(opaque) <= MAX_VERSION_DIGITS
        and (opaque == "0" or not opaque.startswith("0"))
    )


def choose_version(wanted: IfMatch, current: int) -> int | None:
    """The version to write against, or None when If-Match does not match ``current``."""
    if wanted.any or current in wanted.versions:
        return current
    return None
