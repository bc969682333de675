"""The monthly snapshot from synthesized CloudFormation templates: security as declared.

Without an AWS account the templates are what will be deployed, so the security checks
read them: a wildcard in a policy or an open port is as wrong in the template as in
the account. Restore times exist only in a live table, so they are marked unobservable.
The assembly is synthesized once per version of the infra code and cached.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from portfolio import names
from portfolio.checks.snapshot import (
    BucketConfig,
    ContainerConfig,
    DistributionConfig,
    IngressRule,
    LoadBalancerConfig,
    LogGroupConfig,
    MonthlySnapshot,
    PolicyStatement,
    TableConfig,
    policy_statements,
)
from portfolio.config import Design
from portfolio.errors import InfraError
from portfolio.infra.assembly import (
    DESIGN_OUT,
    Assembly,
    Resource,
    find_app,
    load_assembly,
    synthesize,
)

EXPECTED_TABLES = (names.USERS_TABLE, names.METRICS_TABLE)
_SOURCES = (
    "infra",
    "src/portfolio/names.py",
    "src/portfolio/store/keys.py",
    "src/portfolio/cloud.py",
    "src/portfolio/config.py",
    "cdk.json",
    ".dockerignore",
    "uv.lock",  # the CDK library's version: an upgrade changes the templates too
)


def synthesis_sources(root: Path) -> Iterator[Path]:
    for rel in _SOURCES:
        path = root / rel
        if path.is_file():
            yield path
        elif path.is_dir():
            yield from sorted(p for p in path.rglob("*.py") if "__pycache__" not in p.parts)


def cache_dir() -> Path:
    base = os.environ.get("PORTFOLIO_CACHE_DIR") or os.environ.get("XDG_CACHE_HOME")
    return Path(base) / "portfolio" if base else Path.home() / ".cache" / "portfolio"


def cache_name(root: Path, sources: list[Path], design: Design) -> str:
    """The cache entry of a synthesis: a hash of the sources' paths and contents, and the design."""
    digest = hashlib.sha256()
    for path in sources:
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    # The original design keeps its old cache name, so existing caches stay valid.
    tail = "" if design is Design.ORIGINAL else f"-{design.value}"
    return f"cdk.out-{digest.hexdigest()[:16]}{tail}"


def synthesized_assembly(
    app: Path | None = None, *, design: Design = Design.ORIGINAL
) -> Assembly | None:
    """The design's assembly if one is on disk for the current infra code (its ``cdk.out*``
    newer than the sources, or the synthesis cache's entry); None instead of synthesizing,
    and None outside a checkout (no ``infra/app.py``)."""
    try:
        app_path = app or find_app()
    except InfraError:
        return None
    root = app_path.parent.parent
    sources = list(synthesis_sources(root))
    newest = max((p.stat().st_mtime for p in sources), default=0.0)
    manifest = root / DESIGN_OUT[design] / "manifest.json"
    if manifest.is_file() and manifest.stat().st_mtime >= newest:
        return load_assembly(manifest.parent)
    out = cache_dir() / cache_name(root, sources, design)
    if (out / "manifest.json").is_file():
        return load_assembly(out)
    return None


def cached_assembly(app: Path | None = None, *, design: Design = Design.ORIGINAL) -> Assembly:
    """The design's ``cdk.out*`` if newer than the infra code, else a synthesis cached by content.

    Synthesis takes tens of seconds, so a cache keyed by a hash of the infra sources (and
    the design) lets every monthly check (and the demo, for each simulated month) reuse
    one synthesis until the infra code changes.
    """
    app_path = app or find_app()
    found = synthesized_assembly(app_path, design=design)
    if found is not None:
        return found
    root = app_path.parent.parent
    out = cache_dir() / cache_name(root, list(synthesis_sources(root)), design)
    out.parent.mkdir(parents=True, exist_ok=True)
    context = {} if design is Design.ORIGINAL else {"design": design.value}
    # Synthesized beside the cache entry, then renamed into place whole: processes that
    # synthesize at once (test workers) never see each other's half-written folder, and
    # the first to finish publishes the entry.
    staging = Path(tempfile.mkdtemp(prefix=f"{out.name}.", dir=out.parent))
    try:
        synthesize(staging / "assembly", context=context, app=app_path)
        try:
            (staging / "assembly").rename(out)
        except OSError:
            if not (out / "manifest.json").is_file():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return load_assembly(out)


