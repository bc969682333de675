"""Monthly security and backup checks (月次点検): configuration, as deployed or as declared.

The report reads these by id: ids with "encrypt" fill the data store's encryption line,
ids with "backup"/"pitr" its backup line, and the whole run the security status.
"""

from __future__ import annotations

from datetime import timedelta

from portfolio.checks.base import (
    NO_RESTORE_TEST,
    NOT_OBSERVED,
    ORIGINAL_ONLY,
    RESTORE_WINDOW_UNOBSERVABLE,
    Kind,
    Outcome,
    Severity,
    check,
    fail,
    passed,
    warn,
)
from portfolio.checks.snapshot import MonthlySnapshot

PUBLIC_CIDRS = frozenset({"0.0.0.0/0", "::/0"})
LOAD_BALANCER_PORTS = frozenset({80, 443})
MODERN_TLS = frozenset({"TLSv1.2_2019", "TLSv1.2_2021", "TLSv1.2_2025", "TLSv1.3_2025"})
HTTPS_POLICIES = frozenset({"https-only", "redirect-to-https"})
RESTORE_POINT_MAX_AGE = timedelta(hours=1)
"""PITR's latest restorable time normally trails now by about five minutes."""
SECRET_WORDS = ("SECRET", "PASSWORD", "PASSWD", "TOKEN", "API_KEY", "APIKEY", "PRIVATE_KEY")
SECRET_VALUE_PREFIXES = ("AKIA", "ASIA", "-----BEGIN", "ghp_", "xoxb-", "sk_live_")


