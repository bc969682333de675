"""The user repository contract: every backend behaves the same to the API."""

from __future__ import annotations

import pytest

from portfolio.errors import DuplicateEmailError, InputError, NotFoundError, VersionMismatchError
from portfolio.store.ids import encode_cursor
from portfolio.store.protocols import Store
from portfolio.store.records import NewUser, Role


def new_user(n: int = 1, **overrides: object) -> NewUser:
    values: dict[str, object] = {"name": f"User {n}", "email": f"user{n}@example.com"}
    values.update(overrides)
    return NewUser(**values)  # type: ignore[arg-type]


def test_create_then_get_returns_the_same_user(store: Store) -> None:
    created = store.create_user(
        new_user(
            name="Ada",
            email="ada@example.com",
            role=Role.EDITOR,
            title="Engineer",
            bio="Writes — and reads. 日本語も。",
            links=("https://a.example", "https://b.example"),
        )
    )
    assert created.version == 1
    assert created.created_at == created.updated_at
    assert created.created_at.tzinfo is not None
    fetched = store.get_user(created.id)
    assert fetched == created
    assert fetched.links == ("https://a.example", "https://b.example")
    assert fetched.role is Role.EDITOR


def test_get_unknown_user_is_not_found(store: Store) -> None:
    with pytest.raises(NotFoundError):
        store.get_user("01ARZ3NDEKTSV4RRFFQ69G5FAV")


def test_email_is_unique_ignoring_case(store: Store) -> None:
    store.create_user(new_user(1, email="Same@Example.com"))
    with pytest.raises(DuplicateEmailError):
        store.create_user(new_user(2, email="same@example.COM"))
    assert len(store.list_users(limit=10).items) == 1


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Ünï@例え.jp", "ünï@例え.jp"),  # non-ASCII case
        ("ＡＢＣ@example.com", "abc@example.com"),  # full-width compatibility forms (NFKC)
        ("straße@example.de", "STRASSE@example.de"),  # full case folding, not lower()
        ("u\u0308ber@example.com", "über@example.com"),  # combining vs precomposed
    ],
)
def test_email_uniqueness_uses_one_normalisation(store: Store, first: str, second: str) -> None:
    store.create_user(new_user(1, email=first))
    with pytest.raises(DuplicateEmailError):
        store.create_user(new_user(2, email=second))
    other = store.create_user(new_user(3, email="other@example.com"))
    with pytest.raises(DuplicateEmailError):
        store.update_user(other.id, {"email": second}, expected_version=1)


def test_update_applies_changes_and_bumps_version(store: Store) -> None:
    user = store.create_user(new_user())
    updated = store.update_user(
        user.id,
        {"name": "Renamed", "role": "admin", "links": ["https://x.example"], "bio": ""},
        expected_version=1,
    )
    assert updated.version == 2
    assert updated.name == "Renamed"
    assert updated.role is Role.ADMIN
    assert updated.links == ("https://x.example",)
    assert updated.bio == ""
    assert updated.updated_at >= user.updated_at
    assert updated.created_at == user.created_at
    assert store.get_user(user.id) == updated


def test_update_with_a_stale_version_is_refused_and_changes_nothing(store: Store) -> None:
    user = store.create_user(new_user())
    store.update_user(user.id, {"name": "First"}, expected_version=1)
    with pytest.raises(VersionMismatchError) as caught:
        store.update_user(user.id, {"name": "Second"}, expected_version=1)
    assert caught.value.current_version == 2
    assert store.get_user(user.id).name == "First"


def test_update_of_unknown_user_is_not_found(store: Store) -> None:
    with pytest.raises(NotFoundError):
        store.update_user("01ARZ3NDEKTSV4RRFFQ69G5FAV", {"name": "x"}, expected_version=1)
    with pytest.raises(NotFoundError):
        store.update_user("01ARZ3NDEKTSV4RRFFQ69G5FAV", {"email": "x@y.z"}, expected_version=1)


def test_update_rejects_unknown_fields(store: Store) -> None:
    user = store.create_user(new_user())
    with pytest.raises(InputError):
        store.update_user(user.id, {"version": 7}, expected_version=1)