def text(value: Any) -> str:
    """A template value as text; references print as ``ref:<logical id>``."""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        if "Ref" in value:
            return f"ref:{value['Ref']}"
        if "Fn::GetAtt" in value:
            target = value["Fn::GetAtt"]
            return f"ref:{target[0]}" if isinstance(target, list) else f"ref:{target}"
        if "Fn::Join" in value:
            sep, parts = value["Fn::Join"]
            return str(sep).join(text(p) for p in parts)
        if "Fn::Sub" in value:
            sub = value["Fn::Sub"]
            return str(sub[0] if isinstance(sub, list) else sub)
    return str(value)


def ref_id(value: Any) -> str | None:
    """The logical id a Ref/GetAtt (or a Join containing one) points at."""
    if isinstance(value, Mapping):
        if "Ref" in value:
            return str(value["Ref"])
        if "Fn::GetAtt" in value:
            target = value["Fn::GetAtt"]
            return str(target[0] if isinstance(target, list) else target).split(".")[0]
        if "Fn::Join" in value:
            for part in value["Fn::Join"][1]:
                found = ref_id(part)
                if found:
                    return found
    return None


def _port(value: Any) -> int | None:
    return None if value is None else int(value)


Resources = dict[str, Resource]
"""Every resource of every stack by ``stack/logical id``."""


def _of_type(resources: Resources, kind: str) -> list[tuple[str, Resource]]:
    return [(key, r) for key, r in resources.items() if r.type == kind]


def _stack_of(key: str) -> str:
    return key.split("/", 1)[0]


def snapshot_from_assembly(assembly: Assembly, *, at: datetime) -> MonthlySnapshot:
    """Every security-relevant setting of every stack, as the checks read it."""
    resources: Resources = {}
    for stack, resource in assembly.resources():
        resources[f"{stack.name}/{resource.logical_id}"] = resource
    task_roles, containers, statements = _task_role(resources)
    lb_groups, load_balancers, log_targets = _load_balancers(resources)
    ingress = _ingress_rules(resources, lb_groups)
    distributions = _distributions(resources, log_targets)
    for key, flow in _of_type(resources, "AWS::EC2::FlowLog"):
        if (flow_bucket := ref_id(flow.properties.get("LogDestination"))) is not None:
            log_targets.add(f"{_stack_of(key)}/{flow_bucket}")
    buckets_raw = _of_type(resources, "AWS::S3::Bucket")
    for key, bucket_resource in buckets_raw:
        s3_logging = bucket_resource.properties.get("LoggingConfiguration")
        if s3_logging and (dest := ref_id(s3_logging.get("DestinationBucketName"))) is not None:
            log_targets.add(f"{_stack_of(key)}/{dest}")
    buckets = [_bucket(key, b, key in log_targets) for key, b in buckets_raw]

    tables = [_table(t) for _, t in _of_type(resources, "AWS::DynamoDB::Table")]
    log_groups = [
        LogGroupConfig(
            name=text(g.properties.get("LogGroupName", g.logical_id)),
            kms_key="KmsKeyId" in g.properties,
            retention_days=_port(g.properties.get("RetentionInDays")),
        )
        for _, g in _of_type(resources, "AWS::Logs::LogGroup")
    ]
    return MonthlySnapshot(
        at=at,
        source=f"synthesized templates in {assembly.directory}",
        expected_tables=EXPECTED_TABLES,
        task_role=statements if task_roles else None,
        ingress=ingress,
        tables=tables,
        buckets=buckets,
        log_groups=log_groups,
        distributions=distributions,
        load_balancers=load_balancers,
        containers=containers,
        restore_window_observable=False,
    )


