"""Users on the ``portfolio-users`` table.

Users keep a unique, case-insensitive email with a guard item per email,
written in the same transaction as the user; updates and deletes are
conditional on ``version``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from portfolio.errors import (
    ConflictError,
    DuplicateEmailError,
    InputError,
    NotFoundError,
    StoreError,
    VersionMismatchError,
)
from portfolio.store import keys
from portfolio.store.callstats import CallNote, current_note
from portfolio.store.dynamodb import lookalikes
from portfolio.store.dynamodb.client import (
    CONDITION_FAILED,
    REASON_CONDITION_FAILED,
    DynamoCalls,
    cancel_reasons,
    err_code,
    error_item,
    reason_code,
)
from portfolio.store.dynamodb.codecs import (
    Item,
    apply_changes,
    check_size,
    int_of,
    n_of,
    s_of,
    str_of,
    to_us,
    user_item,
    user_of,
    user_value,
)
from portfolio.store.emails import email_skeleton
from portfolio.store.ids import decode_cursor, encode_cursor, new_id
from portfolio.store.records import (
    USER_FIELDS,
    NewUser,
    User,
    UserChanges,
    UsersPage,
)

_USER_ID_CHARS = frozenset("0123456789ABCDEFGHJKMNPQRSTVWXYZ")


class DynamoUsers(DynamoCalls):
    """The user repository: conditional writes, one winner in every race."""

    def create_user(self, new: NewUser) -> User:
        now = datetime.now(UTC)
        user = User(
            id=new_id(),
            name=new.name,
            email=new.email,
            role=new.role,
            title=new.title,
            bio=new.bio,
            links=tuple(new.links),
            created_at=now,
            updated_at=now,
            version=1,
        )
        item = lookalikes.holding(user_item(user), new.email)
        check_size(item, f"user {new.email}")
        note = current_note()
        try:
            self._call(
                note,
                self._client.transact_write_items,
                TransactItems=[
                    {"Put": self._put_new(self.users_table, item)},
                    {"Put": self._put_new(self.users_table, self._guard(new.email, user.id))},
                    {"Put": lookalikes.guard_put(self.users_table, new.email, user.id)},
                ],
                ReturnConsumedCapacity="TOTAL",
            )
        except ClientError as err:
            reasons = cancel_reasons(err)
            if REASON_CONDITION_FAILED in (reason_code(reasons, 1), reason_code(reasons, 2)):
                raise DuplicateEmailError(f"a user with email {new.email} exists") from err
            if reason_code(reasons, 0) == REASON_CONDITION_FAILED:
                raise ConflictError(f"user id {user.id} is already taken; retry") from err
            raise
        return user

    @staticmethod
    def _guard(email: str, user_id: str) -> Item:
        return {**keys.email_key(email), "user_id": s_of(user_id)}

    def _release_guard(self, email: str, user_id: str) -> dict[str, Any]:
        return {
            "TableName": self.users_table,
            "Key": keys.email_key(email),
            "ConditionExpression": "#user_id = :user_id",
            "ExpressionAttributeNames": {"#user_id": "user_id"},
            "ExpressionAttributeValues": {":user_id": s_of(user_id)},
        }

    def _read_user(self, note: CallNote, user_id: str) -> Item | None:
        response = self._call(
            note,
            self._client.get_item,
            TableName=self.users_table,
            Key=keys.user_key(user_id),
            ConsistentRead=True,
            ReturnConsumedCapacity="TOTAL",
        )
        item: Item | None = response.get("Item")
        return item

    def get_user(self, user_id: str) -> User:
        note = current_note()
        item = self._read_user(note, user_id)
        if item is None:
            raise NotFoundError(f"user {user_id} not found")
        return user_of(item)

    def list_users(self, *, limit: int, cursor: str | None = None) -> UsersPage:
        """Users in id (= creation) order from the by-created index.

        The cursor names the last user returned, like the SQLite store's, and
        becomes the index's ExclusiveStartKey; one more item than asked for is
        read so the last page carries no cursor. The index is eventually
        consistent on AWS: a user created a moment ago may be missing for a moment.
        """
        if limit < 1:
            raise InputError("limit must be at least 1")
        start: Item | None = None
        if cursor is not None:
            after = decode_cursor(cursor).get("after")
            if not isinstance(after, str) or len(after) != 26 or set(after) - _USER_ID_CHARS:
                raise InputError("cursor is not one this API returned")
            start = keys.user_index_key(after)
        items: list[User] = []
        note = current_note()
        while len(items) <= limit:
            params: dict[str, Any] = {
                "TableName": self.users_table,
                "IndexName": keys.USERS_INDEX,
                "KeyConditionExpression": "#pk = :pk",
                "ExpressionAttributeNames": {"#pk": "gsi1pk"},
                "ExpressionAttributeValues": {":pk": s_of(keys.USERS_INDEX_PARTITION)},
                "Limit": limit + 1 - len(items),
                "ReturnConsumedCapacity": "TOTAL",
            }
            if start is not None:
                params["ExclusiveStartKey"] = start
            response = self._call(note, self._client.query, **params)
            items += [user_of(i) for i in response.get("Items", [])]
            start = response.get("LastEvaluatedKey")
            if not start:
                break
        page = items[:limit]
        more = len(items) > limit
        next_cursor = encode_cursor({"after": page[-1].id}) if more and page else None
        return UsersPage(items=page, next_cursor=next_cursor)

    def update_user(self, user_id: str, changes: UserChanges, *, expected_version: int) -> User:
        unknown = set(changes) - set(USER_FIELDS)
        if unknown:
            raise InputError(f"unknown user fields: {', '.join(sorted(unknown))}")
        note = current_note()
        if "email" in changes:
            return self._update_with_email(note, user_id, changes, expected_version)
        return self._update_in_place(note, user_id, changes, expected_version)

    def _update_in_place(
        self, note: CallNote, user_id: str, changes: UserChanges, expected: int
    ) -> User:
        """One conditional UpdateItem: the version check and the write are one step."""
        now = datetime.now(UTC)
        attr_names = {"#pk": "pk", "#version": "version", "#updated_at": "updated_at"}
        values: dict[str, Any] = {
            ":expected": n_of(expected),
            ":next": n_of(expected + 1),
            ":now": n_of(to_us(now)),
        }
        assignments = ["#updated_at = :now", "#version = :next"]
        for i, (name, value) in enumerate(changes.items()):
            attr_names[f"#f{i}"] = name
            values[f":v{i}"] = user_value(name, value)
            assignments.append(f"#f{i} = :v{i}")
        check_size({n: values[f":v{i}"] for i, n in enumerate(changes)}, f"user {user_id}")
        try:
            response = self._call(
                note,
                self._client.update_item,
                TableName=self.users_table,
                Key=keys.user_key(user_id),
                UpdateExpression="SET " + ", ".join(assignments),
                ConditionExpression="attribute_exists(#pk) AND #version = :expected",
                ExpressionAttributeNames=attr_names,
                ExpressionAttributeValues=values,
                ReturnValues="ALL_NEW",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
                ReturnConsumedCapacity="TOTAL",
            )
        except ClientError as err:
            if err_code(err) == CONDITION_FAILED:
                raise self._missing_or_stale(user_id, expected, error_item(err)) from err
            if err_code(err) == "ValidationException":
                # Rejected for its size? Only the whole item tells: measure it.
                current = self._read_user(note, user_id)
                if current is not None:
                    check_size(
                        user_item(apply_changes(user_of(current), changes, now)), f"user {user_id}"
                    )
            raise
        return user_of(response["Attributes"])

    def _update_with_email(
        self, note: CallNote, user_id: str, changes: UserChanges, expected: int
    ) -> User:
        """Read, then write the user and swap its email guard in one transaction.

        The read tells which guard to release; the write is still conditional on
        the version, so a writer that slipped in between makes this one fail.
        """
        item = self._read_user(note, user_id)
        if item is None or int_of(item, "version") != expected:
            raise self._missing_or_stale(user_id, expected, item)
        current = user_of(item)
        updated = apply_changes(current, changes, datetime.now(UTC))
        same_guard = keys.email_key(updated.email) == keys.email_key(current.email)
        old_skeleton = lookalikes.held(item)
        moves = not same_guard and old_skeleton != email_skeleton(updated.email)
        new_item = user_item(updated)
        if moves:
            new_item = lookalikes.holding(new_item, updated.email)
        elif old_skeleton is not None:
            new_item[lookalikes.HELD] = s_of(old_skeleton)
        check_size(new_item, f"user {user_id}")
        put = {
            "TableName": self.users_table,
            "Item": new_item,
            "ConditionExpression": "#version = :expected",
            "ExpressionAttributeNames": {"#version": "version"},
            "ExpressionAttributeValues": {":expected": n_of(expected)},
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }
        try:
            if same_guard:
                self._call(note, self._client.put_item, **put, ReturnConsumedCapacity="TOTAL")
            else:
                self._call(
                    note,
                    self._client.transact_write_items,
                    TransactItems=[
                        {"Put": put},
                        {"Delete": self._release_guard(current.email, user_id)},
                        {
                            "Put": self._put_new(
                                self.users_table, self._guard(updated.email, user_id)
                            )
                        },
                        *self._skeleton_moves(moves, old_skeleton, updated.email, user_id),
                    ],
                    ReturnConsumedCapacity="TOTAL",
                )
        except ClientError as err:
            if err_code(err) == CONDITION_FAILED:
                raise self._missing_or_stale(user_id, expected, error_item(err)) from err
            reasons = cancel_reasons(err)
            if reason_code(reasons, 0) == REASON_CONDITION_FAILED:
                stored = reasons[0].get("Item")
                raise self._missing_or_stale(user_id, expected, stored) from err
            if REASON_CONDITION_FAILED in (reason_code(reasons, 2), reason_code(reasons, 4)):
                raise DuplicateEmailError(f"a user with email {updated.email} exists") from err
            if reason_code(reasons, 3) == REASON_CONDITION_FAILED:
                if old_skeleton is None:  # no release: index 3 is the new guard's Put
                    raise DuplicateEmailError(f"a user with email {updated.email} exists") from err
                raise StoreError(
                    f"the look-alike guard of user {user_id} is not held by it"
                ) from err
            if reason_code(reasons, 1) == REASON_CONDITION_FAILED:
                raise StoreError(f"the email guard of user {user_id} is not held by it") from err
            raise
        return updated

    def delete_user(self, user_id: str, *, expected_version: int) -> None:
        note = current_note()
        item = self._read_user(note, user_id)
        if item is None or int_of(item, "version") != expected_version:
            raise self._missing_or_stale(user_id, expected_version, item)
        try:
            self._call(
                note,
                self._client.transact_write_items,
                TransactItems=[
                    {
                        "Delete": {
                            "TableName": self.users_table,
                            "Key": keys.user_key(user_id),
                            "ConditionExpression": "#version = :expected",
                            "ExpressionAttributeNames": {"#version": "version"},
                            "ExpressionAttributeValues": {":expected": n_of(expected_version)},
                            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                        }
                    },
                    {"Delete": self._release_guard(str_of(item, "email"), user_id)},
                    *self._skeleton_moves(False, lookalikes.held(item), None, user_id),
                ],
                ReturnConsumedCapacity="TOTAL",
            )
        except ClientError as err:
            reasons = cancel_reasons(err)
            if reason_code(reasons, 0) == REASON_CONDITION_FAILED:
                stored = reasons[0].get("Item")
                raise self._missing_or_stale(user_id, expected_version, stored) from err
            if reason_code(reasons, 1) == REASON_CONDITION_FAILED:
                raise StoreError(f"the email guard of user {user_id} is not held by it") from err
            raise

    def _skeleton_moves(
        self, moves: bool, old: str | None, email: str | None, user_id: str
    ) -> list[dict[str, Any]]:
        """Release the look-alike guard held (if any, and if moving or deleting) and take
        the one of ``email`` (when given and moving)."""
        ops: list[dict[str, Any]] = []
        if old is not None and (moves or email is None):
            ops.append({"Delete": lookalikes.guard_release(self.users_table, old, user_id)})
        if moves and email is not None:
            ops.append({"Put": lookalikes.guard_put(self.users_table, email, user_id)})
        return ops

    @staticmethod
    def _missing_or_stale(
        user_id: str, expected: int, stored: Mapping[str, Any] | None
    ) -> NotFoundError | VersionMismatchError:
        if not stored:
            return NotFoundError(f"user {user_id} not found")
        current = int_of(stored, "version")
        return VersionMismatchError(
            f"user {user_id} is at version {current}, not {expected}", current_version=current
        )
