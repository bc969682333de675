"""A role's policy from a synthesized template, made concrete, and IAM's decision on a call.

The template's statements hold references (``Ref``, ``Fn::GetAtt``, ``Fn::Join``,
``Fn::Sub``, pseudo parameters); ``resolve`` turns them into the ARNs the test's
account would have: each resource's name is its binding (the name of the test's stand-in
for it) or its name property, else its logical id, which stands for
the name CloudFormation would generate. ``decide`` follows IAM's evaluation logic for
identity policies: an explicit Deny wins, then any Allow, else implicitly denied;
Action/NotAction and Resource/NotResource with ``*`` and ``?`` wildcards (actions
case-insensitive, resources not), and the string conditions the calls carry.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from tests.permissions.arns import FREE, Account, Call, Need

NAME_PROPERTIES = {
    "AWS::DynamoDB::Table": "TableName",
    "AWS::S3::Bucket": "BucketName",
    "AWS::SNS::Topic": "TopicName",
    "AWS::Logs::LogGroup": "LogGroupName",
    "AWS::IAM::Role": "RoleName",
    "AWS::Lambda::Function": "FunctionName",
    "AWS::SecretsManager::Secret": "Name",
    "AWS::ECS::Cluster": "ClusterName",
}


@dataclass(frozen=True)
class Template:
    """One stack's template, resolved in one account and region."""

    body: Mapping[str, Any]
    region: str
    account: Account = field(default_factory=Account)
    bindings: Mapping[str, str] = field(default_factory=dict)
    """Logical id → the physical name of the test's stand-in for that resource."""

    def _resources(self) -> Mapping[str, Any]:
        resources: Mapping[str, Any] = self.body["Resources"]
        return resources

    def name_of(self, logical_id: str) -> str:
        if logical_id in self.bindings:
            return self.bindings[logical_id]
        body = self._resources()[logical_id]
        prop = NAME_PROPERTIES.get(body["Type"])
        value = body.get("Properties", {}).get(prop) if prop else None
        return str(self.resolve(value)) if value is not None else logical_id

    def _arn(self, service: str, resource: str, *, region: bool = True) -> str:
        where = self.region if region else ""
        return f"arn:{self.account.partition}:{service}:{where}:{self.account.id}:{resource}"

    def ref(self, logical_id: str) -> str:
        pseudo = {
            "AWS::AccountId": self.account.id,
            "AWS::Partition": self.account.partition,
            "AWS::Region": self.region,
            "AWS::URLSuffix": "amazonaws.com",
        }
        if logical_id in pseudo:
            return pseudo[logical_id]
        kind = self._resources()[logical_id]["Type"]
        name = self.name_of(logical_id)
        if kind == "AWS::SNS::Topic":
            return self._arn("sns", name)
        if kind == "AWS::SecretsManager::Secret":
            return self._arn("secretsmanager", f"secret:{name}-AbCdEf")
        return name

    def get_att(self, logical_id: str, attribute: str) -> str:
        kind = self._resources()[logical_id]["Type"]
        name = self.name_of(logical_id)
        arns = {
            "AWS::DynamoDB::Table": lambda: self._arn("dynamodb", f"table/{name}"),
            "AWS::S3::Bucket": lambda: f"arn:{self.account.partition}:s3:::{name}",
            "AWS::Logs::LogGroup": lambda: self._arn("logs", f"log-group:{name}:*"),
            "AWS::IAM::Role": lambda: self._arn("iam", f"role/{name}", region=False),
            "AWS::Lambda::Function": lambda: self._arn("lambda", f"function:{name}"),
            "AWS::ECS::Cluster": lambda: self._arn("ecs", f"cluster/{name}"),
        }
        if attribute != "Arn" or kind not in arns:
            raise KeyError(f"no rule for Fn::GetAtt {kind}.{attribute}")
        return arns[kind]()

    def resolve(self, value: Any) -> Any:
        """The value with every intrinsic function replaced by its concrete result."""
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if not isinstance(value, Mapping):
            return value
        if set(value) == {"Ref"}:
            return self.ref(value["Ref"])
        if set(value) == {"Fn::GetAtt"}:
            logical_id, attribute = value["Fn::GetAtt"]
            return self.get_att(logical_id, attribute)
        if set(value) == {"Fn::Join"}:
            separator, parts = value["Fn::Join"]
            return str(separator).join(str(self.resolve(p)) for p in parts)
        if set(value) == {"Fn::Sub"}:
            text = value["Fn::Sub"]
            return re.sub(r"\$\{([^}]+)\}", lambda m: self._sub(m.group(1)), str(text))
        return {k: self.resolve(v) for k, v in value.items()}

    def _sub(self, name: str) -> str:
        if "." in name:
            logical_id, attribute = name.split(".", 1)
            return self.get_att(logical_id, attribute)
        return self.ref(name)

    def environment(self, logical_id: str) -> dict[str, Any]:
        """The environment of a task definition's first container or of a function."""
        properties = self._resources()[logical_id]["Properties"]
        if "ContainerDefinitions" in properties:
            pairs = properties["ContainerDefinitions"][0].get("Environment", [])
            return {p["Name"]: p["Value"] for p in pairs}
        return dict(properties.get("Environment", {}).get("Variables", {}))

    def of_type(self, kind: str) -> dict[str, Mapping[str, Any]]:
        return {
            lid: body.get("Properties", {})
            for lid, body in self._resources().items()
            if body["Type"] == kind
        }

    def role_policy(self, role_id: str) -> Policy:
        """Every statement of the policies attached to the role with logical id ``role_id``."""
        statements: list[Mapping[str, Any]] = []
        for body in self._resources().values():
            if body["Type"] != "AWS::IAM::Policy":
                continue
            roles = body["Properties"].get("Roles", [])
            if {"Ref": role_id} in roles:
                statements.extend(self.resolve(body["Properties"]["PolicyDocument"]["Statement"]))
        return Policy(tuple(statements))