def _task_role(
    resources: Resources,
) -> tuple[set[str], list[ContainerConfig], list[PolicyStatement]]:
    """The service's task roles, its containers, and the statements its roles allow."""
    task_roles: set[str] = set()
    containers: list[ContainerConfig] = []
    # The least-privilege check is about the service's role, as on AWS (the ops jobs'
    # role reads the account by design and is checked by tests/infra instead).
    served = {
        f"{_stack_of(key)}/{ref_id(service.properties.get('TaskDefinition'))}"
        for key, service in _of_type(resources, "AWS::ECS::Service")
    }
    for key, td in _of_type(resources, "AWS::ECS::TaskDefinition"):
        role = ref_id(td.properties.get("TaskRoleArn"))
        if role and f"{_stack_of(key)}/{td.logical_id}" in served:
            task_roles.add(f"{_stack_of(key)}/{role}")
        for c in td.properties.get("ContainerDefinitions", []):
            containers.append(
                ContainerConfig(
                    name=f"{text(td.properties.get('Family', td.logical_id))}/{c.get('Name')}",
                    environment=tuple(
                        (str(e["Name"]), text(e.get("Value", ""))) for e in c.get("Environment", [])
                    ),
                    secrets=tuple(str(sec["Name"]) for sec in c.get("Secrets", [])),
                )
            )
    statements: list[PolicyStatement] = []
    for key, policy in _of_type(resources, "AWS::IAM::Policy"):
        roles = {f"{_stack_of(key)}/{ref_id(r)}" for r in policy.properties.get("Roles", [])}
        if roles & task_roles:
            statements += policy_statements(policy.properties.get("PolicyDocument", {}), text)
    for role_key in task_roles:
        role_resource = resources.get(role_key)
        if role_resource is None:
            continue
        for inline in role_resource.properties.get("Policies", []):
            statements += policy_statements(inline.get("PolicyDocument", {}), text)
        for arn in role_resource.properties.get("ManagedPolicyArns", []):
            # A managed policy's statements are not in the template; name it so a reader sees it.
            statements.append(PolicyStatement("Allow", (f"managed-policy:{text(arn)}",), ("*",)))
    return task_roles, containers, statements


def _load_balancers(
    resources: Resources,
) -> tuple[set[str], list[LoadBalancerConfig], set[str]]:
    """The load balancers' security groups, their settings, and the buckets they log to."""
    lb_groups: set[str] = set()
    load_balancers: list[LoadBalancerConfig] = []
    log_targets: set[str] = set()
    for key, lb in _of_type(resources, "AWS::ElasticLoadBalancingV2::LoadBalancer"):
        lb_groups |= {
            f"{_stack_of(key)}/{ref_id(g)}" for g in lb.properties.get("SecurityGroups", [])
        }
        attrs = {a["Key"]: a["Value"] for a in lb.properties.get("LoadBalancerAttributes", [])}
        load_balancers.append(
            LoadBalancerConfig(
                name=text(lb.properties.get("Name", lb.logical_id)),
                access_logs=text(attrs.get("access_logs.s3.enabled", "false")) == "true",
            )
        )
        if (lb_bucket := ref_id(attrs.get("access_logs.s3.bucket"))) is not None:
            log_targets.add(f"{_stack_of(key)}/{lb_bucket}")
    return lb_groups, load_balancers, log_targets


