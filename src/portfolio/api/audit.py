"""Permission changes made through the API, recorded in the operations log (権限変更).

The report's security section counts operations-log entries whose kind is one of
``security_rules``' permission kinds; this is where the API writes them.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from portfolio.errors import StoreError
from portfolio.security_rules import PERMISSION_USER_ROLE
from portfolio.store.ids import new_id
from portfolio.store.protocols import Store
from portfolio.store.records import Role, WorkItem

log = logging.getLogger(__name__)


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
