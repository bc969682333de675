"""One shape for every plug-in point: a named table that things register themselves in.

Checks, their collectors, report sources, scheduled jobs and the store's error
translators are each found by a key that a module registers when it is imported. Each
used to be a dict with its own decorator; they are all ``Registry`` now, so each one
refuses a key registered twice (two modules claiming one name is a bug, not an
override) and says which keys exist when asked for one that does not.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

K = TypeVar("K")
T = TypeVar("T")

__all__ = ["Registry"]


class Registry(Generic[K, T]):
    """Values of type ``T`` by key ``K``, in registration order.

    ``what`` names an entry in messages ("check", "job"); ``unknown`` is the error
    class raised for a key not registered (an InputError where a user typed the key,
    a ConfigError where settings hold it).
    """

    def __init__(self, what: str, *, unknown: Callable[[str], Exception] = LookupError) -> None:
        self.what = what
        self._unknown = unknown
        self._entries: dict[K, T] = {}

    def register(self, key: K, value: T) -> T:
        """Add ``value`` under ``key`` (ValueError if the key is taken); returns the value."""
        if key in self._entries:
            raise ValueError(f"{self.what} {key!r} registered twice")
        self._entries[key] = value
        return value

    def add(self, key: K) -> Callable[[T], T]:
        """A decorator that registers what it decorates under ``key``."""

        def decorate(value: T) -> T:
            return self.register(key, value)

        return decorate

    def __getitem__(self, key: K) -> T:
        """The entry for ``key``; ``unknown`` naming the key and the keys there are."""
        try:
            return self._entries[key]
        except KeyError:
            available = ", ".join(str(k) for k in self._entries) or "none"
            raise self._unknown(f"unknown {self.what} {key!r}; available: {available}") from None

    def get(self, key: K) -> T | None:
        """The entry for ``key``, or None when there is none."""
        return self._entries.get(key)

    def names(self) -> list[K]:
        """Every key, in registration order."""
        return list(self._entries)

    def values(self) -> list[T]:
        """Every entry, in registration order."""
        return list(self._entries.values())

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def __iter__(self) -> Iterator[K]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)
