"""The serverless design's monthly job: a Step Functions state machine around the restore.

A point-in-time restore takes minutes to hours; inside one Lambda invocation (15
minutes at most) a slow restore would be cut off, and a function killed at its time
limit never deletes its scratch table. Here the waiting is the state machine's: per
table (a Map), the ops function starts the restore, a Wait state and DescribeTable
(an SDK integration, no Lambda time) poll until the copy is ACTIVE, at most
``MAX_POLLS`` times, the function verifies the copy, and a cleanup step deletes it on
every path — each task state catches every error into the cleanup. Cleanup retries
while the copy is still being created (``ScratchTableBusy``). Then the ops function
runs the monthly checklist with the results, records it and sends its summary.

Bounds: ``MAX_POLLS`` x ``POLL`` per table, the execution's ``TIMEOUT`` over all; both
below the sweep's age (``portfolio.checks.restore_sweep.SWEEP_AFTER``), so a copy left
by an execution that timed out is swept by the next run, and a live run's never is.
Cost: about 20 state transitions per table per month, inside Step Functions' free tier.
"""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks
from constructs import Construct

from portfolio.api.lambda_app import OPS_KEY
from portfolio.checks.restore_steps import RESULTS_KEY, STEP_KEY, ScratchTableBusy
from portfolio.checks.restore_sweep import SCRATCH_MARK

POLL = Duration.seconds(60)
MAX_POLLS = 120
"""Two hours of polling per table: the portfolio's tables restore in minutes."""
TIMEOUT = Duration.hours(5)
"""The whole execution: polls, steps and the cleanup's retries of every table."""
BUSY_ERROR = ScratchTableBusy.__name__
"""What a Lambda task reports as Error when cleanup raised ``ScratchTableBusy``."""
CLEANUP_INTERVAL = Duration.seconds(60)
CLEANUP_ATTEMPTS = 6
"""1 + 2 + ... + 32 minutes apart: about an hour for a copy still being created."""


def _invoke(
    scope: Construct,
    state_id: str,
    function: lambda_.IFunction,
    payload: dict[str, object],
    result_path: str | None = None,
) -> tasks.LambdaInvoke:
    """One invocation of the ops function; its answer replaces the state (or goes to
    ``result_path``)."""
    return tasks.LambdaInvoke(
        scope,
        state_id,
        lambda_function=function,
        payload=sfn.TaskInput.from_object(payload),
        payload_response_only=True,
        result_path=result_path,
        task_timeout=sfn.Timeout.duration(Duration.minutes(15)),
    )


