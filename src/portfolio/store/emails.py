"""The one normalisation that decides whether two emails are the same user.

NFKC folds compatibility forms (full-width ``Ａ``, ligatures) into one spelling and
casefold is the full Unicode case folding (``Ü``/``ü``, ``ß``/``ss``), applied to the
whole address. Both stores key their uniqueness on this, so a pair of emails
collides on SQLite exactly when it collides on DynamoDB.
"""

from __future__ import annotations

import unicodedata


def email_key(email: str) -> str:
    """The uniqueness key of ``email``: NFKC, then casefold, of the whole address."""
    return unicodedata.normalize("NFKC", email).casefold()