def test_email_change_frees_the_old_email_and_takes_the_new(store: Store) -> None:
    user = store.create_user(new_user(1, email="old@example.com"))
    store.create_user(new_user(2, email="taken@example.com"))
    with pytest.raises(DuplicateEmailError):
        store.update_user(user.id, {"email": "TAKEN@example.com"}, expected_version=1)
    assert store.get_user(user.id).email == "old@example.com"

    moved = store.update_user(user.id, {"email": "new@example.com"}, expected_version=1)
    assert moved.email == "new@example.com"
    assert moved.version == 2
    # The old email is free again; the new one is taken.
    store.create_user(new_user(3, email="OLD@example.com"))
    with pytest.raises(DuplicateEmailError):
        store.create_user(new_user(4, email="new@EXAMPLE.com"))


def test_email_change_of_case_only_keeps_the_user_s_own_email(store: Store) -> None:
    user = store.create_user(new_user(1, email="case@example.com"))
    changed = store.update_user(user.id, {"email": "Case@Example.com"}, expected_version=1)
    assert changed.email == "Case@Example.com"
    with pytest.raises(DuplicateEmailError):
        store.create_user(new_user(2, email="case@example.com"))


def test_email_change_with_a_stale_version_is_refused(store: Store) -> None:
    user = store.create_user(new_user(1, email="a@example.com"))
    store.update_user(user.id, {"name": "v2"}, expected_version=1)
    with pytest.raises(VersionMismatchError) as caught:
        store.update_user(user.id, {"email": "b@example.com"}, expected_version=1)
    assert caught.value.current_version == 2
    # b@ was not taken by the refused change.
    store.create_user(new_user(2, email="b@example.com"))


def test_delete_needs_the_current_version_and_frees_the_email(store: Store) -> None:
    user = store.create_user(new_user(1, email="gone@example.com"))
    store.update_user(user.id, {"name": "v2"}, expected_version=1)
    with pytest.raises(VersionMismatchError) as caught:
        store.delete_user(user.id, expected_version=1)
    assert caught.value.current_version == 2
    store.delete_user(user.id, expected_version=2)
    with pytest.raises(NotFoundError):
        store.get_user(user.id)
    with pytest.raises(NotFoundError):
        store.delete_user(user.id, expected_version=2)
    store.create_user(new_user(2, email="gone@example.com"))


def test_pages_cover_every_user_once_in_id_order(store: Store) -> None:
    created = [store.create_user(new_user(n)).id for n in range(23)]
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        page = store.list_users(limit=5, cursor=cursor)
        pages += 1
        assert len(page.items) <= 5
        seen += [u.id for u in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert pages == 5
    # No duplicates, no gaps, id order (= creation order to the millisecond: ULIDs).
    assert seen == sorted(created)


def test_last_full_page_has_no_cursor(store: Store) -> None:
    for n in range(4):
        store.create_user(new_user(n))
    first = store.list_users(limit=2)
    assert first.next_cursor is not None
    second = store.list_users(limit=2, cursor=first.next_cursor)
    assert len(second.items) == 2
    assert second.next_cursor is None
    assert store.list_users(limit=10).next_cursor is None


def test_paging_goes_on_after_the_cursor_user_is_deleted(store: Store) -> None:
    for n in range(4):
        store.create_user(new_user(n))
    everyone = store.list_users(limit=10).items
    first = store.list_users(limit=2)
    store.delete_user(everyone[1].id, expected_version=1)
    rest = store.list_users(limit=10, cursor=first.next_cursor)
    assert [u.id for u in rest.items] == [everyone[2].id, everyone[3].id]


def test_empty_store_lists_nothing(store: Store) -> None:
    page = store.list_users(limit=3)
    assert page.items == []
    assert page.next_cursor is None


@pytest.mark.parametrize(
    "cursor",
    [
        "not base64 !!",
        encode_cursor({"before": "x"}),
        encode_cursor({"after": 5}),
        "WzFd",  # a JSON list, not an object
    ],
)
def test_a_cursor_this_api_did_not_make_is_an_input_error(store: Store, cursor: str) -> None:
    with pytest.raises(InputError):
        store.list_users(limit=5, cursor=cursor)


def test_change_token_is_steady_without_writes_and_moves_after_each(store: Store) -> None:
    """A token, when the backend gives one, never stays the same across a commit."""
    before = store.change_token()
    if before is None:  # DynamoDB: readers may not keep anything
        assert store.backend == "dynamodb"
        return
    assert store.change_token() == before
    user = store.create_user(new_user())
    after_create = store.change_token()
    assert after_create != before
    store.update_user(user.id, {"title": "SRE"}, expected_version=user.version)
    assert store.change_token() not in (before, after_create)
