"""The ALB access-log format, defined once for DuckDB and for Athena.

AWS documents the entry format ("Access log entries", Elastic Load Balancing
guide) and an Athena table over it (RegexSerDe). Both of our readers come from
the definitions here, so they cannot drift apart:

- ``FIELDS`` lists every documented field in order with its Athena type and the
  regular expression of its text. The Athena regex and DDL are built from it; the
  DuckDB reader takes the leading, space-free fields by their position in the
  same list (splitting on spaces is several times faster than a regex with
  thirty capture groups, and these fields never contain a space).
- ``ENDPOINT_RULES`` maps request paths to the API's endpoint templates; both
  dialects build their ``CASE`` expression from it.

Fields after ``trace_id`` are optional in the regex: older entries end earlier,
and AWS only ever appends fields, so anything after the last known field is
accepted and ignored.
"""

from __future__ import annotations

from dataclasses import dataclass

from portfolio import names
from portfolio.sketch import bin_sql


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    athena_type: str
    pattern: str
    """The field's text as a regex with exactly one capture group per column."""


def _bare(name: str, kind: str = "string", pattern: str = r"([^ ]*)") -> Field:
    return Field(name, kind, pattern)


def _quoted(name: str) -> Field:
    return Field(name, "string", r'"([^"]*)"')


# The order AWS documents; split in two where the documentation splits host:port.
REQUIRED: tuple[Field | tuple[Field, ...], ...] = (
    _bare("type"),
    _bare("time"),
    _bare("elb"),
    (
        Field("client_ip", "string", r"([^ ]*)"),
        Field("client_port", "int", r":([0-9]*)"),
    ),
    (
        Field("target_ip", "string", r"([^ ]*)"),
        Field("target_port", "int", r"[:-]([0-9]*)"),
    ),
    _bare("request_processing_time", "double", r"([-.0-9]*)"),
    _bare("target_processing_time", "double", r"([-.0-9]*)"),
    _bare("response_processing_time", "double", r"([-.0-9]*)"),
    _bare("elb_status_code", "int", r"([-0-9]*)"),
    _bare("target_status_code", "string", r"(-|[-0-9]*)"),
    _bare("received_bytes", "bigint", r"([-0-9]*)"),
    _bare("sent_bytes", "bigint", r"([-0-9]*)"),
    (
        Field("request_verb", "string", r'"([^ ]*)'),
        Field("request_url", "string", r" ([^ ]*)"),
        Field("request_proto", "string", r' ([^"]*)"'),
    ),
    _quoted("user_agent"),
    _bare("ssl_cipher", pattern=r"([A-Z0-9_-]+|-)"),
    _bare("ssl_protocol", pattern=r"([A-Za-z0-9.-]*)"),
    _bare("target_group_arn"),
    _quoted("trace_id"),
)
OPTIONAL: tuple[Field, ...] = (
    _quoted("domain_name"),
    _quoted("chosen_cert_arn"),
    _bare("matched_rule_priority", pattern=r"([-.0-9]*)"),
    _bare("request_creation_time"),
    _quoted("actions_executed"),
    _quoted("redirect_url"),
    _quoted("error_reason"),
    # Older entries wrote these two unquoted, newer ones quote them.
    Field("target_port_list", "string", r'"?([^ "]*)"?'),
    Field("target_status_code_list", "string", r'"?([^ "]*)"?'),
    _quoted("classification"),
    _quoted("classification_reason"),
    _bare("conn_trace_id"),
)


def _flat(items: tuple[Field | tuple[Field, ...], ...]) -> list[Field]:
    out: list[Field] = []
    for item in items:
        out.extend(item if isinstance(item, tuple) else (item,))
    return out


FIELDS: tuple[Field, ...] = (*_flat(REQUIRED), *OPTIONAL)
"""Every column of the Athena table, in order: one capture group each."""

POSITION: dict[str, int] = {
    # 1-based index in a line split on single spaces: the first thirteen fields have no
    # spaces; the request's verb (with its opening quote) and URL follow.
    "type": 1,
    "time": 2,
    "elb": 3,
    "client": 4,
    "target": 5,
    "request_processing_time": 6,
    "target_processing_time": 7,
    "response_processing_time": 8,
    "elb_status_code": 9,
    "target_status_code": 10,
    "received_bytes": 11,
    "sent_bytes": 12,
    "request_verb": 13,
    "request_url": 14,
    "request_proto": 15,
}
TYPES = ("http", "https", "h2", "grpcs", "ws", "wss")


