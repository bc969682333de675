"""The serverless monthly job: a state machine around the restore test (issue 21, item 5).

Read from the synthesized definition: the wait loop is bounded, every task state that
runs once a scratch table may exist catches every error into the cleanup, cleanup is
retried while the copy is still being created, the whole run ends before the sweep
would take its copy for a dead run's, and the schedule starts the machine instead of
invoking the function (whose 15 minutes a restore may outlast).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from portfolio import names
from portfolio.checks.restore_sweep import SWEEP_AFTER
from portfolio.infra.assembly import Assembly, Resource, StackTemplate
from tests.permissions.arns import Account, Need
from tests.permissions.policy import Template

ACCOUNT = Account()


@pytest.fixture(scope="module")
def stack(serverless_assembly: Assembly) -> StackTemplate:
    return next(s for s in serverless_assembly.stacks if not s.name.endswith("-web"))


@pytest.fixture(scope="module")
def machine(stack: StackTemplate) -> Resource:
    [machine] = stack.of_type("AWS::StepFunctions::StateMachine")
    return machine


def _definition(machine: Resource) -> dict[str, Any]:
    """The definition with each reference replaced by a placeholder string."""
    parts = machine.properties["DefinitionString"]["Fn::Join"][1]
    text = "".join(p if isinstance(p, str) else "REF" for p in parts)
    definition: dict[str, Any] = json.loads(text)
    return definition


@pytest.fixture(scope="module")
def definition(machine: Resource) -> dict[str, Any]:
    return _definition(machine)


@pytest.fixture(scope="module")
def per_table(definition: dict[str, Any]) -> dict[str, Any]:
    each = definition["States"][definition["StartAt"]]
    assert each["Type"] == "Map"
    assert each["ItemsPath"] == "$.tables"
    states: dict[str, Any] = each["ItemProcessor"]["States"]
    return states


def _next(state: Mapping[str, Any]) -> Iterator[str]:
    if "Next" in state:
        yield state["Next"]
    if "Default" in state:
        yield state["Default"]
    for choice in state.get("Choices", []):
        yield choice["Next"]


def _reaches(states: Mapping[str, Any], start: str, goal: str) -> bool:
    """Whether ``start`` leads to ``goal`` along Next/Choices (not Catch)."""
    seen, todo = set(), [start]
    while todo:
        name = todo.pop()
        if name == goal:
            return True
        if name not in seen:
            seen.add(name)
            todo.extend(_next(states[name]))
    return False


def test_the_machine_restores_each_table_then_runs_the_checklist_with_the_results(
    definition: dict[str, Any],
) -> None:
    each = definition["States"][definition["StartAt"]]
    assert each["ItemSelector"] == {
        "table.$": "$$.Map.Item.Value",
        "at.$": "$$.Execution.StartTime",
    }
    monthly = definition["States"][each["Next"]]
    assert monthly["Parameters"] == {"ops": "monthly", "restore_tests.$": each["ResultPath"]}
    assert monthly.get("End") is True


def test_every_task_after_the_restore_began_catches_into_the_cleanup(
    per_table: dict[str, Any],
) -> None:
    tasks = {n: s for n, s in per_table.items() if s["Type"] == "Task" and n != "Cleanup"}
    assert set(tasks) == {"Start", "DescribeCopy", "Verify"}
    for name, task in tasks.items():
        [catch] = task["Catch"]
        assert catch["ErrorEquals"] == ["States.ALL"], name
        assert _reaches(per_table, catch["Next"], "Cleanup"), name
    # A successful verification goes to the cleanup too: the copy never outlives a run.
    assert _reaches(per_table, tasks["Verify"]["Next"], "Cleanup")
    # The one path without cleanup is the one where no copy was made.
    started = per_table[tasks["Start"]["Next"]]
    [no_copy] = [c for c in started["Choices"] if c.get("IsNull") is True]
    assert no_copy["Variable"] == "$.scratch"
    assert not _reaches(per_table, no_copy["Next"], "Cleanup")
    assert _reaches(per_table, started["Default"], "Cleanup")


def test_cleanup_deletes_through_the_ops_function_retries_while_busy_and_never_fails_the_run(
    per_table: dict[str, Any],
) -> None:
    cleanup = per_table["Cleanup"]
    assert cleanup["Parameters"]["restore_step"] == "cleanup"
    [busy] = [r for r in cleanup["Retry"] if r["ErrorEquals"] == ["ScratchTableBusy"]]
    waited = sum(
        busy["IntervalSeconds"] * busy["BackoffRate"] ** i for i in range(busy["MaxAttempts"])
    )
    assert 30 * 60 <= waited <= 2 * 3600
    [catch] = cleanup["Catch"]
    assert catch["ErrorEquals"] == ["States.ALL"]
    left = per_table[catch["Next"]]
    assert left.get("End") is True
    assert "next run sweeps it" in left["Parameters"]["error.$"]
    # Every path into cleanup hands it every field it reads.
    fields = {k.removesuffix(".$") for k in cleanup["Parameters"] if k != "restore_step"}
    for name, state in per_table.items():
        if state.get("Next") == "Cleanup":
            assert {k.removesuffix(".$") for k in state["Parameters"]} == fields, name


def test_the_wait_loop_is_bounded_and_the_run_ends_before_the_sweep(
    per_table: dict[str, Any], definition: dict[str, Any]
) -> None:
    [wait] = [s for s in per_table.values() if s["Type"] == "Wait"]
    describe = per_table[wait["Next"]]
    assert describe["Resource"].endswith(":states:::aws-sdk:dynamodb:describeTable")
    assert describe["Parameters"] == {"TableName.$": "$.scratch"}
    active = per_table[describe["Next"]]
    conditions = {c["Variable"]: c for c in active["Choices"]}
    assert conditions["$.copy.status"]["StringEquals"] == "ACTIVE"
    assert conditions["$.copy.status"]["Next"] == "Verify"
    bound = conditions["$.polls.value"]["NumericGreaterThanEquals"]
    assert _reaches(per_table, conditions["$.polls.value"]["Next"], "Cleanup")
    assert _reaches(per_table, active["Default"], active["Default"])  # the counter, then wait
    polling = bound * wait["Seconds"]
    assert 3600 <= polling <= 3 * 3600
    timeout = definition["TimeoutSeconds"]
    assert polling < timeout < SWEEP_AFTER.total_seconds()
    for task in per_table.values():
        if task["Type"] == "Task" and "lambda" in json.dumps(task):
            assert task["TimeoutSeconds"] <= 900  # Lambda's own limit


def test_the_monthly_schedule_starts_the_machine_with_the_tables(
    stack: StackTemplate, machine: Resource
) -> None:
    schedules = {
        s.properties["Name"]: s.properties["Target"]
        for s in stack.of_type("AWS::Scheduler::Schedule")
    }
    monthly = schedules[f"portfolio-ops-monthly{_suffix(stack)}"]
    assert monthly["Arn"] == {"Ref": machine.logical_id}
    tables = {t.logical_id for t in stack.of_type("AWS::DynamoDB::Table")}
    referenced = {p["Ref"] for p in monthly["Input"]["Fn::Join"][1] if isinstance(p, dict)}
    assert referenced == tables
    for name, target in schedules.items():  # the other jobs still invoke the function
        if name != f"portfolio-ops-monthly{_suffix(stack)}":
            assert "lambda" in json.dumps(target["Arn"]).lower() or "Function" in json.dumps(
                target["Arn"]
            )


def _suffix(stack: StackTemplate) -> str:
    return "-serverless" if stack.name.endswith("-serverless") else ""


def test_the_machines_role_may_invoke_the_ops_function_and_describe_only_scratch_copies(
    stack: StackTemplate, machine: Resource
) -> None:
    template = Template(stack.template, stack.region, ACCOUNT)
    role_id = machine.properties["RoleArn"]["Fn::GetAtt"][0]
    policy = template.role_policy(role_id)
    functions = template.of_type("AWS::Lambda::Function")
    [ops] = [lid for lid, p in functions.items() if "PORTFOLIO_OPS_REPORTS_BUCKET" in json.dumps(p)]
    ops_arn = template.get_att(ops, "Arn")
    table = f"arn:aws:dynamodb:{stack.region}:{ACCOUNT.id}:table/{names.USERS_TABLE}"
    assert policy.allows(Need("lambda:InvokeFunction", ops_arn))
    assert policy.allows(Need("dynamodb:DescribeTable", f"{table}-restore-test-1764000000"))
    assert not policy.allows(Need("dynamodb:DescribeTable", table))
    assert not policy.allows(Need("dynamodb:DeleteTable", f"{table}-restore-test-1764000000"))
    others = [lid for lid in functions if lid != ops]
    for other in others:
        assert not policy.allows(Need("lambda:InvokeFunction", template.get_att(other, "Arn")))
