"""Monitoring: one alarm per KPI of the original report, an SNS topic and a dashboard.

Every threshold comes from portfolio.config.KpiTargets so the report, the checks and
the alarms can never disagree about what "good" means. Beyond the KPI alarms: burn-rate
alerts on the 5xx and availability SLOs (portfolio_infra.burn_rate) and anomaly
detection on p95 latency (the original's 予測的アラート / 異常検出).
"""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_route53 as route53
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from portfolio.config import KpiTargets
from portfolio_infra.burn_rate import BurnRateAlarms

FIVE_MINUTES = Duration.minutes(5)
ONE_MINUTE = Duration.minutes(1)


def alarm_topic(scope: Construct, construct_id: str, *, email: str | None) -> sns.Topic:
    """An SSL-only topic that CloudWatch alarms and AWS Budgets may publish to."""
    topic = sns.Topic(scope, construct_id, display_name="portfolio alarms", enforce_ssl=True)
    topic.add_to_resource_policy(
        iam.PolicyStatement(
            sid="AllowBudgetsPublish",
            actions=["sns:Publish"],
            principals=[iam.ServicePrincipal("budgets.amazonaws.com")],
            resources=[topic.topic_arn],
        )
    )
    if email:
        topic.add_subscription(subscriptions.EmailSubscription(email))
    return topic


