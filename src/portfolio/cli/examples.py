"""The examples each command's `--help` ends with: what a person types, and why.

Kept in one table so the command modules stay about their work; a test runs over
every command and fails when one has no examples or an example's line is too wide
for an 80-column terminal. Keys are the command's words after ``portfolio``.
"""

from __future__ import annotations

Example = tuple[str, str]
"""(what it does, the command line)"""

EXAMPLES: dict[str, tuple[Example, ...]] = {
    "": (
        ("a month of simulated operations, and its report", "portfolio demo"),
        ("help on one command", "portfolio report -h"),
    ),
    "serve": (
        (
            "the API on a new store, two workers as two tasks",
            "portfolio serve --create --workers 2",
        ),
        (
            "on DynamoDB Local",
            "portfolio serve --store dynamodb --endpoint-url http://127.0.0.1:8001",
        ),
    ),
    "report": (
        ("last month, every format, both languages", "portfolio report"),
        ("August as Markdown and JSON only", "portfolio report --month 2025-08 --format md,json"),
        ("from ALB access logs", "portfolio report --source alb-logs --logs ./alb-logs/"),
        ("and the message to mail, for cron", "portfolio report --notify - | mail -s report ops"),
    ),
    "report archive": (
        ("the index over every month in ./reports", "portfolio report archive"),
        ("over another folder", "portfolio report archive --reports /srv/reports"),
    ),
    "demo": (
        ("simulate August 2025 and write its report to ./reports", "portfolio demo"),
        ("the same month priced for the serverless design", "portfolio demo --design serverless"),
        ("six months up to August 2025, and their archive", "portfolio demo --months 6"),
    ),
    "check": (
        ("today's checklist against the local service", "portfolio check daily"),
        ("the monthly one, machine-readable", "portfolio check monthly --json"),
    ),
    "incident": (
        ("record an incident", "portfolio incident add --start 2025-08-12T21:00 --summary 'slow'"),
    ),
    "incident add": (
        (
            "a 30-minute incident (times in the report's zone)",
            "portfolio incident add --start 2025-08-12T21:00 \\\n"
            "    --end 2025-08-12T21:30 --summary 'slow responses'",
        ),
    ),
    "incident annotate": (
        (
            "add the cause to a recorded incident",
            "portfolio incident annotate ID --cause 'a deploy'",
        ),
    ),
    "incident list": (
        ("August's incidents as JSON", "portfolio incident list --month 2025-08 --json"),
    ),
    "maintenance": (("the windows of this month", "portfolio maintenance list"),),
    "maintenance add": (
        (
            "an hour of planned downtime",
            "portfolio maintenance add --start 2025-08-20T02:00 \\\n"
            "    --end 2025-08-20T03:00 --description patching",
        ),
    ),
    "maintenance list": (("August's windows", "portfolio maintenance list --month 2025-08"),),
    "worklog": (("this month's work", "portfolio worklog list"),),
    "worklog add": (
        (
            "a documentation item (counts toward the docs KPI)",
            "portfolio worklog add --kind docs --summary 'runbook'",
        ),
    ),
    "worklog list": (("August's work as JSON", "portfolio worklog list --month 2025-08 --json"),),
    "docs": (("regenerate the checklist", "portfolio docs checklist"),),
    "docs schema": (("regenerate docs/report.schema.json", "portfolio docs schema"),),
    "docs checklist": (("regenerate the operations checklist", "portfolio docs checklist"),),
    "docs troubleshooting": (
        ("regenerate the troubleshooting guide", "portfolio docs troubleshooting"),
    ),
    "infra": (("what the stacks cost a month", "portfolio infra cost"),),
    "infra synth": (("synthesize the CDK app into cdk.out", "portfolio infra synth"),),
    "infra cost": (
        ("the monthly cost of the stacks", "portfolio infra cost"),
        (
            "the serverless design at 10x the traffic",
            "portfolio infra cost --design serverless --requests-per-day 216000",
        ),
    ),
    "infra ledger": (
        ("is the ledger up to date? (exit 1 if not)", "portfolio infra ledger --check"),
    ),
    "logs": (("the ALB log the demo leaves", "portfolio logs summary reports/demo-logs/alb"),),
    "logs summary": (
        ("the ALB log the demo leaves", "portfolio logs summary reports/demo-logs/alb"),
        ("a month of logs on S3, as JSON", "portfolio logs summary s3://bucket/AWSLogs/ --json"),
    ),
    "logs athena": (
        ("the Athena table and queries for August", "portfolio logs athena --month 2025-08"),
    ),
    "store": (("create the store of this directory", "portfolio store init"),),
    "store init": (
        ("create ./portfolio.db (or --db PATH)", "portfolio store init"),
        (
            "the DynamoDB tables on DynamoDB Local",
            "portfolio store init --endpoint-url http://127.0.0.1:8001",
        ),
    ),
    "store export": (
        ("back up the store of this directory", "portfolio store export backup.jsonl"),
        (
            "August only, from a SQLite file",
            "portfolio store export aug.jsonl --from sqlite:portfolio.db \\\n"
            "    --since 2025-08-01 --until 2025-09-01",
        ),
    ),
    "store import": (
        (
            "restore a backup into a new SQLite file",
            "portfolio store import backup.jsonl --to sqlite:new.db",
        ),
    ),
    "store copy": (
        (
            "move this machine's history to DynamoDB Local",
            "portfolio store copy --from sqlite:portfolio.db \\\n"
            "    --to dynamodb:http://127.0.0.1:8001",
        ),
    ),
    "store sums": (
        (
            "sum two months of a table written before the packs",
            "portfolio store sums --since 2025-07-01 --until 2025-09-01 \\\n    --store dynamodb",
        ),
    ),
    "ops": (("the daily job, results kept local", "portfolio ops run daily --target local"),),
    "ops run": (
        ("the daily job, results kept local", "portfolio ops run daily --target local"),
        ("last month's report into a bucket", "portfolio ops run report --bucket my-reports"),
    ),
    "version": (("the version", "portfolio version"),),
}
