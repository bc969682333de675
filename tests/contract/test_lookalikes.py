"""Look-alike emails (UTS #39 skeletons): one user per address a reader would confuse."""

from __future__ import annotations

import pytest

from portfolio.errors import DuplicateEmailError
from portfolio.store.protocols import Store
from portfolio.store.records import NewUser

CYRILLIC_A = "\u0430"
LOOKALIKES = [
    f"h{CYRILLIC_A}nako@example.com",  # in the local part
    f"hanako@ex{CYRILLIC_A}mple.com",  # in the domain
]


def user(email: str) -> NewUser:
    return NewUser(name="Hanako", email=email)


@pytest.mark.parametrize("lookalike", LOOKALIKES)
def test_a_lookalike_of_a_held_address_is_refused(store: Store, lookalike: str) -> None:
    store.create_user(user("hanako@example.com"))
    with pytest.raises(DuplicateEmailError):
        store.create_user(user(lookalike))


@pytest.mark.parametrize("lookalike", LOOKALIKES)
def test_a_lookalike_is_refused_as_a_new_email_too(store: Store, lookalike: str) -> None:
    store.create_user(user("hanako@example.com"))
    other = store.create_user(user("taro@example.com"))
    with pytest.raises(DuplicateEmailError):
        store.update_user(other.id, {"email": lookalike}, expected_version=1)
    assert store.get_user(other.id).email == "taro@example.com"


def test_different_addresses_still_register(store: Store) -> None:
    store.create_user(user("hanako@example.com"))
    store.create_user(user("hanako2@example.com"))
    store.create_user(user("hanako@example.org"))
    store.create_user(user("hinako@example.com"))


def test_the_owner_keeps_writing_their_record(store: Store) -> None:
    owner = store.create_user(user("hanako@example.com"))
    renamed = store.update_user(owner.id, {"name": "Hanako Y."}, expected_version=1)
    # Their own look-alike is theirs to take: the guard moves with them.
    moved = store.update_user(
        owner.id, {"email": f"h{CYRILLIC_A}nako@example.com"}, expected_version=renamed.version
    )
    back = store.update_user(
        owner.id, {"email": "Hanako@example.com"}, expected_version=moved.version
    )
    assert back.email == "Hanako@example.com"
    with pytest.raises(DuplicateEmailError):
        store.create_user(user(f"hanako@ex{CYRILLIC_A}mple.com"))


def test_a_moved_or_deleted_user_frees_its_lookalikes(store: Store) -> None:
    mover = store.create_user(user("hanako@example.com"))
    store.update_user(mover.id, {"email": "yamada@example.com"}, expected_version=1)
    freed = store.create_user(user(f"h{CYRILLIC_A}nako@example.com"))
    with pytest.raises(DuplicateEmailError):
        store.create_user(user(f"yam{CYRILLIC_A}da@example.com"))
    store.delete_user(freed.id, expected_version=1)
    store.create_user(user("hanako@example.com"))
