"""Every AWS call a piece of code makes, as IAM sees it: (action, resource ARNs).

moto (and DynamoDB Local) enforce no resource-level IAM, so a missing grant is invisible
to an end-to-end run. This recorder hooks every botocore client created while it is
active (``provide-client-params`` sees the call's own parameters, ``before-call`` may
answer instead of the service) and keeps each call with the ARNs that the Service
Authorization Reference says the action is authorized against (see ``arns``). With a
``decide`` function it also plays IAM: a call it refuses gets AccessDenied, as on an
account, before any request leaves the process.

Issue 22 reuses it to prove that a staging run touches only staging's resources.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import botocore.session
from botocore.awsrequest import AWSResponse

from tests.permissions.arns import Account, Call, build_call

Decide = Callable[[Call], bool]
"""True when the call is allowed."""


@dataclass
class Recording:
    """The calls made while recording, in order, and those refused."""

    calls: list[Call] = field(default_factory=list)
    denied: list[Call] = field(default_factory=list)
    parameters: list[dict[str, Any]] = field(default_factory=list)
    """Each call's own parameters, in the order of ``calls``: names a call carries
    outside its ARNs (a CloudWatch dimension, a load balancer's name) are here."""

    def pairs(self) -> set[tuple[str, str]]:
        """Each distinct (action, ARN) the code touched."""
        return {(c.action, arn) for c in self.calls for arn in c.resources}

    def actions(self) -> set[str]:
        return {c.action for c in self.calls}


_CONTEXT_KEY = "portfolio_permission_call"


def _hook(client: Any, account: Account, recording: Recording, decide: Decide | None) -> None:
    region = client.meta.region_name
    signing = client.meta.service_model.signing_name

    def on_params(params: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
        call = build_call(signing, model.name, params, region=region, account=account)
        recording.calls.append(call)
        recording.parameters.append(params)
        context[_CONTEXT_KEY] = call

    def before_call(context: dict[str, Any], **_: Any) -> Any:
        call = context.get(_CONTEXT_KEY)
        if decide is None or call is None or decide(call):
            return None
        recording.denied.append(call)
        body = {
            "Error": {
                "Code": "AccessDeniedException",
                "Message": f"not authorized: {call}",
            },
            "ResponseMetadata": {"HTTPStatusCode": 400, "MaxAttemptsReached": True},
        }
        return AWSResponse("https://denied.invalid/", 400, {}, None), body

    events = client.meta.events
    events.register("provide-client-params.*.*", on_params)
    events.register("before-call.*.*", before_call)


@contextmanager
def recording_calls(account: Account, decide: Decide | None = None) -> Iterator[Recording]:
    """Record (and, given ``decide``, authorize) the calls of every client made inside."""
    recording = Recording()
    original = botocore.session.Session.create_client

    def create_client(self: Any, *args: Any, **kwargs: Any) -> Any:
        client = original(self, *args, **kwargs)
        _hook(client, account, recording, decide)
        return client

    botocore.session.Session.create_client = create_client  # type: ignore[method-assign]
    try:
        yield recording
    finally:
        botocore.session.Session.create_client = original  # type: ignore[method-assign]
