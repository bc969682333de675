"""Multiwindow burn-rate alerts on an SLO (Google SRE workbook, "Alerting on SLOs").

An SLO of 99.9 % leaves an error budget of 0.1 % of the month. The burn rate is the
bad fraction over a window divided by that budget: 1 spends the budget in exactly 30
days. The workbook pages on a fast burn (14.4 over 1 h, confirmed over 5 m: 2 % of the
budget gone in an hour) and on a slow burn (6 over 6 h, confirmed over 30 m: 5 % in six
hours). Each window is a metric alarm; the page is one composite alarm per SLO that
fires while both windows of either pair burn, so a short spike does not page and a
burn that stopped resets within the short window. One composite, not one per pair: a
composite alarm costs five metric alarms.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_sns as sns
from constructs import Construct


@dataclass(frozen=True, slots=True)
class Window:
    name: str
    long: Duration
    short: Duration
    burn_rate: float


WINDOWS = (
    Window("Fast", Duration.hours(1), Duration.minutes(5), 14.4),
    Window("Slow", Duration.hours(6), Duration.minutes(30), 6.0),
)

BadFraction = Callable[[Duration], cw.IMetric]
"""The fraction of bad events (0..1) over one period of the given length."""


class BurnRateAlarms(Construct):
    """Two metric alarms per window pair, and the one composite alarm that notifies."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        slo: str,
        objective_pct: float,
        bad_fraction: BadFraction,
        topic: sns.ITopic,
        windows: tuple[Window, ...] = WINDOWS,
    ) -> None:
        super().__init__(scope, construct_id)
        budget = 1 - objective_pct / 100
        self.metric_alarms: list[cw.Alarm] = []
        pairs: list[cw.IAlarmRule] = []
        for window in windows:
            threshold = window.burn_rate * budget
            pair = [
                cw.Alarm(
                    self,
                    f"{window.name}{label}",
                    metric=bad_fraction(length),
                    threshold=threshold,
                    comparison_operator=cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
                    evaluation_periods=1,
                    datapoints_to_alarm=1,
                    treat_missing_data=cw.TreatMissingData.NOT_BREACHING,
                    alarm_description=(
                        f"{slo}: bad fraction over {length.to_human_string()} above"
                        f" {threshold:.4g} (burn rate {window.burn_rate:g} of a"
                        f" {objective_pct:g} % objective)"
                    ),
                )
                for label, length in (("Long", window.long), ("Short", window.short))
            ]
            self.metric_alarms += pair
            pairs.append(cw.AlarmRule.all_of(*pair))
        self.composite = cw.CompositeAlarm(
            self,
            "Burn",
            alarm_rule=cw.AlarmRule.any_of(*pairs),
            alarm_description=f"{slo} error budget burning: "
            + "; ".join(
                f"{w.burn_rate:g}x over {w.long.to_human_string()} and {w.short.to_human_string()}"
                for w in windows
            ),
        )
        self.composite.add_alarm_action(cw_actions.SnsAction(topic))
        self.composite.add_ok_action(cw_actions.SnsAction(topic))
