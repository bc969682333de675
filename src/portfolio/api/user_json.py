"""The JSON of ``UserPublic`` and ``UsersPage``, written once, straight from the store's records.

Building a pydantic model per user and dumping it costs about 9 µs a user (175 µs for
a page of 20), more than the store's query; a dict per user handed to orjson once
costs well under 1 µs. The schemas in ``schemas.py`` stay the published contract (the
OpenAPI document and the Schemathesis test check answers against them) and a test
keeps the bytes written here equal to theirs.
"""

from __future__ import annotations

from typing import Any

import orjson

from portfolio.store.records import User, UsersPage

_OPTIONS = orjson.OPT_UTC_Z
"""UTC as ``Z``, the way pydantic writes it; other offsets and naive times as pydantic does."""


def user_dict(user: User, *, show_email: bool) -> dict[str, Any]:
    """``UserPublic`` as plain data: the email only for callers with a key, never null."""
    out: dict[str, Any] = {"id": user.id, "name": user.name}
    if show_email:
        out["email"] = user.email
    out |= {
        "role": user.role.value,
        "title": user.title,
        "bio": user.bio,
        "links": user.links,
        "created_at": user.created_at,
        "updated_at": user.updated_at,
        "version": user.version,
    }
    return out


def user_json(user: User, *, show_email: bool) -> bytes:
    return orjson.dumps(user_dict(user, show_email=show_email), option=_OPTIONS)


def users_page_json(page: UsersPage, *, show_email: bool) -> bytes:
    """A hidden email is left out of each item; ``next_cursor`` is always there (null last)."""
    items = [user_dict(user, show_email=show_email) for user in page.items]
    return orjson.dumps({"items": items, "next_cursor": page.next_cursor}, option=_OPTIONS)