def _ingress_rules(resources: Resources, lb_groups: set[str]) -> list[IngressRule]:
    """Every ingress rule, inline or its own resource; on a load balancer's group or not."""
    ingress: list[IngressRule] = []
    for key, sg in _of_type(resources, "AWS::EC2::SecurityGroup"):
        for rule in sg.properties.get("SecurityGroupIngress", []):
            ingress.append(_ingress(sg.logical_id, rule, key in lb_groups))
    for key, rule_resource in _of_type(resources, "AWS::EC2::SecurityGroupIngress"):
        group = ref_id(rule_resource.properties.get("GroupId")) or rule_resource.logical_id
        ingress.append(
            _ingress(group, rule_resource.properties, f"{_stack_of(key)}/{group}" in lb_groups)
        )
    return ingress


def _distributions(resources: Resources, log_targets: set[str]) -> list[DistributionConfig]:
    """The CloudFront distributions; the buckets they log to are added to ``log_targets``."""
    distributions: list[DistributionConfig] = []
    for key, dist in _of_type(resources, "AWS::CloudFront::Distribution"):
        config = dist.properties.get("DistributionConfig", {})
        behaviors = [config.get("DefaultCacheBehavior", {}), *config.get("CacheBehaviors", [])]
        cert = config.get("ViewerCertificate")
        default_cert = cert is None or bool(cert.get("CloudFrontDefaultCertificate"))
        cf_logging = config.get("Logging")
        if cf_logging and (cf_bucket := ref_id(cf_logging.get("Bucket"))) is not None:
            log_targets.add(f"{_stack_of(key)}/{cf_bucket}")
        distributions.append(
            DistributionConfig(
                name=f"{_stack_of(key)}/{dist.logical_id}",
                viewer_protocol_policies=tuple(
                    str(b.get("ViewerProtocolPolicy", "allow-all")) for b in behaviors
                ),
                minimum_protocol_version=None
                if default_cert or cert is None
                else str(cert.get("MinimumProtocolVersion", "TLSv1")),
                default_certificate=default_cert,
                logging=bool(cf_logging),
                custom_domain=bool(config.get("Aliases")),
            )
        )
    return distributions


def _ingress(group: str, rule: Mapping[str, Any], on_lb: bool) -> IngressRule:
    cidr = rule.get("CidrIp") or rule.get("CidrIpv6")
    source = rule.get("SourceSecurityGroupId")
    prefix_list = rule.get("SourcePrefixListId")
    if cidr is not None:
        peer = text(cidr)
    elif prefix_list is not None:  # CloudFront's origin-facing list, looked up at deploy
        peer = f"pl:{ref_id(prefix_list) or text(prefix_list)}"
    else:
        peer = f"sg:{ref_id(source) or text(source)}"
    return IngressRule(
        group=group,
        cidr=peer,
        protocol=str(rule.get("IpProtocol", "-1")),
        from_port=_port(rule.get("FromPort")),
        to_port=_port(rule.get("ToPort")),
        load_balancer_group=on_lb,
    )


def _bucket(key: str, bucket: Resource, receives_logs: bool) -> BucketConfig:
    props = bucket.properties
    rules = props.get("BucketEncryption", {}).get("ServerSideEncryptionConfiguration", [])
    algorithms = [r.get("ServerSideEncryptionByDefault", {}).get("SSEAlgorithm") for r in rules]
    block = props.get("PublicAccessBlockConfiguration", {})
    flags = ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets")
    return BucketConfig(
        name=text(props.get("BucketName", key)),
        encryption=next((str(a) for a in algorithms if a), None),
        public_access_blocked=all(block.get(f) is True for f in flags),
        access_logging="LoggingConfiguration" in props,
        receives_logs=receives_logs,
    )


def _table(table: Resource) -> TableConfig:
    props = table.properties
    sse = props.get("SSESpecification", {})
    if sse.get("SSEEnabled"):
        encryption = "customer-kms" if sse.get("KMSMasterKeyId") else "aws-managed-kms"
    else:
        encryption = "aws-owned"
    spec = props.get("PointInTimeRecoverySpecification", {})
    return TableConfig(
        name=text(props.get("TableName", table.logical_id)),
        encryption=encryption,
        pitr=bool(spec.get("PointInTimeRecoveryEnabled")),
    )