def _listed(value: Any) -> list[str]:
    return [str(v) for v in (value if isinstance(value, list) else [value])]


@lru_cache(maxsize=4096)
def _pattern(glob: str, ignore_case: bool) -> re.Pattern[str]:
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in glob)
    return re.compile(f"^{body}$", re.IGNORECASE if ignore_case else 0)


def matches(glob: str, value: str, *, ignore_case: bool = False) -> bool:
    """IAM's wildcard match: ``*`` any run of characters, ``?`` one character."""
    return _pattern(glob, ignore_case).match(value) is not None


CONDITIONS = {
    "StringEquals": lambda want, got: want == got,
    "StringLike": lambda want, got: matches(want, got),
}


@dataclass(frozen=True)
class Policy:
    """Resolved statements of one principal."""

    statements: tuple[Mapping[str, Any], ...]

    def without(self, sid: str, *, resource: str | None = None) -> Policy:
        """This policy less one statement (or less one resource of it): for the tests
        that prove a grant is needed."""
        kept: list[Mapping[str, Any]] = []
        for statement in self.statements:
            if statement.get("Sid") != sid:
                kept.append(statement)
            elif resource is not None:
                rest = [r for r in _listed(statement["Resource"]) if r != resource]
                if rest:
                    kept.append({**statement, "Resource": rest})
        if len(kept) == len(self.statements) and resource is None:
            raise KeyError(f"no statement {sid}")
        return Policy(tuple(kept))

    def _applies(self, statement: Mapping[str, Any], need: Need) -> bool:
        if "Action" in statement:
            acts = any(
                matches(a, need.action, ignore_case=True) for a in _listed(statement["Action"])
            )
        else:
            acts = not any(
                matches(a, need.action, ignore_case=True) for a in _listed(statement["NotAction"])
            )
        if not acts:
            return False
        if "Resource" in statement:
            on = any(matches(r, need.resource) for r in _listed(statement["Resource"]))
        else:
            on = not any(matches(r, need.resource) for r in _listed(statement["NotResource"]))
        return on and self._conditions_hold(statement.get("Condition", {}), dict(need.context))

    @staticmethod
    def _conditions_hold(conditions: Mapping[str, Any], context: Mapping[str, str]) -> bool:
        for operator, keys in conditions.items():
            test = CONDITIONS.get(operator)
            if test is None:
                return False  # an operator we cannot evaluate never grants
            for key, wanted in keys.items():
                got = context.get(key)
                if got is None or not any(test(w, got) for w in _listed(wanted)):
                    return False
        return True

    def allows(self, need: Need) -> bool:
        if need.action in FREE:
            return True
        applying = [s for s in self.statements if self._applies(s, need)]
        if any(s["Effect"] == "Deny" for s in applying):
            return False
        return any(s["Effect"] == "Allow" for s in applying)

    def decide(self, call: Call) -> bool:
        """IAM's answer to the whole call: every (action, resource) it needs is allowed."""
        return call.known and all(self.allows(n) for n in call.needs)

    def granted_actions(self) -> set[str]:
        return {
            a
            for s in self.statements
            if s["Effect"] == "Allow" and "Action" in s
            for a in _listed(s["Action"])
        }

    def statement_ids(self) -> list[str]:
        return [str(s["Sid"]) for s in self.statements if "Sid" in s]


def denied(policy: Policy, calls: Iterable[Call]) -> list[Call]:
    return [c for c in calls if not policy.decide(c)]