def _group_pattern(item: Field | tuple[Field, ...]) -> str:
    if isinstance(item, tuple):
        return "".join(f.pattern for f in item)
    return item.pattern


def line_regex() -> str:
    """The whole-line regex (Java and RE2 alike): required fields, optional later ones, tail."""
    required = " ".join(_group_pattern(item) for item in REQUIRED)
    optional = ""
    for f in reversed(OPTIONAL):
        optional = f"(?: {f.pattern}{optional})?"
    return f"{required}{optional}(?: .*)?"


# (rule, argument, template), first match wins; no match is UNMATCHED. "exact" matches
# the path with or without a trailing slash; "one segment" matches exactly one path
# segment under the prefix (the {user_id} of /api/v1/users/{user_id}).
ENDPOINT_RULES: tuple[tuple[str, str, str], ...] = (
    ("exact", names.HEALTH_PATH, names.HEALTH_PATH),
    ("exact", names.USERS_PATH, names.USERS_PATH),
    ("one segment", names.USERS_PATH + "/", f"{names.USERS_PATH}/{{user_id}}"),
    ("exact", names.METRICS_PATH, names.METRICS_PATH),
)


def endpoint_of(path: str) -> str:
    """The rules in Python: the reference the SQL of both dialects is tested against."""
    for rule, arg, template in ENDPOINT_RULES:
        if rule == "exact" and path in (arg, arg + "/"):
            return template
        if rule == "one segment" and path.startswith(arg):
            rest = path[len(arg) :]
            slash = rest.find("/")
            if rest and slash != 0 and slash in (-1, len(rest) - 1):
                return template
    return names.UNMATCHED_ENDPOINT


def endpoint_case(path_sql: str, *, dialect: str) -> str:
    """A SQL CASE naming the endpoint template of ``path_sql``, in DuckDB or Athena (Trino).

    Plain string functions rather than regexes: on millions of lines they are
    several times faster, and both dialects spell them the same way.
    """
    whens = []
    for rule, arg, template in ENDPOINT_RULES:
        if rule == "exact":
            test = f"{path_sql} IN ('{arg}', '{arg}/')"
        else:
            # One segment, optionally followed by a slash (Trino has no two-argument rtrim).
            rest = f"substr({path_sql}, {len(arg) + 1})"
            test = (
                f"(starts_with({path_sql}, '{arg}') AND length({rest}) > 0"
                f" AND strpos({rest}, '/') IN (0, length({rest})) AND strpos({rest}, '/') <> 1)"
            )
        whens.append(f"WHEN {test} THEN '{template}'")
    return f"CASE {' '.join(whens)} ELSE '{names.UNMATCHED_ENDPOINT}' END"


def path_sql(url_sql: str) -> str:
    """The path of an absolute request URL (scheme://host:port/path?query), query dropped.

    The path starts at the first "/" from the 9th character on — past "https://",
    or inside the host of "http://", which holds no "/". Plain string functions that
    both dialects share: on millions of lines they are twice as fast as a
    regexp_extract, and DuckDB inlines this expression into the endpoint CASE only
    through a stored column (see alb_logs). A URL without a path (never logged by
    ALB) yields a string no endpoint rule matches.
    """
    return f"split_part(substr({url_sql}, strpos(substr({url_sql}, 9), '/') + 8), '?', 1)"


def path_of(url: str) -> str:
    """``path_sql`` in Python, for tests."""
    slash = url[8:].find("/")
    return url[slash + 8 if slash >= 0 else 7 :].split("?", 1)[0]


PROJECTION_FIRST_DAY = "2025/01/01"
"""The earliest day partition projection offers; days before it are never scanned."""


