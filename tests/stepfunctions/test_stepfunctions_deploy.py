"""`flowc deploy --target stepfunctions` against a local moto server: create, update, a second deploy that
changes nothing, a dry run, and clear errors (exit 2, no traceback) for an unreachable endpoint or no
credentials."""

from __future__ import annotations

import json
import os

import boto3
import pytest
from support.flows import REPO, flowc
from support.s3 import local_s3_server

FLOW = REPO / "tests" / "stepfunctions" / "flows" / "batch_settings.py"
ROLE = "arn:aws:iam::123456789012:role/flowc-sfn"
SCHEDULER_ROLE = "arn:aws:iam::123456789012:role/flowc-scheduler"
ARGS = ("-t", "stepfunctions", "--datastore", "s3://flowc-deploy/store", "--image", "registry.example/flows:1",
        "--job-queue", "jobs", "--role-arn", ROLE, "--schedule-role-arn", SCHEDULER_ROLE)


@pytest.fixture(scope="module")
def aws():
    with local_s3_server() as env:
        yield {**os.environ, **env}


def deploy(env: dict, *extra: str):
    return flowc("deploy", str(FLOW), *ARGS, *extra, env=env)


def clients(env: dict):
    return {name: boto3.client(name, endpoint_url=env["AWS_ENDPOINT_URL"], region_name=env["AWS_DEFAULT_REGION"],
                               aws_access_key_id="testing", aws_secret_access_key="testing")
            for name in ("batch", "stepfunctions", "scheduler")}


def actions(done) -> list[str]:
    return [line for line in done.stderr.splitlines() if line.split(" ")[0] in
            ("would", "registered", "created", "updated", "unchanged")]


def test_deploy_creates_updates_and_then_changes_nothing(aws, tmp_path):
    aws_clients = clients(aws)
    out = ("-o", str(tmp_path))  # the folder `flowc compile` writes to, named in the files' header
    dry = deploy(aws, *out, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert [a.split(" ")[:3] for a in actions(dry)] == [["would", "register", "job"]] * 2 + [
        ["would", "create", "state"], ["would", "create", "schedule"]]
    assert aws_clients["stepfunctions"].list_state_machines()["stateMachines"] == []  # a dry run changes nothing

    created = deploy(aws, *out)
    assert created.returncode == 0, created.stderr
    assert [a.split()[0] for a in actions(created)] == ["registered", "registered", "created", "created"]
    machine = aws_clients["stepfunctions"].list_state_machines()["stateMachines"][0]
    described = aws_clients["stepfunctions"].describe_state_machine(stateMachineArn=machine["stateMachineArn"])
    compiled = flowc("compile", str(FLOW), *ARGS, *out)
    assert compiled.returncode == 0
    assert described["definition"] == (tmp_path / "BatchSettingsFlow.asl.json").read_text()  # what compile writes
    assert described["roleArn"] == ROLE
    jobs = json.loads((tmp_path / "BatchSettingsFlow.batch.json").read_text())["jobDefinitions"]
    for job in jobs:
        found = aws_clients["batch"].describe_job_definitions(jobDefinitionName=job["jobDefinitionName"])
        assert found["jobDefinitions"][0]["containerProperties"]["image"] == job["containerProperties"]["image"]
    schedule = aws_clients["scheduler"].get_schedule(Name="BatchSettingsFlow")
    assert schedule["ScheduleExpression"] == "cron(0 0 ? * 1 *)"
    assert schedule["ScheduleExpressionTimezone"] == "America/New_York"
    assert schedule["Target"]["Arn"] == machine["stateMachineArn"] and schedule["Target"]["RoleArn"] == SCHEDULER_ROLE

    again = deploy(aws, *out)
    assert again.returncode == 0
    assert [a.split()[0] for a in actions(again)] == ["unchanged"] * 4
    assert "nothing changed" in again.stderr

    changed = deploy(aws, *out, "--image", "registry.example/flows:2")
    assert changed.returncode == 0, changed.stderr
    assert sorted(a.split()[0] for a in actions(changed)) == ["registered", "unchanged", "unchanged", "updated"]
    definition = aws_clients["stepfunctions"].describe_state_machine(
        stateMachineArn=machine["stateMachineArn"])["definition"]
    assert "registry.example/flows:2" not in json.dumps(json.loads(definition)["States"])  # it is in the job definition
    start = json.loads(definition)["States"]["start"]["Parameters"]["JobDefinition"]
    assert start not in {j["jobDefinitionName"] for j in jobs}  # a new job definition, never an edited one
    assert [a.split()[0] for a in actions(deploy(aws, *out, "--image", "registry.example/flows:2"))] == ["unchanged"] * 4


def test_an_unreachable_endpoint_is_a_clear_usage_error(aws):
    done = deploy({**aws, "AWS_ENDPOINT_URL": "http://127.0.0.1:9"})
    assert done.returncode == 2
    assert "cannot reach AWS batch" in done.stderr and "Traceback" not in done.stderr


def test_missing_credentials_are_a_clear_usage_error(aws, tmp_path):
    env = {k: v for k, v in aws.items() if not k.startswith("AWS_") or k in ("AWS_ENDPOINT_URL", "AWS_DEFAULT_REGION")}
    env.update(AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "none"), AWS_CONFIG_FILE=str(tmp_path / "none"),
               AWS_EC2_METADATA_DISABLED="true")
    done = deploy(env)
    assert done.returncode == 2
    assert "no AWS credentials" in done.stderr and "Traceback" not in done.stderr


def test_deploy_needs_the_state_machine_role(aws):
    args = [a for a in ARGS if a != ROLE and a != "--role-arn"]
    done = flowc("deploy", str(FLOW), *args, "--dry-run", env=aws)
    assert done.returncode == 2 and "--role-arn is required" in done.stderr


def test_a_target_without_deploy_says_so(aws):
    done = flowc("deploy", str(REPO / "examples" / "hello.py"), "-t", "argo", "--datastore", "s3://b/p",
                 "--image", "i:1", env=aws)
    assert done.returncode == 2 and "does not support target 'argo'" in done.stderr
