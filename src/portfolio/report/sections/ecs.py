"""サービス別運用状況 1. ECS/Fargate: tasks, CPU and memory, logs."""

from __future__ import annotations

from portfolio.report import numbers
from portfolio.report.document import Document, Field, Fields
from portfolio.report.fmt import Fmt
from portfolio.report.sections.common import heading


def ecs(doc: Document, f: Fmt) -> None:
    _ecs_status(doc, f)
    _ecs_performance(doc, f)
    _ecs_logs(doc, f)


def _ecs_status(doc: Document, f: Fmt) -> None:
    c = f.r.services.compute
    heading(doc, 3, "h.svc.ecs", "svc-ecs")
    heading(doc, 4, "h.svc.status", "svc-ecs-status")
    tasks = (
        f.nd("reason.no_tasks")
        if c.running_tasks is None
        else f.t("tasks.value", running=c.running_tasks, desired=c.desired_tasks)
    )
    doc.add(
        Fields(
            [
                Field(f.t("l.cluster"), c.cluster),
                Field(f.t("l.service"), c.service),
                Field(f.t("l.tasks"), tasks),
                Field(f.t("l.task_health"), f.pct(c.health_percent, 2, "reason.no_probes")),
            ]
        )
    )


def _ecs_performance(doc: Document, f: Fmt) -> None:
    c = f.r.services.compute
    target = f.pct(c.utilisation_target_percent, 0)
    heading(doc, 4, "h.svc.performance", "svc-ecs-performance")
    usage = (
        f.nd("reason.no_samples")
        if c.cpu_avg_percent is None
        else f.t("avg_target", value=f.pct(c.cpu_avg_percent, 0), target=target)
    )
    memory = (
        f.nd("reason.no_samples")
        if c.memory_avg_percent is None
        else f.t("avg_target", value=f.pct(c.memory_avg_percent, 0), target=target)
    )
    network = (
        f.nd("reason.no_traffic")
        if c.network_mb_per_s is None
        else f.t("avg", value=numbers.data_rate(c.network_mb_per_s))
    )
    peak = (
        f.nd("reason.no_samples")
        if c.cpu_max_percent is None
        else f"{f.pct(c.cpu_max_percent, 0)} / "
        f"{f.pct(c.memory_max_percent, 0, 'reason.no_samples')}"
    )
    doc.add(
        Fields(
            [
                Field(f.t("l.cpu"), usage),
                Field(f.t("l.memory"), memory),
                Field(f.t("l.network"), network),
                Field(f.t("l.peak_usage"), peak),
                Field(
                    f.t("l.memory_mb"),
                    f.num(c.memory_avg_mb, 0, "reason.no_samples") + " MB"
                    if c.memory_avg_mb is not None
                    else f.nd("reason.no_samples"),
                ),
            ]
        )
    )


def _ecs_logs(doc: Document, f: Fmt) -> None:
    c = f.r.services.compute
    heading(doc, 4, "h.svc.logs", "svc-ecs-logs")
    doc.add(
        Fields(
            [
                Field(f.t("l.cw_logs"), f.t("logs.ok") if c.logs_recorded else f.t("logs.none")),
                Field(
                    f.t("l.error_logs"),
                    f.t("count", value=c.error_logs)
                    if c.error_logs is not None
                    else f.t("logs.none"),
                ),
                Field(
                    f.t("l.warning_logs"),
                    f.t("count", value=c.warning_logs)
                    if c.warning_logs is not None
                    else f.t("logs.none"),
                ),
            ]
        )
    )
