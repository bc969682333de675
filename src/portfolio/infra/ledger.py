"""構成管理台帳 (configuration management ledger) generated from the synthesized templates.

Every resource of every stack, its name, its purpose and the settings an operator must
know (encryption, backup, retention, size, exposure). It is rendered from the templates
so it cannot describe a system other than the one deployed; a test regenerates it and
fails when the committed copy has drifted.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from portfolio.infra.assembly import Assembly, Resource, StackTemplate

Settings = Callable[[Mapping[str, Any]], list[str]]

CATEGORIES: tuple[tuple[str, str], ...] = (
    ("network", "ネットワーク / Network"),
    ("compute", "コンピュート / Compute"),
    ("data", "データ / Data"),
    ("storage", "ストレージとログ / Storage and logs"),
    ("delivery", "配信 / Delivery"),
    ("monitoring", "監視と通知 / Monitoring and notification"),
    ("operations", "定期運用 / Scheduled operations"),
    ("security", "権限と秘密情報 / Identity and secrets"),
    ("cost", "コスト管理 / Cost management"),
    ("other", "その他 / Other"),
)


def _show(value: Any) -> str:
    """A template value as text; references become arrows to the logical id."""
    if isinstance(value, Mapping):
        if "Ref" in value:
            return f"→{value['Ref']}"
        if "Fn::GetAtt" in value:
            target = value["Fn::GetAtt"]
            return f"→{target[0]}.{target[1]}" if isinstance(target, list) else "→(attribute)"
        return "(computed)"
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, list):
        return ", ".join(_show(v) for v in value)
    return str(value)


def _table(p: Mapping[str, Any]) -> list[str]:
    sse = p.get("SSESpecification", {})
    if sse.get("KMSMasterKeyId"):
        encryption = "KMS customer managed key"
    elif sse.get("SSEEnabled"):
        encryption = "KMS AWS managed key (aws/dynamodb)"
    else:
        encryption = "AWS owned key"
    pitr = p.get("PointInTimeRecoverySpecification", {}).get("PointInTimeRecoveryEnabled")
    keys = "/".join(k["AttributeName"] for k in p.get("KeySchema", []))
    out = [
        f"billing {p.get('BillingMode', 'PROVISIONED')}",
        f"keys {keys}",
        f"encryption: {encryption}",
        f"PITR backup {_show(bool(pitr))}",
        f"deletion protection {_show(bool(p.get('DeletionProtectionEnabled')))}",
    ]
    ttl = p.get("TimeToLiveSpecification")
    if ttl:
        out.append(f"TTL on `{ttl['AttributeName']}`")
    for gsi in p.get("GlobalSecondaryIndexes", []):
        out.append(f"GSI {gsi['IndexName']}")
    return out


def _bucket(p: Mapping[str, Any]) -> list[str]:
    rules = p.get("BucketEncryption", {}).get("ServerSideEncryptionConfiguration", [])
    algorithms = [r["ServerSideEncryptionByDefault"]["SSEAlgorithm"] for r in rules]
    block = p.get("PublicAccessBlockConfiguration", {})
    out = [
        f"encryption {', '.join(algorithms) or 'none'}",
        f"versioning {p.get('VersioningConfiguration', {}).get('Status', 'off')}",
        "public access blocked" if block and all(block.values()) else "public access NOT blocked",
    ]
    for rule in p.get("LifecycleConfiguration", {}).get("Rules", []):
        if "ExpirationInDays" in rule:
            out.append(f"objects expire after {rule['ExpirationInDays']} days")
    logging = p.get("LoggingConfiguration")
    if logging:
        out.append(f"access logs to {_show(logging.get('DestinationBucketName'))}")
    if p.get("OwnershipControls"):
        owner = p["OwnershipControls"]["Rules"][0]["ObjectOwnership"]
        out.append(f"object ownership {owner}")
    return out


def _log_group(p: Mapping[str, Any]) -> list[str]:
    retention = p.get("RetentionInDays")
    return [
        f"retention {retention} days" if retention else "retention never expires",
        "KMS key" if p.get("KmsKeyId") else "encrypted by CloudWatch Logs service keys",
    ]


def _task_definition(p: Mapping[str, Any]) -> list[str]:
    platform = p.get("RuntimePlatform", {})
    out = [
        f"{int(p.get('Cpu', 0)) / 1024:g} vCPU, {int(p.get('Memory', 0)) / 1024:g} GB",
        f"{platform.get('OperatingSystemFamily', '?')}/{platform.get('CpuArchitecture', '?')}",
    ]
    for container in p.get("ContainerDefinitions", []):
        if container.get("HealthCheck"):
            command = " ".join(container["HealthCheck"].get("Command", []))
            paths = re.findall(r"127\.0\.0\.1:\d+(/[\w/]*)", command)
            out.append(f"container health check on {paths[0] if paths else 'a command'}")
        if container.get("Command"):
            out.append(f"command: {' '.join(container['Command'])}")
        secrets = [s["Name"] for s in container.get("Secrets", [])]
        if secrets:
            out.append(f"secrets from Secrets Manager: {', '.join(secrets)}")
        env = [e["Name"] for e in container.get("Environment", [])]
        if env:
            out.append(f"environment: {', '.join(env)}")
        driver = container.get("LogConfiguration", {}).get("LogDriver")
        if driver:
            out.append(f"logs via {driver}")
    return out


def _service(p: Mapping[str, Any]) -> list[str]:
    deployment = p.get("DeploymentConfiguration", {})
    breaker = deployment.get("DeploymentCircuitBreaker", {})
    network = p.get("NetworkConfiguration", {}).get("AwsvpcConfiguration", {})
    return [
        f"desired {p.get('DesiredCount')} tasks on {p.get('LaunchType', 'capacity providers')}",
        f"circuit breaker {_show(bool(breaker.get('Enable')))},"
        f" rollback {_show(bool(breaker.get('Rollback')))}",
        f"min healthy {deployment.get('MinimumHealthyPercent')} %,"
        f" max {deployment.get('MaximumPercent')} %",
        f"public IP {network.get('AssignPublicIp', 'DISABLED')}",
    ]


def _load_balancer(p: Mapping[str, Any]) -> list[str]:
    attributes = {a["Key"]: a["Value"] for a in p.get("LoadBalancerAttributes", [])}
    return [
        f"{p.get('Scheme')}, {len(p.get('Subnets', []))} subnets",
        f"deletion protection {attributes.get('deletion_protection.enabled', 'false')}",
        f"access logs {attributes.get('access_logs.s3.enabled', 'false')}"
        f" (prefix {attributes.get('access_logs.s3.prefix', '-')})",
        "drops invalid headers"
        if attributes.get("routing.http.drop_invalid_header_fields.enabled") == "true"
        else "keeps invalid headers",
    ]


def _target_group(p: Mapping[str, Any]) -> list[str]:
    return [
        f"{p.get('Protocol')}:{p.get('Port')} to {p.get('TargetType')} targets",
        f"health check {p.get('HealthCheckPath')} every {p.get('HealthCheckIntervalSeconds')} s",
        f"healthy after {p.get('HealthyThresholdCount')}, unhealthy after"
        f" {p.get('UnhealthyThresholdCount')}",
    ]


def _listener(p: Mapping[str, Any]) -> list[str]:
    actions = [a.get("Type") for a in p.get("DefaultActions", [])]
    out = [f"{p.get('Protocol')}:{p.get('Port')} → {', '.join(actions)}"]
    if p.get("SslPolicy"):
        out.append(f"TLS policy {p['SslPolicy']}")
    return out


def _alarm(p: Mapping[str, Any]) -> list[str]:
    metric = p.get("MetricName") or "metric math"
    stat = p.get("ExtendedStatistic") or p.get("Statistic") or ""
    return [
        f"{metric} {stat}".strip(),
        f"{p.get('ComparisonOperator')} {_threshold(p)}",
        f"{p.get('DatapointsToAlarm')} of {p.get('EvaluationPeriods')} periods",
        "notifies SNS" if p.get("AlarmActions") else "no action",
    ]


def _threshold(p: Mapping[str, Any]) -> str:
    if "ThresholdMetricId" in p:
        return "anomaly band"
    value = p.get("Threshold")
    return f"{value:.6g}" if isinstance(value, int | float) else str(value)


def _composite(p: Mapping[str, Any]) -> list[str]:
    return ["AND/OR of window alarms", "notifies SNS" if p.get("AlarmActions") else "no action"]


def _schedule(p: Mapping[str, Any]) -> list[str]:
    return [
        f"{p.get('ScheduleExpression')} {p.get('ScheduleExpressionTimezone', 'UTC')}",
        f"state {p.get('State')}",
        "ECS RunTask" if p.get("Target", {}).get("EcsParameters") else "other target",
    ]


def _health_check(p: Mapping[str, Any]) -> list[str]:
    c = p.get("HealthCheckConfig", {})
    return [
        f"{c.get('Type')} :{c.get('Port')}{c.get('ResourcePath', '')}",
        f"every {c.get('RequestInterval')} s, unhealthy after {c.get('FailureThreshold')}",
    ]


def _distribution(p: Mapping[str, Any]) -> list[str]:
    config = p.get("DistributionConfig", {})
    behavior = config.get("DefaultCacheBehavior", {})
    out = [
        f"viewer protocol {behavior.get('ViewerProtocolPolicy')}",
        f"default root object {config.get('DefaultRootObject')}",
        f"price class {config.get('PriceClass', 'PriceClass_All')}",
        "security headers policy" if behavior.get("ResponseHeadersPolicyId") else "no headers",
        "origin access control"
        if any(o.get("OriginAccessControlId") for o in config.get("Origins", []))
        else "no origin access control",
    ]
    if config.get("Logging"):
        out.append(f"logs to {_show(config['Logging'].get('Bucket'))}")
    return out


def _budget(p: Mapping[str, Any]) -> list[str]:
    budget = p.get("Budget", {})
    limit = budget.get("BudgetLimit", {})
    notes = [
        f"{n['Notification']['NotificationType']} > {n['Notification']['Threshold']:g} %"
        for n in p.get("NotificationsWithSubscribers", [])
    ]
    return [
        f"{budget.get('TimeUnit')} {budget.get('BudgetType')} limit {limit.get('Amount')}"
        f" {limit.get('Unit')}",
        *notes,
    ]


def _vpc(p: Mapping[str, Any]) -> list[str]:
    return [f"CIDR {p.get('CidrBlock')}", f"DNS hostnames {_show(p.get('EnableDnsHostnames'))}"]


def _subnet(p: Mapping[str, Any]) -> list[str]:
    return [
        f"{p.get('CidrBlock')} in {_show(p.get('AvailabilityZone'))}",
        f"public IP on launch {_show(bool(p.get('MapPublicIpOnLaunch')))}",
    ]


def _security_group(p: Mapping[str, Any]) -> list[str]:
    out = [str(p.get("GroupDescription", ""))]
    for rule in p.get("SecurityGroupIngress", []):
        source = rule.get("CidrIp") or _show(
            rule.get("SourceSecurityGroupId") or rule.get("SourcePrefixListId")
        )
        out.append(f"in {rule.get('IpProtocol')}:{rule.get('FromPort')} from {source}")
    for rule in p.get("SecurityGroupEgress", []):
        target = rule.get("CidrIp") or _show(rule.get("DestinationSecurityGroupId"))
        out.append(f"out {rule.get('IpProtocol')}:{rule.get('FromPort')} to {target}")
    return out


def _sg_rule(p: Mapping[str, Any]) -> list[str]:
    peer = p.get("CidrIp") or _show(
        p.get("SourceSecurityGroupId")
        or p.get("SourcePrefixListId")
        or p.get("DestinationSecurityGroupId")
    )
    return [f"{p.get('IpProtocol')}:{p.get('FromPort')} with {peer}"]


def _flow_log(p: Mapping[str, Any]) -> list[str]:
    return [f"{p.get('TrafficType')} traffic to {p.get('LogDestinationType')}"]


def _scalable_target(p: Mapping[str, Any]) -> list[str]:
    return [f"{p.get('MinCapacity')}-{p.get('MaxCapacity')} tasks"]


def _scaling_policy(p: Mapping[str, Any]) -> list[str]:
    config = p.get("TargetTrackingScalingPolicyConfiguration", {})
    metric = config.get("PredefinedMetricSpecification", {}).get("PredefinedMetricType")
    return [f"target {config.get('TargetValue')} % of {metric}"]


def _secret(p: Mapping[str, Any]) -> list[str]:
    return [
        "value generated at deploy, never in the template"
        if p.get("GenerateSecretString")
        else "value set outside the template",
        "KMS key" if p.get("KmsKeyId") else "encrypted with the AWS managed key",
    ]


def _topic(p: Mapping[str, Any]) -> list[str]:
    return ["KMS encrypted" if p.get("KmsMasterKeyId") else "no KMS (alarm text only)"]


def _lambda(p: Mapping[str, Any]) -> list[str]:
    return [f"runtime {p.get('Runtime')}, {p.get('MemorySize', 128)} MB, {p.get('Timeout')} s"]


def _role(p: Mapping[str, Any]) -> list[str]:
    principals = []
    for statement in p.get("AssumeRolePolicyDocument", {}).get("Statement", []):
        service = statement.get("Principal", {}).get("Service")
        principals.append(_show(service))
    return [f"assumed by {', '.join(principals)}"]


def _policy(p: Mapping[str, Any]) -> list[str]:
    statements = p.get("PolicyDocument", {}).get("Statement", [])
    actions: list[str] = []
    for statement in statements:
        action = statement.get("Action", [])
        actions.extend(action if isinstance(action, list) else [action])
    return [f"{len(statements)} statements, {len(actions)} actions", *sorted(set(actions))[:6]]


def _vpc_origin(p: Mapping[str, Any]) -> list[str]:
    config = p.get("VpcOriginEndpointConfig", {})
    return [f"{config.get('OriginProtocolPolicy')} to {_show(config.get('Arn'))}"]


def _none(p: Mapping[str, Any]) -> list[str]:
    return []


# type: (category, 目的 ja, purpose en, settings)
REGISTRY: dict[str, tuple[str, str, str, Settings]] = {
    "AWS::EC2::VPC": ("network", "APIのネットワーク", "API network", _vpc),
    "AWS::EC2::Subnet": ("network", "サブネット (NATなし)", "subnet, no NAT", _subnet),
    "AWS::EC2::RouteTable": ("network", "経路表", "route table", _none),
    "AWS::EC2::SubnetRouteTableAssociation": ("network", "経路表の関連付け", "route link", _none),
    "AWS::EC2::Route": ("network", "インターネットへの経路", "route to the internet", _none),
    "AWS::EC2::InternetGateway": ("network", "インターネット接続", "internet gateway", _none),
    "AWS::EC2::VPCGatewayAttachment": ("network", "IGWの接続", "IGW attachment", _none),
    "AWS::EC2::VPCEndpoint": (
        "network",
        "DynamoDB/S3への閉域経路 (無料)",
        "free gateway endpoint to DynamoDB/S3",
        _none,
    ),
    "AWS::EC2::FlowLog": ("network", "拒否通信の記録", "rejected-traffic log", _flow_log),
    "AWS::EC2::SecurityGroup": ("network", "通信許可", "traffic rules", _security_group),
    "AWS::EC2::SecurityGroupIngress": ("network", "受信許可", "ingress rule", _sg_rule),
    "AWS::EC2::SecurityGroupEgress": ("network", "送信許可", "egress rule", _sg_rule),
    "AWS::ECS::Cluster": ("compute", "ECSクラスター", "ECS cluster", _none),
    "AWS::ECS::TaskDefinition": ("compute", "タスク定義", "task definition", _task_definition),
    "AWS::ECS::Service": ("compute", "APIサービス", "API service", _service),
    "AWS::ApplicationAutoScaling::ScalableTarget": (
        "compute",
        "タスク数の範囲",
        "task count range",
        _scalable_target,
    ),
    "AWS::ApplicationAutoScaling::ScalingPolicy": (
        "compute",
        "自動スケーリング",
        "target tracking",
        _scaling_policy,
    ),
    "AWS::ElasticLoadBalancingV2::LoadBalancer": (
        "compute",
        "APIの入口 (ALB)",
        "API entry point",
        _load_balancer,
    ),
    "AWS::ElasticLoadBalancingV2::TargetGroup": (
        "compute",
        "タスクへの振り分け",
        "routes to tasks",
        _target_group,
    ),
    "AWS::ElasticLoadBalancingV2::Listener": ("compute", "受付ポート", "listener", _listener),
    "AWS::Lambda::Function": (
        "compute",
        "CDKのデプロイ時処理",
        "CDK deploy-time handler",
        _lambda,
    ),
    "AWS::ElasticLoadBalancingV2::ListenerRule": (
        "compute",
        "CloudFrontからのみ転送",
        "forwards only CloudFront's requests",
        _none,
    ),
    "AWS::Scheduler::Schedule": ("operations", "定期運用ジョブ", "scheduled ops job", _schedule),
    "AWS::Lambda::LayerVersion": ("compute", "AWS CLI レイヤー", "AWS CLI layer", _none),
    "AWS::DynamoDB::Table": ("data", "アプリのデータ", "application data", _table),
    "AWS::S3::Bucket": ("storage", "オブジェクト保管", "object storage", _bucket),
    "AWS::S3::BucketPolicy": ("storage", "TLS強制と配信許可", "TLS-only + delivery", _none),
    "AWS::Logs::LogGroup": ("storage", "コンテナのログ", "container logs", _log_group),
    "AWS::CloudFront::Distribution": (
        "delivery",
        "静的サイト配信",
        "static site CDN",
        _distribution,
    ),
    "AWS::CloudFront::OriginAccessControl": (
        "delivery",
        "CloudFrontのみ読取可",
        "only CloudFront reads the bucket",
        _none,
    ),
    "AWS::CloudFront::VpcOrigin": (
        "delivery",
        "内部ALBへの閉域接続 (VPCオリジン)",
        "private path to the internal ALB (VPC origin)",
        _vpc_origin,
    ),
    "Custom::AWS": (
        "network",
        "CloudFrontのプレフィックスリスト検索",
        "CloudFront prefix-list lookup",
        _none,
    ),
    "Custom::CDKBucketDeployment": ("delivery", "サイトの配置", "site deployment", _none),
    "Custom::CrossRegionExportWriter": (
        "delivery",
        "リージョン間参照 (書込)",
        "cross-region reference writer",
        _none,
    ),
    "Custom::CrossRegionExportReader": (
        "delivery",
        "リージョン間参照 (読取)",
        "cross-region reference reader",
        _none,
    ),
    "AWS::CloudWatch::Alarm": ("monitoring", "アラーム", "alarm", _alarm),
    "AWS::CloudWatch::CompositeAlarm": (
        "monitoring",
        "バーンレート通知",
        "burn-rate page",
        _composite,
    ),
    "AWS::Route53::HealthCheck": (
        "monitoring",
        "外部からの死活監視",
        "availability from outside",
        _health_check,
    ),
    "AWS::CloudWatch::Dashboard": ("monitoring", "ダッシュボード", "dashboard", _none),
    "AWS::SNS::Topic": ("monitoring", "アラーム通知", "alarm notifications", _topic),
    "AWS::SNS::TopicPolicy": ("monitoring", "TLS強制と発行許可", "TLS-only + publishers", _none),
    "AWS::SNS::Subscription": ("monitoring", "通知先", "subscriber", _none),
    "AWS::SecretsManager::Secret": ("security", "シークレット", "secret", _secret),
    "AWS::IAM::Role": ("security", "実行ロール", "role", _role),
    "AWS::ECR::RegistryScanningConfiguration": (
        "security",
        "イメージの脆弱性スキャン (push 時)",
        "image scan on push",
        _none,
    ),
    "AWS::IAM::Policy": ("security", "最小権限ポリシー", "least-privilege policy", _policy),
    "AWS::Budgets::Budget": ("cost", "月次予算", "monthly budget", _budget),
}

NAME_KEYS = (
    "TableName",
    "BucketName",
    "ClusterName",
    "ServiceName",
    "Name",
    "LogGroupName",
    "Family",
    "DashboardName",
    "TargetGroupName",
)


def resource_name(resource: Resource) -> str:
    p = resource.properties
    if resource.type == "AWS::Budgets::Budget":
        return str(p.get("Budget", {}).get("BudgetName", "(generated)"))
    if resource.type in ("AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm"):
        return str(p.get("AlarmDescription", "(generated)"))
    for key in NAME_KEYS:
        value = p.get(key)
        if isinstance(value, str):
            return value
    return "(generated)"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _stack_section(stack: StackTemplate) -> list[str]:
    resources = stack.resources()
    lines = [
        f"## スタック / Stack: {stack.name} ({stack.region})",
        "",
        f"{len(resources)} resources.",
        "",
    ]
    by_category: dict[str, list[Resource]] = {}
    for resource in resources:
        category = REGISTRY.get(resource.type, ("other",))[0]
        by_category.setdefault(category, []).append(resource)
    for category, heading in CATEGORIES:
        members = by_category.get(category)
        if not members:
            continue
        lines += [
            f"### {heading}",
            "",
            "| 論理ID / Logical ID | 種類 / Type | 名前 / Name | 目的 / Purpose"
            " | 重要な設定 / Key settings |",
            "| --- | --- | --- | --- | --- |",
        ]
        for resource in sorted(members, key=lambda r: (r.type, r.logical_id)):
            _, ja, en, settings = REGISTRY.get(resource.type, ("other", "—", "—", _none))
            details = "; ".join(settings(resource.properties)) or "—"
            lines.append(
                f"| `{resource.logical_id}` | {resource.type} | {_cell(resource_name(resource))}"
                f" | {ja} / {en} | {_cell(details)} |"
            )
        lines.append("")
    return lines


def render_ledger(assembly: Assembly) -> str:
    """The ledger as Markdown; deterministic for a given set of templates."""
    lines = [
        "# 構成管理台帳 / Configuration management ledger",
        "",
        "Generated by `portfolio infra ledger` from the synthesized CloudFormation templates;"
        " do not edit by hand. `tests/infra/test_ledger.py` fails when this file and the"
        " templates disagree.",
        "",
        "## 概要 / Summary",
        "",
        "| スタック / Stack | リージョン / Region | リソース数 / Resources |",
        "| --- | --- | --- |",
    ]
    for stack in assembly.stacks:
        lines.append(f"| {stack.name} | {stack.region} | {len(stack.resources())} |")
    lines += [f"| **計 / Total** | | **{assembly.resource_count}** |", ""]
    for stack in assembly.stacks:
        lines += _stack_section(stack)
    return "\n".join(lines).rstrip() + "\n"
