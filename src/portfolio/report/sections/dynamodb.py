"""サービス別運用状況 3. DynamoDB: tables, backups, encryption, store calls."""

from __future__ import annotations

from portfolio.report.document import Document, Field, Fields
from portfolio.report.fmt import Fmt
from portfolio.report.sections.common import heading


def dynamodb(doc: Document, f: Fmt) -> None:
    d = f.r.services.data_store
    heading(doc, 3, "h.svc.dynamodb", "svc-dynamodb")
    heading(doc, 4, "h.svc.status", "svc-dynamodb-status")
    backup = (
        f.t("reason.no_backup")
        if d.backup_enabled is None
        else f.t("backup.on" if d.backup_enabled else "backup.off")
    )
    doc.add(
        Fields(
            [
                Field(f.t("l.tables"), ", ".join(d.tables)),
                Field(
                    f.t("l.status"),
                    f.t("store.not_dynamodb", backend=d.backend)
                    if d.backend and d.backend != "dynamodb"
                    else d.status or f.nd("reason.no_store_stats"),
                ),
                Field(f.t("l.backup"), backup),
                Field(f.t("l.encryption"), d.encryption_type or f.t("reason.no_encryption")),
            ]
        )
    )
    heading(doc, 4, "h.svc.performance", "svc-dynamodb-performance")
    capacity = (
        f.t("reason.no_capacity")
        if d.read_capacity_percent is None and d.write_capacity_percent is None
        else f.t(
            "capacity.value",
            read=f.pct(d.read_capacity_percent, 3, "reason.no_store_stats"),
            write=f.pct(d.write_capacity_percent, 3, "reason.no_store_stats"),
            max_read=f.num(d.max_read_units_per_s, 0, "reason.no_capacity"),
            max_write=f.num(d.max_write_units_per_s, 0, "reason.no_capacity"),
        )
    )
    doc.add(
        Fields(
            [
                Field(
                    f.t("l.read_latency"),
                    f.nd("reason.no_store_stats")
                    if d.read_latency_ms is None
                    else f.t("avg", value=f.ms(d.read_latency_ms, 1)),
                ),
                Field(
                    f.t("l.write_latency"),
                    f.nd("reason.no_store_stats")
                    if d.write_latency_ms is None
                    else f.t("avg", value=f.ms(d.write_latency_ms, 1)),
                ),
                Field(
                    f.t("l.throttles"),
                    f.nd("reason.no_store_stats")
                    if d.throttles is None
                    else f.t("times", value=d.throttles),
                ),
                Field(f.t("l.capacity"), capacity),
                Field(
                    f.t("l.store_calls", backend=d.backend or "—"),
                    f"{f.num(d.calls, 0, 'reason.no_store_stats')} / "
                    f"{f.num(d.errors, 0, 'reason.no_store_stats')}",
                ),
            ]
        )
    )
