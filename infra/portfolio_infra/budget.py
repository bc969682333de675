"""Budget: the monthly cost budget of the original report, with actual and forecast alerts."""

from __future__ import annotations

from aws_cdk import aws_budgets as budgets
from aws_cdk import aws_sns as sns
from constructs import Construct


class Budget(Construct):
    """A monthly COST budget notifying the alarm topic (and an email) at 80 %/100 %."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        name: str,
        limit_usd: float,
        topic: sns.ITopic,
        email: str | None,
    ) -> None:
        super().__init__(scope, construct_id)
        subscribers = [
            budgets.CfnBudget.SubscriberProperty(subscription_type="SNS", address=topic.topic_arn)
        ]
        if email:
            subscribers.append(
                budgets.CfnBudget.SubscriberProperty(subscription_type="EMAIL", address=email)
            )
        thresholds = (("ACTUAL", 80.0), ("ACTUAL", 100.0), ("FORECASTED", 100.0))
        self.budget = budgets.CfnBudget(
            self,
            "Monthly",
            budget=budgets.CfnBudget.BudgetDataProperty(
                budget_name=name,
                budget_type="COST",
                time_unit="MONTHLY",
                budget_limit=budgets.CfnBudget.SpendProperty(amount=limit_usd, unit="USD"),
            ),
            notifications_with_subscribers=[
                budgets.CfnBudget.NotificationWithSubscribersProperty(
                    notification=budgets.CfnBudget.NotificationProperty(
                        notification_type=kind,
                        comparison_operator="GREATER_THAN",
                        threshold=pct,
                        threshold_type="PERCENTAGE",
                    ),
                    subscribers=subscribers,
                )
                for kind, pct in thresholds
            ],
        )
