"""`flowc deploy --target stepfunctions`: the compiled files, created or updated with boto3, idempotently.

Order: the Batch job definitions (named by a hash of their contents: one that exists is the same, never
edited; a change is a new name), then the state machine (created, or updated when its definition or role
differ), then the schedule (created, or updated when any of its settings differ). Everything is read before
anything is written, so `dry_run` says exactly what a deploy would do. Credentials, region and endpoint come
from the environment as for the AWS CLI (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL, ...).
"""

from __future__ import annotations

import json
import os
from typing import Callable

from flowc.compiler.emit import DeployError


def deploy(files: dict[str, str], settings: dict, dry_run: bool, say: Callable[[str], None]) -> bool:
    clients = _Clients()
    changed = False
    for name in sorted(n.removesuffix(".asl.json") for n in files if n.endswith(".asl.json")):
        jobs = json.loads(files[f"{name}.batch.json"])["jobDefinitions"]
        changed |= _job_definitions(clients, jobs, dry_run, say)
        role = settings.get("role_arn")
        if not role:
            raise DeployError("--role-arn is required to deploy a state machine (the IAM role it runs as), "
                              "or set role-arn in [tool.flowc.stepfunctions]")
        arn, machine_changed = _state_machine(clients, name, files[f"{name}.asl.json"], role, dry_run, say)
        changed |= machine_changed
        if f"{name}.schedule.json" in files:
            changed |= _schedule(clients, json.loads(files[f"{name}.schedule.json"]), arn, dry_run, say)
    return changed


class _Clients:
    """boto3 clients whose failures become DeployError with a message (never a traceback)."""

    def __init__(self):
        try:
            import boto3
        except ImportError:
            raise DeployError("flowc deploy needs boto3: pip install 'flowc[stepfunctions]'") from None
        session = boto3.session.Session(region_name=os.environ.get("AWS_REGION") or None)
        if not session.region_name:
            raise DeployError("no AWS region: set AWS_REGION or AWS_DEFAULT_REGION (or a region in your AWS profile)")
        self.region = session.region_name
        self._session = session
        self._clients: dict = {}

    def call(self, service: str, operation: str, **kwargs):
        from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

        client = self._clients.get(service)
        if client is None:
            from botocore.config import Config

            client = self._session.client(service, config=Config(retries={"max_attempts": 3},
                                                                 connect_timeout=10, read_timeout=60))
            self._clients[service] = client
        try:
            return getattr(client, operation)(**kwargs)
        except NoCredentialsError:
            raise DeployError("no AWS credentials: configure them as for the AWS CLI (AWS_PROFILE, "
                              "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, ...)") from None
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            if code in ("ResourceNotFoundException", "StateMachineDoesNotExist"):
                raise
            message = error.response.get("Error", {}).get("Message", str(error))
            raise DeployError(f"AWS {service} {operation} failed: {code}: {message}") from None
        except BotoCoreError as error:
            raise DeployError(f"cannot reach AWS {service}: {error}") from None


def _job_definitions(clients: _Clients, jobs: list[dict], dry_run: bool, say) -> bool:
    changed = False
    for job in jobs:
        name = job["jobDefinitionName"]
        found = clients.call("batch", "describe_job_definitions", jobDefinitionName=name, status="ACTIVE")
        if found.get("jobDefinitions"):
            say(f"unchanged  job definition {name}")
            continue
        changed = True
        if dry_run:
            say(f"would register job definition {name}")
            continue
        clients.call("batch", "register_job_definition", **job)
        say(f"registered job definition {name}")
    return changed


def _state_machine(clients: _Clients, name: str, definition: str, role: str, dry_run: bool,
                   say) -> tuple[str, bool]:
    existing = _find_state_machine(clients, name)
    if existing is None:
        if dry_run:
            say(f"would create state machine {name}")
            return _arn(clients, name), True
        arn = clients.call("stepfunctions", "create_state_machine", name=name, definition=definition, roleArn=role,
                           type="STANDARD", tags=[{"key": "flowc:flow", "value": name}])["stateMachineArn"]
        say(f"created    state machine {name} ({arn})")
        return arn, True
    described = clients.call("stepfunctions", "describe_state_machine", stateMachineArn=existing)
    if described.get("definition") == definition and described.get("roleArn") == role:
        say(f"unchanged  state machine {name}")
        return existing, False
    if dry_run:
        say(f"would update state machine {name}")
        return existing, True
    clients.call("stepfunctions", "update_state_machine", stateMachineArn=existing, definition=definition,
                 roleArn=role)
    say(f"updated    state machine {name}")
    return existing, True


def _find_state_machine(clients: _Clients, name: str) -> str | None:
    token = None
    while True:
        page = clients.call("stepfunctions", "list_state_machines", **({"nextToken": token} if token else {}))
        for machine in page.get("stateMachines", []):
            if machine["name"] == name:
                return machine["stateMachineArn"]
        token = page.get("nextToken")
        if not token:
            return None


def _arn(clients: _Clients, name: str) -> str:
    account = clients.call("sts", "get_caller_identity")["Account"]
    return f"arn:aws:states:{clients.region}:{account}:stateMachine:{name}"


SCHEDULE_FIELDS = ("ScheduleExpression", "ScheduleExpressionTimezone", "FlexibleTimeWindow", "State", "Target")


def _schedule(clients: _Clients, document: dict, machine_arn: str, dry_run: bool, say) -> bool:
    from botocore.exceptions import ClientError

    target = dict(document["Target"])
    target.pop("StateMachineName")
    target["Arn"] = machine_arn
    if "RoleArn" not in target:
        raise DeployError("--schedule-role-arn is required to deploy a schedule (the IAM role EventBridge "
                          "Scheduler starts executions with), or set schedule-role-arn in [tool.flowc.stepfunctions]")
    wanted = {**{k: document[k] for k in SCHEDULE_FIELDS if k != "Target"}, "Target": target}
    name = document["Name"]
    try:
        current = clients.call("scheduler", "get_schedule", Name=name)
    except ClientError:
        current = None
    if current is not None and all(_same(current.get(k), v) for k, v in wanted.items()):
        say(f"unchanged  schedule {name}")
        return False
    action = "create" if current is None else "update"
    if dry_run:
        say(f"would {action} schedule {name} ({document['ScheduleExpression']} {document['ScheduleExpressionTimezone']})")
        return True
    clients.call("scheduler", f"{action}_schedule", Name=name, **wanted)
    say(f"{action}d    schedule {name} ({document['ScheduleExpression']} {document['ScheduleExpressionTimezone']})")
    return True


def _same(current, wanted) -> bool:
    """Does the service's value hold what we would set (it may add fields of its own, such as defaults)?"""
    if isinstance(wanted, dict):
        return isinstance(current, dict) and all(_same(current.get(k), v) for k, v in wanted.items())
    return current == wanted