class Monitoring(Construct):
    """Alarms on the ALB, the service and the tables, wired to an SNS topic; a dashboard."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        kpi: KpiTargets,
        load_balancer: elbv2.ApplicationLoadBalancer,
        target_group: elbv2.ApplicationTargetGroup,
        service: ecs.FargateService,
        tables: Mapping[str, dynamodb.Table],
        desired_tasks: int,
        alarm_email: str | None,
        dashboard_name: str,
    ) -> None:
        super().__init__(scope, construct_id)
        self.topic = alarm_topic(self, "Topic", email=alarm_email)
        self.alarms: dict[str, cw.Alarm] = {}
        lb_metrics = load_balancer.metrics
        tg_metrics = target_group.metrics

        latency = lb_metrics.target_response_time(statistic="p95", period=FIVE_MINUTES)
        self._alarm(
            "ResponseTimeP95",
            latency,
            threshold=kpi.response_time_ms / 1000,
            comparison=cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluation_periods=3,
            description=f"Target response time p95 above {kpi.response_time_ms:g} ms",
        )

        error_rate = cw.MathExpression(
            expression="100 * (FILL(target5xx, 0) + FILL(elb5xx, 0)) / requests",
            using_metrics={
                "target5xx": lb_metrics.http_code_target(
                    elbv2.HttpCodeTarget.TARGET_5XX_COUNT, period=FIVE_MINUTES
                ),
                "elb5xx": lb_metrics.http_code_elb(
                    elbv2.HttpCodeElb.ELB_5XX_COUNT, period=FIVE_MINUTES
                ),
                "requests": lb_metrics.request_count(period=FIVE_MINUTES),
            },
            label="5xx rate (%)",
            period=FIVE_MINUTES,
        )
        self._alarm(
            "ErrorRate5xx",
            error_rate,
            threshold=kpi.error_rate_pct,
            comparison=cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluation_periods=3,
            description=f"5xx responses above {kpi.error_rate_pct:g} % of requests",
        )

        self._alarm(
            "UnhealthyHosts",
            tg_metrics.unhealthy_host_count(statistic="Maximum", period=ONE_MINUTE),
            threshold=0,
            comparison=cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluation_periods=2,
            description="A target failed its /health check",
        )
        # Healthy targets stand for running tasks: Container Insights (RunningTaskCount)
        # is off to keep custom-metric charges out of the budget.
        self._alarm(
            "RunningTasksBelowDesired",
            tg_metrics.healthy_host_count(statistic="Minimum", period=ONE_MINUTE),
            threshold=desired_tasks,
            comparison=cw.ComparisonOperator.LESS_THAN_THRESHOLD,
            evaluation_periods=3,
            description=f"Fewer than {desired_tasks} healthy tasks serving",
            treat_missing_data=cw.TreatMissingData.BREACHING,
        )
        self._alarm(
            "CpuHigh",
            service.metric_cpu_utilization(period=FIVE_MINUTES),
            threshold=kpi.cpu_mem_pct,
            comparison=cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluation_periods=3,
            description=f"Service CPU above {kpi.cpu_mem_pct:g} %",
        )
        self._alarm(
            "MemoryHigh",
            service.metric_memory_utilization(period=FIVE_MINUTES),
            threshold=kpi.cpu_mem_pct,
            comparison=cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluation_periods=3,
            description=f"Service memory above {kpi.cpu_mem_pct:g} %",
        )
        throttle_widgets: list[cw.IMetric] = []
        for index, (name, table) in enumerate(sorted(tables.items())):
            throttles = cw.MathExpression(
                expression=f"FILL(r{index}, 0) + FILL(w{index}, 0)",
                using_metrics={
                    f"r{index}": table.metric("ReadThrottleEvents", statistic="Sum"),
                    f"w{index}": table.metric("WriteThrottleEvents", statistic="Sum"),
                },
                label=f"{name} throttles",
                period=FIVE_MINUTES,
            )
            throttle_widgets.append(throttles)
            self._alarm(
                f"Throttles-{name}",
                throttles,
                threshold=0,
                comparison=cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
                evaluation_periods=1,
                description=f"DynamoDB throttled requests on {name}",
            )

        def bad_5xx(period: Duration) -> cw.IMetric:
            return cw.MathExpression(
                expression="(FILL(t5, 0) + FILL(e5, 0)) / IF(FILL(n, 0) > 0, n, 1)",
                using_metrics={
                    "t5": lb_metrics.http_code_target(
                        elbv2.HttpCodeTarget.TARGET_5XX_COUNT, period=period
                    ),
                    "e5": lb_metrics.http_code_elb(elbv2.HttpCodeElb.ELB_5XX_COUNT, period=period),
                    "n": lb_metrics.request_count(period=period),
                },
                label="5xx fraction",
                period=period,
            )

        self.error_burn = BurnRateAlarms(
            self,
            "ErrorBudget5xx",
            slo="5xx SLO",
            objective_pct=100 - kpi.error_rate_pct,
            bad_fraction=bad_5xx,
            topic=self.topic,
        )
        # CloudWatch learns the p95's daily and weekly pattern and alarms on a value
        # above its band: a slow drift the fixed 100 ms threshold would only see late.
        self.latency_anomaly = cw.AnomalyDetectionAlarm(
            self,
            "ResponseTimeP95Anomaly",
            metric=latency,
            std_devs=3,
            evaluation_periods=3,
            datapoints_to_alarm=3,
            comparison_operator=cw.ComparisonOperator.GREATER_THAN_UPPER_THRESHOLD,
            treat_missing_data=cw.TreatMissingData.NOT_BREACHING,
            alarm_description="Target response time p95 above its learned band (3 std devs)",
        )
        self.latency_anomaly.add_alarm_action(cw_actions.SnsAction(self.topic))
        self.latency_anomaly.add_ok_action(cw_actions.SnsAction(self.topic))

        self.dashboard = cw.Dashboard(
            self,
            "Dashboard",
            dashboard_name=dashboard_name,
            default_interval=Duration.days(7),
        )
        self.dashboard.add_widgets(
            cw.GraphWidget(title="Requests", left=[lb_metrics.request_count()]),
            cw.GraphWidget(title="Response time p95 (s)", left=[latency]),
            cw.GraphWidget(title="5xx rate (%)", left=[error_rate]),
        )
        self.dashboard.add_widgets(
            cw.GraphWidget(
                title="Healthy / unhealthy tasks",
                left=[tg_metrics.healthy_host_count(), tg_metrics.unhealthy_host_count()],
            ),
            cw.GraphWidget(
                title="CPU / memory (%)",
                left=[service.metric_cpu_utilization(), service.metric_memory_utilization()],
            ),
            cw.GraphWidget(title="DynamoDB throttles", left=throttle_widgets),
        )
        self.dashboard.add_widgets(
            cw.AlarmStatusWidget(title="KPI alarms", alarms=list(self.alarms.values()), width=24)
        )

    def _alarm(
        self,
        key: str,
        metric: cw.IMetric,
        *,
        threshold: float,
        comparison: cw.ComparisonOperator,
        evaluation_periods: int,
        description: str,
        treat_missing_data: cw.TreatMissingData = cw.TreatMissingData.NOT_BREACHING,
    ) -> None:
        alarm = cw.Alarm(
            self,
            key,
            metric=metric,
            threshold=threshold,
            comparison_operator=comparison,
            evaluation_periods=evaluation_periods,
            datapoints_to_alarm=evaluation_periods,
            alarm_description=description,
            treat_missing_data=treat_missing_data,
        )
        alarm.add_alarm_action(cw_actions.SnsAction(self.topic))
        alarm.add_ok_action(cw_actions.SnsAction(self.topic))
        self.alarms[key] = alarm


HEALTH_CHECK_INTERVAL = Duration.seconds(30)
HEALTH_CHECK_FAILURES = 3


class EdgeMonitoring(Construct):
    """What lives in us-east-1, where CloudFront's and Route 53's metrics are.

    The CloudFront 5xx alarm, and availability measured from outside: a Route 53
    health check asks the public site's /health over HTTPS through CloudFront, the
    path a person's request takes (DNS aside), from checkers in several regions. Its
    HealthCheckStatus metric is the AWS report's availability source; an alarm pages
    when it drops, and burn-rate alarms watch the availability SLO.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        kpi: KpiTargets,
        distribution_id: str,
        public_domain: str,
        health_path: str,
        alarm_email: str | None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.topic = alarm_topic(self, "Topic", email=alarm_email)
        self.health_check = route53.HealthCheck(
            self,
            "PublicHealth",
            type=route53.HealthCheckType.HTTPS,
            fqdn=public_domain,
            port=443,
            resource_path=health_path,
            request_interval=HEALTH_CHECK_INTERVAL,
            failure_threshold=HEALTH_CHECK_FAILURES,
            enable_sni=True,
        )
        status = self.status_metric(Duration.minutes(1))
        self.availability_alarm = cw.Alarm(
            self,
            "PublicHealthDown",
            metric=status,
            threshold=1,
            comparison_operator=cw.ComparisonOperator.LESS_THAN_THRESHOLD,
            evaluation_periods=2,
            datapoints_to_alarm=2,
            # No datapoints means Route 53 stopped reporting: as bad as a failure.
            treat_missing_data=cw.TreatMissingData.BREACHING,
            alarm_description=f"The public {health_path} failed from outside for 2 minutes",
        )
        self.availability_alarm.add_alarm_action(cw_actions.SnsAction(self.topic))
        self.availability_alarm.add_ok_action(cw_actions.SnsAction(self.topic))

        def bad_minutes(period: Duration) -> cw.IMetric:
            return cw.MathExpression(
                expression="1 - FILL(s, 0)",
                using_metrics={"s": self.status_metric(period, statistic="Average")},
                label="unavailable fraction",
                period=period,
            )

        self.availability_burn = BurnRateAlarms(
            self,
            "ErrorBudgetAvailability",
            slo="Availability SLO",
            objective_pct=kpi.availability_pct,
            bad_fraction=bad_minutes,
            topic=self.topic,
        )
        metric = cw.Metric(
            namespace="AWS/CloudFront",
            metric_name="5xxErrorRate",
            dimensions_map={"DistributionId": distribution_id, "Region": "Global"},
            statistic="Average",
            period=FIVE_MINUTES,
        )
        self.alarm = cw.Alarm(
            self,
            "CloudFront5xx",
            metric=metric,
            threshold=kpi.error_rate_pct,
            comparison_operator=cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluation_periods=3,
            datapoints_to_alarm=3,
            alarm_description=f"CloudFront 5xx error rate above {kpi.error_rate_pct:g} %",
            treat_missing_data=cw.TreatMissingData.NOT_BREACHING,
        )
        self.alarm.add_alarm_action(cw_actions.SnsAction(self.topic))
        self.alarm.add_ok_action(cw_actions.SnsAction(self.topic))

    def status_metric(self, period: Duration, *, statistic: str = "Minimum") -> cw.Metric:
        return cw.Metric(
            namespace="AWS/Route53",
            metric_name="HealthCheckStatus",
            dimensions_map={"HealthCheckId": self.health_check.health_check_id},
            statistic=statistic,
            period=period,
        )
