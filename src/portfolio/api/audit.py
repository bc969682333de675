"""Permission changes made through the API, recorded in the operations log (権限変更).

The report's security section counts operations-log entries whose kind is one of
``security_rules``' permission kinds; this is where the API writes them.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta

from portfolio.config import ApiKey, api_key_set_fingerprint
from portfolio.errors import StoreError
from portfolio.security_rules import API_KEYS_BASELINE, PERMISSION_API_KEYS, PERMISSION_USER_ROLE
from portfolio.store.ids import new_id
from portfolio.store.protocols import Store
from portfolio.store.records import Role, WorkItem

log = logging.getLogger(__name__)
LOG_START = datetime(2000, 1, 1, tzinfo=UTC)
"""Earlier than any operations-log entry: where the search for the last key set starts."""


def record_role_change(store: Store, *, user_id: str, old: Role, new: Role, actor: str) -> None:
    """One work item: whose role changed, from what to what, by which key (never an email).

    The change itself is already stored; if the record cannot be written the
    failure is logged as an error (counted in the report) instead of undoing it.
    """
    if old == new:
        return
    item = WorkItem(
        id=new_id(),
        at=datetime.now(UTC),
        kind=PERMISSION_USER_ROLE,
        summary=f"user {user_id}: role {old.value} → {new.value} (API key {actor})",
    )
    try:
        store.add_work_item(item)
    except StoreError as err:
        log.error("role change of user %s not recorded: %s", user_id, err)


API_KEY_SET = re.compile(r"fingerprint ([0-9a-f]{16})")


def record_api_key_set(store: Store, keys: list[ApiKey], *, now: datetime) -> bool:
    """Record the API-key set when it differs from the last one recorded; True if it did.

    The record names each key by its id (a hash of the secret) and scope, and the
    whole set by a fingerprint that the next start compares with; secrets never
    leave the settings. The first set a store sees is its baseline (API_KEYS_BASELINE),
    not a change: a fresh install reports 権限変更 0. No keys and nothing recorded is
    no change either.
    """
    fingerprint = api_key_set_fingerprint(keys)
    last = [
        item
        for item in store.list_work_items(LOG_START, now + timedelta(seconds=1))
        if item.kind in (PERMISSION_API_KEYS, API_KEYS_BASELINE)
    ]
    if last:
        match = API_KEY_SET.search(max(last, key=lambda item: item.at).summary)
        if match is not None and match.group(1) == fingerprint:
            return False
    elif not keys:
        return False
    listed = ", ".join(sorted(f"{key.key_id} ({key.scope})" for key in keys)) or "none"
    store.add_work_item(
        WorkItem(
            id=new_id(),
            at=now,
            kind=PERMISSION_API_KEYS if last else API_KEYS_BASELINE,
            summary=f"API keys {'now' if last else 'at first start'}: {listed}; "
            f"fingerprint {fingerprint}",
        )
    )
    return bool(last)