def athena_ddl(location: str, table: str = "alb_logs") -> str:
    """The Athena table over the logs, as AWS documents it: RegexSerDe, one column a group,
    and partition projection by day (``day`` = the ``yyyy/MM/dd`` folders ALB writes), so a
    month's query reads that month's folders and no partitions need adding.
    """
    columns = ",\n".join(f"    {f.name} {f.athena_type}" for f in FIELDS)
    regex = line_regex().replace("\\", "\\\\").replace("'", "\\'")
    base = location if location.endswith("/") else location + "/"
    return (
        f"CREATE EXTERNAL TABLE IF NOT EXISTS {table} (\n{columns}\n)\n"
        "PARTITIONED BY (day STRING)\n"
        "ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.RegexSerDe'\n"
        f"WITH SERDEPROPERTIES ('serialization.format' = '1', 'input.regex' = '{regex}')\n"
        f"LOCATION '{base}'\n"
        "TBLPROPERTIES (\n"
        "    'projection.enabled' = 'true',\n"
        "    'projection.day.type' = 'date',\n"
        f"    'projection.day.range' = '{PROJECTION_FIRST_DAY},NOW',\n"
        "    'projection.day.format' = 'yyyy/MM/dd',\n"
        "    'projection.day.interval' = '1',\n"
        "    'projection.day.interval.unit' = 'DAYS',\n"
        f"    'storage.location.template' = '{base}${{day}}'\n"
        ");"
    )


def alb_log_location(bucket: str, account: str, region: str) -> str:
    """The stack's ALB log folder: its bucket, its prefix, then ALB's own layout."""
    return f"s3://{bucket}/{names.ALB_LOG_PREFIX}/AWSLogs/{account}/elasticloadbalancing/{region}/"


def _day(iso: str) -> str:
    return iso[:10].replace("-", "/")


def athena_queries(table: str = "alb_logs", *, start: str, end: str) -> dict[str, str]:
    """The report's queries in Athena's dialect, mirroring the DuckDB reader step by step.

    As in DuckDB, the path is extracted once (a ``parsed`` step) and the endpoint
    CASE, the sketch's bin and the load balancer's own answers (no target: the
    target field is ``-``, so its ip group is empty) are computed from columns.
    """
    parsed = (
        f"WITH parsed AS (\n"  # noqa: S608 (constants and the caller's table name)
        f"    SELECT *, {path_sql('request_url')} AS path,\n"
        f"           from_iso8601_timestamp(time) AS ts,\n"
        f"           CASE WHEN target_processing_time >= 0"
        f" THEN target_processing_time * 1000 END AS ms,\n"
        f"           target_ip = '' AS no_target\n"
        f"    FROM {table}\n"
        # Partition pruning first (days in UTC, as ALB names its folders), then the instant.
        f"    WHERE day BETWEEN '{_day(start)}' AND '{_day(end)}'\n"
        f"      AND from_iso8601_timestamp(time) >= from_iso8601_timestamp('{start}')\n"
        f"      AND from_iso8601_timestamp(time) < from_iso8601_timestamp('{end}')\n"
        f")\n"
    )
    endpoint = endpoint_case("path", dialect="athena")
    return {
        "requests by hour, endpoint and status (with the sketch's bin index)": (
            f"{parsed}SELECT date_trunc('hour', ts) AS hour,\n"
            f"       {endpoint} AS endpoint,\n"
            f"       elb_status_code AS status,\n"
            f"       {bin_sql('ms')} AS bin,\n"
            f"       count(*) AS requests, sum(ms) AS latency_sum_ms,\n"
            f"       sum(received_bytes) AS bytes_in, sum(sent_bytes) AS bytes_out,\n"
            f"       count_if(no_target AND elb_status_code >= 500) AS load_balancer_5xx\n"
            f"FROM parsed\nGROUP BY 1, 2, 3, 4\nORDER BY 1, 2, 3, 4;"
        ),
        "per-minute totals (incidents, and availability: down when reached = 0 < lb_5xx)": (
            f"{parsed}SELECT date_trunc('minute', ts) AS minute,\n"
            f"       count(*) AS requests,\n"
            f"       count_if(elb_status_code >= 500) AS errors_5xx,\n"
            f"       sum(ms) AS latency_sum_ms, count(ms) AS timed,\n"
            f"       count_if(NOT no_target) AS reached,\n"
            f"       count_if(no_target AND elb_status_code >= 500) AS lb_5xx\n"
            f"FROM parsed\nGROUP BY 1\nORDER BY 1;"
        ),
        "p50/p95/p99 per endpoint (approximate, Athena's own sketch)": (
            f"{parsed}SELECT {endpoint} AS endpoint, count(*) AS requests,\n"
            f"       approx_percentile(ms, ARRAY[0.5, 0.95, 0.99]) AS p50_p95_p99_ms\n"
            f"FROM parsed\nWHERE ms IS NOT NULL\n"
            f"GROUP BY 1\nORDER BY 2 DESC;"
        ),
    }