def _n(count: int, noun: str) -> str:
    """'1 bucket', '3 buckets'."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _names(items: list[str]) -> str:
    return ", ".join(items[:5]) + (f" and {len(items) - 5} more" if len(items) > 5 else "")


@check(
    "sec_task_role_least_privilege",
    Kind.MONTHLY,
    Severity.HIGH,
    title=("タスクロールの最小権限", "Task role has least privilege"),
    risk=(
        "タスクが侵害された場合に、テーブル以外の AWS リソースも操作されうる。",
        "A compromised task could act on AWS resources beyond its two tables.",
    ),
    remediation=(
        "タスクロールのポリシーからワイルドカードのアクションとリソースを除き、"
        "2 つのテーブル (とそのインデックス) への grant だけにする (infra の stacks.py)。",
        "Remove wildcard actions and resources from the task role; keep only the grants on"
        " the two tables and their indexes (infra/portfolio_infra/stacks.py).",
    ),
    designs=ORIGINAL_ONLY,
)
def sec_task_role_least_privilege(s: MonthlySnapshot) -> Outcome:
    if s.task_role is None:
        return warn(f"The task role {NOT_OBSERVED}.")
    allows = [st for st in s.task_role if st.effect == "Allow"]
    if not allows:
        return passed("The task role allows nothing.")
    wild_actions = sorted({a for st in allows for a in st.actions if a == "*" or a.endswith(":*")})
    if wild_actions:
        return fail(f"The task role allows wildcard actions: {_names(wild_actions)}.")
    wild_resources = sorted({a for st in allows if "*" in st.resources for a in st.actions})
    if wild_resources:
        return fail(f"The task role allows {_names(wild_resources)} on every resource (*).")
    services = sorted({a.split(":", 1)[0] for st in allows for a in st.actions})
    return passed(
        f"The task role's {_n(len(allows), 'statement')} name their resources; services: "
        f"{', '.join(services)}."
    )


@check(
    "sec_public_ingress",
    Kind.MONTHLY,
    Severity.CRITICAL,
    title=(
        "0.0.0.0/0 からの受信は ALB の 80/443 のみ",
        "No 0.0.0.0/0 ingress except the ALB on 80/443",
    ),
    risk=(
        "タスクや管理ポートがインターネットに直接公開される。",
        "Tasks or management ports are reachable straight from the internet.",
    ),
    remediation=(
        "該当ルールを削除し、タスクへの受信は ALB のセキュリティグループからに限定する"
        " (infra の network.py)。",
        "Delete the rule; tasks accept traffic only from the ALB's security group"
        " (infra/portfolio_infra/network.py).",
    ),
    designs=ORIGINAL_ONLY,
)
def sec_public_ingress(s: MonthlySnapshot) -> Outcome:
    if s.ingress is None:
        return warn(f"Security group ingress {NOT_OBSERVED}.")
    public = [r for r in s.ingress if r.cidr in PUBLIC_CIDRS]
    bad = [
        r
        for r in public
        if not (
            r.load_balancer_group
            and r.from_port is not None
            and r.from_port == r.to_port
            and r.from_port in LOAD_BALANCER_PORTS
        )
    ]
    if bad:
        described = [f"{r.group} {r.protocol} {r.from_port}-{r.to_port} from {r.cidr}" for r in bad]
        return fail(f"Open to the internet: {_names(described)}.")
    ports = sorted({r.from_port for r in public if r.from_port is not None})
    return passed(
        f"Only the load balancer is open to the internet (ports {', '.join(map(str, ports))})."
        if ports
        else "Nothing is open to the internet."
    )


@check(
    "encrypt_tables",
    Kind.MONTHLY,
    Severity.HIGH,
    title=("テーブルの暗号化 (KMS)", "Tables are encrypted with KMS"),
    risk=(
        "AWS 所有キーでは鍵の利用が CloudTrail に残らず、アクセスの監査ができない。",
        "With an AWS owned key, key use is not in CloudTrail and access cannot be audited.",
    ),
    remediation=(
        "テーブルの暗号化を AWS マネージドキー (aws/dynamodb) かカスタマーマネージドキーにする"
        " (infra の data.py、TableEncryption.AWS_MANAGED)。",
        "Encrypt the tables with the AWS managed key (aws/dynamodb) or a customer managed"
        " key (infra/portfolio_infra/data.py, TableEncryption.AWS_MANAGED).",
    ),
)
def encrypt_tables(s: MonthlySnapshot) -> Outcome:
    if s.tables is None:
        return warn(f"Table encryption {NOT_OBSERVED}.")
    if not s.tables:
        return fail("No tables found.")
    unencrypted = [t.name for t in s.tables if t.encryption == "none"]
    if unencrypted:
        return fail(f"Not encrypted: {_names(unencrypted)}.")
    owned = [t.name for t in s.tables if t.encryption == "aws-owned"]
    if owned:
        return warn(f"Encrypted with an AWS owned key, not KMS: {_names(owned)}.")
    return passed(
        "Encrypted with KMS: " + ", ".join(f"{t.name} ({t.encryption})" for t in s.tables) + "."
    )


@check(
    "encrypt_buckets",
    Kind.MONTHLY,
    Severity.HIGH,
    title=("S3 バケットの暗号化", "Buckets are encrypted"),
    risk=(
        "バケットの既定の暗号化が設定されていない。",
        "A bucket has no default encryption configured.",
    ),
    remediation=(
        "バケットに既定の暗号化 (SSE-S3 または SSE-KMS) を設定する (s3.Bucket の encryption)。",
        "Set default encryption (SSE-S3 or SSE-KMS) on the bucket (s3.Bucket encryption).",
    ),
)
def encrypt_buckets(s: MonthlySnapshot) -> Outcome:
    if s.buckets is None:
        return warn(f"Bucket encryption {NOT_OBSERVED}.")
    plain = [b.name for b in s.buckets if not b.encryption]
    if plain:
        return fail(f"No default encryption: {_names(plain)}.")
    kinds = sorted({b.encryption or "" for b in s.buckets})
    return passed(f"All {_n(len(s.buckets), 'bucket')} encrypted ({', '.join(kinds)}).")


@check(
    "encrypt_logs",
    Kind.MONTHLY,
    Severity.MEDIUM,
    title=("ログの暗号化 (ログバケット・ロググループ)", "Logs are encrypted at rest"),
    risk=(
        "アクセスログに含まれる IP アドレスや URL が暗号化されずに保存される。",
        "Access logs (client IPs, URLs) are stored unencrypted.",
    ),
    remediation=(
        "ログを受けるバケットに SSE-S3 を設定する (ALB ログは SSE-S3 のみ対応)。"
        "ロググループは常に暗号化されるが、鍵を管理するなら KMS キーを関連付ける。",
        "Set SSE-S3 on every bucket that receives logs (ALB log delivery supports only"
        " SSE-S3); log groups are always encrypted, associate a KMS key to control the key.",
    ),
)
def encrypt_logs(s: MonthlySnapshot) -> Outcome:
    if s.buckets is None and s.log_groups is None:
        return warn(f"Log storage {NOT_OBSERVED}.")
    log_buckets = [b for b in s.buckets or [] if b.receives_logs]
    plain = [b.name for b in log_buckets if not b.encryption]
    if plain:
        return fail(f"Log buckets without encryption: {_names(plain)}.")
    groups = s.log_groups or []
    kms = sum(1 for g in groups if g.kms_key)
    return passed(
        f"{_n(len(log_buckets), 'log bucket')} encrypted;"
        f" {_n(len(groups), 'log group')} encrypted by CloudWatch Logs ({kms} with a KMS key)."
    )


@check(
    "sec_s3_public_access_blocked",
    Kind.MONTHLY,
    Severity.CRITICAL,
    title=("S3 パブリックアクセスのブロック", "S3 public access is blocked"),
    risk=(
        "バケットの内容 (サイトの原本、ログ) が公開されうる。",
        "Bucket contents (the site's originals, logs) could be made public.",
    ),
    remediation=(
        "Block Public Access の 4 項目をすべて有効にする (BlockPublicAccess.BLOCK_ALL)。"
        "サイトは CloudFront の OAC 経由でのみ配信する。",
        "Turn on all four Block Public Access settings (BlockPublicAccess.BLOCK_ALL); serve"
        " the site only through CloudFront's origin access control.",
    ),
)
def sec_s3_public_access_blocked(s: MonthlySnapshot) -> Outcome:
    if s.buckets is None:
        return warn(f"Bucket public access settings {NOT_OBSERVED}.")
    open_ = [b.name for b in s.buckets if not b.public_access_blocked]
    if open_:
        return fail(f"Public access not fully blocked: {_names(open_)}.")
    return passed(f"All four public access blocks on all {_n(len(s.buckets), 'bucket')}.")


@check(
    "sec_cloudfront_tls",
    Kind.MONTHLY,
    Severity.HIGH,
    title=("CloudFront の HTTPS 限定と TLS ポリシー", "CloudFront is HTTPS-only with modern TLS"),
    risk=(
        "平文 HTTP や古い TLS (1.0/1.1) で配信され、盗聴・改ざんされうる。",
        "Content is served over plain HTTP or old TLS (1.0/1.1), open to eavesdropping.",
    ),
    remediation=(
        "ビューアープロトコルポリシーを https-only (または redirect-to-https) にし、"
        "ACM 証明書を関連付けて最小 TLS を TLSv1.2_2021 にする。"
        "既定の *.cloudfront.net 証明書では最小 TLS は TLSv1 に固定される。",
        "Set the viewer protocol policy to https-only (or redirect-to-https); attach an ACM"
        " certificate and set the minimum to TLSv1.2_2021 — on the default *.cloudfront.net"
        " certificate CloudFront fixes the minimum at TLSv1.",
    ),
)
def sec_cloudfront_tls(s: MonthlySnapshot) -> Outcome:
    if s.distributions is None:
        return warn(f"CloudFront distributions {NOT_OBSERVED}.")
    if not s.distributions:
        return passed("No CloudFront distributions.")
    plain = [
        d.name
        for d in s.distributions
        if any(p not in HTTPS_POLICIES for p in d.viewer_protocol_policies)
    ]
    if plain:
        return fail(f"Plain HTTP allowed by: {_names(plain)}.")
    old = [
        f"{d.name} ("
        + (
            "default certificate: TLSv1"
            if d.default_certificate
            else str(d.minimum_protocol_version)
        )
        + ")"
        for d in s.distributions
        # Without a custom domain there is no certificate to choose: CloudFront serves
        # its own *.cloudfront.net one and fixes its minimum; nothing to remediate.
        if d.custom_domain
        and (d.default_certificate or d.minimum_protocol_version not in MODERN_TLS)
    ]
    if old:
        return warn(f"HTTPS-only, but the minimum TLS is not modern: {_names(old)}.")
    chosen = sorted({d.minimum_protocol_version or "" for d in s.distributions if d.custom_domain})
    defaults = [d.name for d in s.distributions if not d.custom_domain]
    return passed(
        "HTTPS-only"
        + (f" with {', '.join(chosen)}" if chosen else "")
        + (
            f"; no custom domain, CloudFront's default certificate: {_names(defaults)}"
            if defaults
            else ""
        )
        + "."
    )


@check(
    "sec_access_logging",
    Kind.MONTHLY,
    Severity.MEDIUM,
    title=(
        "アクセスログの有効化 (ALB・CloudFront・S3)",
        "Access logging is on (ALB, CloudFront, S3)",
    ),
    risk=(
        "障害や不正アクセスの調査に必要な記録がなく、月次報告の集計もできない。",
        "There is no record to investigate incidents or abuse, nor to build the report from.",
    ),
    remediation=(
        "ALB の access_logs.s3.enabled、CloudFront の Logging、サイトバケットの"
        "サーバーアクセスログを有効にし、ログバケットに出力する。",
        "Enable ALB access_logs.s3.enabled, CloudFront standard logging and the site"
        " bucket's server access logs, all into the log bucket.",
    ),
)
def sec_access_logging(s: MonthlySnapshot) -> Outcome:
    if s.load_balancers is None and s.distributions is None and s.buckets is None:
        return warn(f"Access logging {NOT_OBSERVED}.")
    missing = [f"ALB {lb.name}" for lb in s.load_balancers or [] if not lb.access_logs]
    missing += [f"CloudFront {d.name}" for d in s.distributions or [] if not d.logging]
    missing += [
        f"bucket {b.name}" for b in s.buckets or [] if not b.access_logging and not b.receives_logs
    ]
    if missing:
        return fail(f"No access logs: {_names(missing)}.")
    counted = len(s.load_balancers or []) + len(s.distributions or [])
    sites = sum(1 for b in s.buckets or [] if not b.receives_logs)
    return passed(
        f"Access logs on: {counted} load balancers and distributions in all,"
        f" {_n(sites, 'site bucket')}."
    )


@check(
    "sec_task_definition_secrets",
    Kind.MONTHLY,
    Severity.CRITICAL,
    title=("タスク定義に秘密情報がない", "No secrets in task definitions"),
    risk=(
        "タスク定義の環境変数は DescribeTaskDefinition で誰でも読めるため、鍵が漏えいする。",
        "Task definition environment variables are readable by anyone with"
        " DescribeTaskDefinition: the secret leaks.",
    ),
    remediation=(
        "秘密情報は Secrets Manager に置き、コンテナの secrets (valueFrom) で渡す。"
        "漏れた鍵はローテーションする。",
        "Keep secrets in Secrets Manager and pass them as container secrets (valueFrom);"
        " rotate any key that was exposed.",
    ),
    designs=ORIGINAL_ONLY,
)
def sec_task_definition_secrets(s: MonthlySnapshot) -> Outcome:
    if s.containers is None:
        return warn(f"Task definitions {NOT_OBSERVED}.")
    leaks = [
        f"{c.name}:{name}"
        for c in s.containers
        for name, value in c.environment
        if value
        and (
            any(word in name.upper() for word in SECRET_WORDS)
            or value.startswith(SECRET_VALUE_PREFIXES)
        )
    ]
    if leaks:
        return fail(f"Secret-looking plain environment variables: {_names(leaks)}.")
    injected = sorted({name for c in s.containers for name in c.secrets})
    via = f"; secrets injected: {', '.join(injected)}" if injected else ""
    return passed(
        f"No secret-looking values in the environment of {_n(len(s.containers), 'container')}{via}."
    )


@check(
    "backup_pitr_enabled",
    Kind.MONTHLY,
    Severity.CRITICAL,
    title=("両テーブルの PITR (ポイントインタイムリカバリ)", "PITR is on for both tables"),
    risk=(
        "誤削除や不正な書き込みから過去 35 日のどの時点にも戻せない。",
        "An accidental delete or bad write cannot be undone to any point of the last 35 days.",
    ),
    remediation=(
        "両テーブルの PointInTimeRecoverySpecification を有効にする (infra の data.py)。",
        "Enable PointInTimeRecoverySpecification on both tables (infra/portfolio_infra/data.py).",
    ),
)
def backup_pitr_enabled(s: MonthlySnapshot) -> Outcome:
    if s.tables is None:
        return warn(f"Table backup settings {NOT_OBSERVED}.")
    by_name = {t.name: t for t in s.tables}
    missing = [name for name in s.expected_tables if name not in by_name]
    if missing:
        return fail(f"Tables not found: {_names(missing)}.")
    off = [t.name for t in s.tables if not t.pitr]
    if off:
        return fail(f"PITR off: {_names(off)}.")
    return passed(f"PITR on for {', '.join(sorted(by_name))}.")


@check(
    "backup_pitr_restorable",
    Kind.MONTHLY,
    Severity.HIGH,
    title=("PITR の最新復元可能時刻が新しい", "PITR's latest restorable time is recent"),
    risk=(
        "PITR が有効でも復元可能時刻が進んでおらず、直近のデータを戻せない。",
        "PITR is on but the restore window is not advancing: recent data cannot be restored.",
    ),
    remediation=(
        "DescribeContinuousBackups の LatestRestorableDateTime を確認し、進んでいなければ"
        " PITR を無効化・再有効化して AWS サポートに連絡する。",
        "Read LatestRestorableDateTime from DescribeContinuousBackups; if it does not"
        " advance, disable and re-enable PITR and contact AWS Support.",
    ),
)
def backup_pitr_restorable(s: MonthlySnapshot) -> Outcome:
    if s.tables is None or not s.restore_window_observable:
        return warn(RESTORE_WINDOW_UNOBSERVABLE)
    stale, lags = [], []
    for t in s.tables:
        if t.latest_restorable is None:
            stale.append(f"{t.name} (none)")
            continue
        lag = (s.at - t.latest_restorable).total_seconds() / 60
        lags.append(lag)
        if s.at - t.latest_restorable > RESTORE_POINT_MAX_AGE:
            stale.append(f"{t.name} ({lag:.0f} min old)")
    if stale or not lags:
        return fail(f"No recent restorable time: {_names(stale) or 'no tables'}.")
    newest_lag = max(lags)
    return passed(f"Restorable to within {newest_lag:.0f} min on {len(s.tables)} tables.")


@check(
    "backup_restore_test",
    Kind.MONTHLY,
    Severity.HIGH,
    title=("リストアテスト (件数照合)", "Restore test (item counts compared)"),
    risk=(
        "バックアップから実際に戻せるかが確かめられていない。",
        "Nobody has proven the backup actually restores.",
    ),
    remediation=(
        "`portfolio check monthly --restore-test` を実行する。失敗したら復元ジョブの"
        "エラーと IAM 権限 (dynamodb:RestoreTableToPointInTime) を確認する。",
        "Run `portfolio check monthly --restore-test`; if it fails, read the restore's error"
        " and check the IAM permissions (dynamodb:RestoreTableToPointInTime).",
    ),
)
def backup_restore_test(s: MonthlySnapshot) -> Outcome:
    if s.restore_tests is None:
        return warn(NO_RESTORE_TEST)
    if not s.restore_tests:
        return fail("The restore test found nothing to restore.")
    broken = [
        f"{r.table}: {r.error}"
        if r.error
        else f"{r.table}: {r.restored_items} of {r.source_items} items"
        for r in s.restore_tests
        if r.error or r.restored_items != r.source_items
    ]
    if broken:
        return fail(f"Restore test failed: {_names(broken)}.")
    return passed(
        "Restored and compared: "
        + ", ".join(
            f"{r.table} {r.restored_items} items" + (f" ({r.basis})" if r.basis else "")
            for r in s.restore_tests
        )
        + f" in {sum(r.seconds for r in s.restore_tests):.1f} s; scratch copies deleted."
    )


# -- security audits: recorded when the monthly check runs them -------------------------------


@check(
    "sec_iac_scan",
    Kind.MONTHLY,
    Severity.HIGH,
    title=("IaC スキャン (cdk-nag / cfn-lint / checkov)", "IaC scan (cdk-nag, cfn-lint, checkov)"),
    risk=(
        "テンプレートに危険な設定 (公開・暗号化なし・過大な権限) が入ったまま配備される。",
        "A template with a risky setting (public, unencrypted, over-broad) gets deployed.",
    ),
    remediation=(
        "`portfolio check monthly --iac-scan` (または `make infra-gates`) の指摘を直すか、"
        "理由を添えて infra/portfolio_infra/build.py / .checkov.yaml に記録する。",
        "Fix what `portfolio check monthly --iac-scan` (or `make infra-gates`) reports, or"
        " acknowledge it with its reason in infra/portfolio_infra/build.py / .checkov.yaml.",
    ),
)
def sec_iac_scan(s: MonthlySnapshot) -> Outcome | None:
    scan = s.iac_scan
    if scan is None:
        return None  # not run this time: the report says so
    lint = (
        "cfn-lint not installed, not run"
        if scan.cfn_lint_errors is None
        else f"cfn-lint {scan.cfn_lint_errors} errors, {scan.cfn_lint_warnings or 0} warnings"
    )
    checkov = (
        "checkov not installed, not run"
        if scan.checkov_failed is None
        else f"checkov {scan.checkov_failed} failed of"
        f" {(scan.checkov_passed or 0) + scan.checkov_failed}"
    )
    counts = f"cdk-nag {scan.nag_unacknowledged} unacknowledged; {lint}; {checkov}"
    if scan.nag_unacknowledged or scan.cfn_lint_errors or scan.checkov_failed:
        return fail(f"IaC gates found problems: {counts}.")
    return passed(f"IaC gates clean: {counts}.")


@check(
    "sec_dependency_audit",
    Kind.MONTHLY,
    Severity.HIGH,
    title=("依存パッケージの脆弱性監査 (uv.lock)", "Dependency vulnerability audit (uv.lock)"),
    risk=(
        "既知の脆弱性を持つライブラリが本番イメージに入る。",
        "A library with a known vulnerability ships in the production image.",
    ),
    remediation=(
        "`uv lock --upgrade-package <名前>` で修正版に上げ、テストしてから配備する。",
        "Upgrade to a fixed version (`uv lock --upgrade-package <name>`), test, deploy.",
    ),
)
def sec_dependency_audit(s: MonthlySnapshot) -> Outcome | None:
    audit = s.dependency_audit
    if audit is None:
        return None
    if not audit.vulnerabilities:
        return passed(f"{_n(audit.packages, 'package')} audited against {audit.source}: none.")
    found = [
        f"{v.package} {v.version} {v.id}"
        + (f" (fixed in {', '.join(v.fixed_in)})" if v.fixed_in else "")
        for v in audit.vulnerabilities
    ]
    return fail(f"Known vulnerabilities ({audit.source}): {_names(found)}.")


SERIOUS = ("CRITICAL", "HIGH")


@check(
    "sec_image_vulnerabilities",
    Kind.MONTHLY,
    Severity.HIGH,
    title=("コンテナイメージの脆弱性 (ECR スキャン)", "Container image vulnerabilities (ECR scan)"),
    risk=(
        "稼働中のイメージの OS パッケージやライブラリに既知の脆弱性がある。",
        "The running image carries OS packages or libraries with known vulnerabilities.",
    ),
    remediation=(
        "ベースイメージと依存を更新してイメージを作り直し、配備する (ECR が push 時に再スキャン)。",
        "Rebuild the image on an updated base and dependencies and deploy it (ECR rescans it).",
    ),
    designs=ORIGINAL_ONLY,
)
def sec_image_vulnerabilities(s: MonthlySnapshot) -> Outcome | None:
    scan = s.image_scan
    if scan is None:
        return None  # no ECR image observed (a local run, or an image outside ECR)
    if scan.error:
        return warn(f"No scan of {scan.image}: {scan.error}.")
    counts = dict(scan.counts)
    text = ", ".join(f"{severity} {n}" for severity, n in scan.counts if n) or "no findings"
    if any(counts.get(level, 0) for level in SERIOUS):
        return fail(f"{scan.image}: {text}.")
    if counts.get("MEDIUM", 0):
        return warn(f"{scan.image}: {text}.")
    return passed(f"{scan.image}: {text}.")
