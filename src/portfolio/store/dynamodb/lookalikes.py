"""The look-alike guard of an email on DynamoDB: one ``SKEL#<skeleton>`` item per user.

Beside the ``EMAIL#`` guard (same address), each user holds the guard of its email's
UTS #39 skeleton (store.emails.email_skeleton), written and released in the same
transaction as the user, so ``hаnako@example.com`` (Cyrillic ``а``) cannot register
beside ``hanako@example.com``. The user item records which skeleton it holds
(``email_skeleton``): users written before this guard hold none and release none, so
their records stay writable; they take a guard when their email next changes.
"""

from __future__ import annotations

from typing import Any

from portfolio.store.emails import email_skeleton

Item = dict[str, Any]

SKELETON_SORT_KEY = "SKEL"
HELD = "email_skeleton"
"""The user item's attribute naming the skeleton guard it holds."""


def skeleton_key(skeleton: str) -> Item:
    return {"pk": {"S": f"SKEL#{skeleton}"}, "sk": {"S": SKELETON_SORT_KEY}}


def held(item: Item) -> str | None:
    """The skeleton whose guard the stored user ``item`` holds, if any."""
    value = item.get(HELD, {}).get("S")
    return value if isinstance(value, str) else None


def holding(item: Item, email: str) -> Item:
    """``item`` marked as holding the guard of ``email``'s skeleton."""
    return {**item, HELD: {"S": email_skeleton(email)}}


def guard_put(table: str, email: str, user_id: str) -> Item:
    """A transaction Put that fails when another user holds ``email``'s skeleton."""
    return {
        "TableName": table,
        "Item": {**skeleton_key(email_skeleton(email)), "user_id": {"S": user_id}},
        "ConditionExpression": "attribute_not_exists(#pk)",
        "ExpressionAttributeNames": {"#pk": "pk"},
    }


def guard_release(table: str, skeleton: str, user_id: str) -> Item:
    """A transaction Delete of the guard ``user_id`` holds."""
    return {
        "TableName": table,
        "Key": skeleton_key(skeleton),
        "ConditionExpression": "#user_id = :user_id",
        "ExpressionAttributeNames": {"#user_id": "user_id"},
        "ExpressionAttributeValues": {":user_id": {"S": user_id}},
    }