class RestoreMachine(Construct):
    """``state_machine``: restore test per table, then the monthly checklist."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        function: lambda_.IFunction,
        tables: Sequence[dynamodb.ITable],
        log_retention_days: int,
        name: str,
    ) -> None:
        super().__init__(scope, construct_id)
        self.function = function
        self.table_names = [t.table_name for t in tables]
        self.cleanup = self._cleanup()
        per_table = self._start().next(
            sfn.Choice(self, "Started?")
            # No scratch table was made (no such table, no PITR): the start's result.
            .when(
                sfn.Condition.is_null("$.scratch"),
                sfn.Pass(self, "NothingToRestore", output_path="$.result"),
            )
            .otherwise(self._wait_loop())
        )
        each = sfn.Map(
            self,
            "EachTable",
            items_path="$.tables",
            item_selector={"table.$": "$$.Map.Item.Value", "at.$": "$$.Execution.StartTime"},
            max_concurrency=2,
            result_path=f"$.{RESULTS_KEY}",
        )
        each.item_processor(per_table)
        monthly = _invoke(self, "MonthlyChecklist", function, {
            OPS_KEY: "monthly", f"{RESULTS_KEY}.$": f"$.{RESULTS_KEY}",
        })  # fmt: skip
        self.log_group = logs.LogGroup(
            self,
            "Logs",
            log_group_name=f"/aws/vendedlogs/states/portfolio-ops-monthly{name}",
            removal_policy=RemovalPolicy.RETAIN,
        )
        cfn_log_group = self.log_group.node.default_child
        assert isinstance(cfn_log_group, logs.CfnLogGroup)  # noqa: S101 - CDK's own child
        cfn_log_group.retention_in_days = log_retention_days
        self.state_machine = sfn.StateMachine(
            self,
            "StateMachine",
            state_machine_name=f"portfolio-ops-monthly{name}",
            comment="Monthly checks: a restore test per table (a wait loop; the scratch"
            " copy deleted on every path), then the checklist with the results",
            definition_body=sfn.DefinitionBody.from_chainable(each.next(monthly)),
            timeout=TIMEOUT,
            tracing_enabled=True,
            logs=sfn.LogOptions(destination=self.log_group, level=sfn.LogLevel.ALL),
        )

    def _to_cleanup(self, state_id: str, *, verified: bool = False) -> sfn.Pass:
        """The fields cleanup reads, whichever path led here, then cleanup.

        Every field is present on every path (a missing one is a runtime error in
        JSONPath); empty values stand for "none": no result, no error, no start time.
        """
        parameters: dict[str, object] = {"table.$": "$.table", "at.$": "$.at"}
        if verified:
            parameters |= {"started.$": "$.started", "result.$": "$.result", "error": {}}
        elif state_id == "StartFailed":
            parameters |= {"started": 0, "result": {}, "error.$": "$.error"}
        else:
            parameters |= {"started.$": "$.started", "result": {}, "error.$": "$.error"}
        return sfn.Pass(self, state_id, parameters=parameters).next(self.cleanup)

    def _cleanup(self) -> tasks.LambdaInvoke:
        cleanup = _invoke(self, "Cleanup", self.function, {
            STEP_KEY: "cleanup",
            "table.$": "$.table",
            "at.$": "$.at",
            "started.$": "$.started",
            "result.$": "$.result",
            "error.$": "$.error",
        })  # fmt: skip
        cleanup.add_retry(
            errors=[BUSY_ERROR],
            interval=CLEANUP_INTERVAL,
            backoff_rate=2,
            max_attempts=CLEANUP_ATTEMPTS,
        )
        left = sfn.Pass(
            self,
            "CleanupFailed",
            parameters={
                "table.$": "$.table",
                "seconds": 0,
                "error.$": "States.Format('scratch table not deleted ({}); the next run"
                " sweeps it', $.cleanup_error.Error)",
                "basis": "",
            },
        )
        cleanup.add_catch(left, errors=["States.ALL"], result_path="$.cleanup_error")
        return cleanup

    def _start(self) -> tasks.LambdaInvoke:
        start = _invoke(self, "Start", self.function, {
            STEP_KEY: "start", "table.$": "$.table", "at.$": "$.at",
        })  # fmt: skip
        start.add_catch(
            self._to_cleanup("StartFailed"), errors=["States.ALL"], result_path="$.error"
        )
        return start

    def _wait_loop(self) -> sfn.IChainable:
        """Wait, DescribeTable, ACTIVE? verify : (MAX_POLLS reached? give up : again)."""
        stack = Stack.of(self)
        wait = sfn.Wait(self, "WaitForCopy", time=sfn.WaitTime.duration(POLL))
        describe = tasks.CallAwsService(
            self,
            "DescribeCopy",
            service="dynamodb",
            action="describeTable",
            parameters={"TableName.$": "$.scratch"},
            iam_resources=[
                stack.format_arn(
                    service="dynamodb", resource="table", resource_name=f"{t}{SCRATCH_MARK}*"
                )
                for t in self.table_names
            ],
            result_selector={"status.$": "$.Table.TableStatus"},
            result_path="$.copy",
        )
        describe.add_catch(
            self._to_cleanup("DescribeFailed"), errors=["States.ALL"], result_path="$.error"
        )
        verify = _invoke(self, "Verify", self.function, {
            STEP_KEY: "verify",
            "table.$": "$.table",
            "at.$": "$.at",
            "scratch.$": "$.scratch",
            "point.$": "$.point",
            "swept.$": "$.swept",
            "started.$": "$.started",
        }, result_path="$.result")  # fmt: skip
        verify.add_catch(
            self._to_cleanup("VerifyFailed"), errors=["States.ALL"], result_path="$.error"
        )
        verify.next(self._to_cleanup("Verified", verified=True))
        timed_out = sfn.Pass(
            self,
            "TimedOut",
            result=sfn.Result.from_object(
                {
                    "Error": "RestoreTimedOut",
                    "Cause": f"the restored copy was not ACTIVE after {MAX_POLLS} polls"
                    f" of {int(POLL.to_seconds())} s",
                }
            ),
            result_path="$.error",
        )
        timed_out.next(self._to_cleanup("TimedOutCleanup"))
        count = sfn.Pass(
            self,
            "CountPoll",
            parameters={"value.$": "States.MathAdd($.polls.value, 1)"},
            result_path="$.polls",
        )
        first = sfn.Pass(
            self,
            "FirstPoll",
            result=sfn.Result.from_object({"value": 0}),
            result_path="$.polls",
        )
        active = (
            sfn.Choice(self, "CopyActive?")
            .when(sfn.Condition.string_equals("$.copy.status", "ACTIVE"), verify)
            .when(sfn.Condition.number_greater_than_equals("$.polls.value", MAX_POLLS), timed_out)
            .otherwise(count.next(wait))
        )
        wait.next(describe).next(active)
        return first.next(wait)
