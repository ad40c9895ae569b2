"""Executing emitted state machines in moto's Step Functions (a local moto server on 127.0.0.1), with every
Batch job running the real task command against the same server's S3.

moto 5.2.5 interprets ASL (Pass, Task, Choice, Parallel, inline and Distributed Map with ItemReader, Retry,
TimeoutSeconds, intrinsics, the context object), but two of its service integrations fall short of AWS:
- `batch:submitJob.sync` never runs a job (moto's Batch without Docker has nothing to run it on, and its
  `.sync` poller fails or, on a retried attempt, reports a timeout at once). The test-only handler below
  stands in for AWS Batch: it runs the job's ContainerOverrides.Command, with its Environment, as a process
  (forked from a warm one: jobrunner.py), and fails the Task (States.TaskFailed) when it exits non-zero, as
  Batch does.
- `aws-sdk:s3:getObject` leaves `Body` as a stream; AWS returns the object's text. The handler reads it.
Everything else (the definition, the data flow, the ItemReader, the Choice, retries) is moto's own.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import boto3

from support.s3 import local_s3_server

CONFIG = {"stepfunctions": {"execute_state_machine": True}, "batch": {"use_docker": False}}
ROLE = "arn:aws:iam::123456789012:role/flowc-test"


@contextmanager
def moto_step_functions(work: Path, job_env: dict | None = None):
    """A moto server running state machines whose Batch jobs run here, in `work`. Yields a `Runner`."""
    import urllib.request

    with local_s3_server() as env:
        port = env["AWS_ENDPOINT_URL"].rsplit(":", 1)[1]
        saved = {k: os.environ.get(k) for k in [*env, "MOTO_PORT"]}
        os.environ.update(env, MOTO_PORT=port)  # moto's own clients (ItemReader, aws-sdk tasks) find it
        request = urllib.request.Request(f"{env['AWS_ENDPOINT_URL']}/moto-api/config", method="POST",
                                         data=json.dumps(CONFIG).encode(), headers={"Content-Type": "application/json"})
        urllib.request.urlopen(request).read()
        try:
            with _batch_runs_jobs_here(work, {**env, **(job_env or {})}):
                yield Runner(env)
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value


class Runner:
    def __init__(self, env: dict):
        self.env = env
        self.sfn = boto3.client("stepfunctions", endpoint_url=env["AWS_ENDPOINT_URL"], region_name="us-east-1")
        self.s3 = boto3.client("s3", endpoint_url=env["AWS_ENDPOINT_URL"], region_name="us-east-1")

    def bucket(self, name: str) -> None:
        self.s3.create_bucket(Bucket=name)

    def execute(self, definition: str, run_id: str, params: dict | None = None, timeout: float = 600) -> dict:
        """Create the state machine, run one execution named `run_id`; its description and history."""
        name = f"m-{uuid.uuid4().hex[:12]}"
        arn = self.sfn.create_state_machine(name=name, definition=definition, roleArn=ROLE)["stateMachineArn"]
        execution = self.sfn.start_execution(stateMachineArn=arn, name=run_id,
                                             input=json.dumps(params or {}))["executionArn"]
        deadline = time.monotonic() + timeout
        while True:
            described = self.sfn.describe_execution(executionArn=execution)
            if described["status"] != "RUNNING" or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        events = self.sfn.get_execution_history(executionArn=execution, maxResults=1000)["events"]
        return {"status": described["status"], "output": described.get("output"), "events": events,
                "error": described.get("error"), "cause": described.get("cause")}


# The test-only stand-in for AWS Batch ------------------------------------------------------------------------

JOBS: list[dict] = []  # every job run, in order: {"name", "command", "exit_code", "stderr"}


@contextmanager
def _batch_runs_jobs_here(work: Path, env: dict):
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
        state_task_service_aws_sdk as aws_sdk, state_task_service_batch as batch)

    runner = JobRunner(work, env)
    patched = [(batch.StateTaskServiceBatch, "_eval_service_task", _run_job(runner, env)),
               (batch.StateTaskServiceBatch, "_eval_integration_pattern", _job_already_finished),
               (aws_sdk.StateTaskServiceAwsSdk, "_eval_service_task",
                _body_as_text(aws_sdk.StateTaskServiceAwsSdk._eval_service_task))]
    saved = [(cls, name, cls.__dict__.get(name)) for cls, name, _ in patched]  # None: inherited
    for cls, name, function in patched:
        setattr(cls, name, function)
    JOBS.clear()
    try:
        yield
    finally:
        runner.close()
        for cls, name, function in saved:
            if function is None:
                delattr(cls, name)
            else:
                setattr(cls, name, function)


class JobRunner:
    """The client of jobrunner.py: runs a job's command in a forked warm child; thread-safe."""

    def __init__(self, work: Path, env: dict):
        self.work = work
        self.process = subprocess.Popen([sys.executable, str(Path(__file__).with_name("jobrunner.py"))],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, env={**os.environ, **env})
        self.lock = threading.Lock()
        self.waiting: dict[str, list] = {}
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def run(self, argv: list[str], env: dict) -> tuple[int, str]:
        """(exit code, stderr) of the command."""
        job = uuid.uuid4().hex
        logs = self.work / "jobs" / job
        logs.mkdir(parents=True)
        done = threading.Event()
        with self.lock:
            self.waiting[job] = [done, None]
            request = {"id": job, "argv": argv, "env": env, "cwd": str(self.work),
                       "stdout": str(logs / "stdout"), "stderr": str(logs / "stderr")}
            self.process.stdin.write((json.dumps(request) + "\n").encode())
            self.process.stdin.flush()
        done.wait()
        return self.waiting.pop(job)[1], (logs / "stderr").read_text()

    def _read(self) -> None:
        for line in self.process.stdout:
            answer = json.loads(line)
            slot = self.waiting[answer["id"]]
            slot[1] = answer["exit_code"]
            slot[0].set()

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=60)


def _run_job(runner: JobRunner, base_env: dict):
    def run(self, env, resource_runtime_part, normalised_parameters, state_credentials):
        overrides = normalised_parameters.get("ContainerOverrides", {})
        variables = {(e.get("Name") or e.get("name")): (e.get("Value") or e.get("value") or "")
                     for e in overrides.get("Environment", [])}
        command = overrides["Command"]
        exit_code, stderr = runner.run(command, {**os.environ, **base_env, **variables})
        job = {"name": normalised_parameters["JobName"], "command": command, "exit_code": exit_code,
               "stderr": stderr, "definition": normalised_parameters["JobDefinition"],
               "queue": normalised_parameters["JobQueue"], "environment": variables,
               "timeout": normalised_parameters.get("Timeout"),
               "resources": overrides.get("ResourceRequirements")}
        JOBS.append(job)
        if exit_code != 0:
            raise _task_failed(self, env, job)
        env.stack.append({"JobId": uuid.uuid4().hex, "JobName": job["name"], "Status": "SUCCEEDED",
                          "Container": {"ExitCode": 0}})
    return run


def _job_already_finished(self, env, resource_runtime_part, normalised_parameters, state_credentials):
    """`.sync`: the job ran to its end in _run_job; its description is on the stack already."""


def _task_failed(service, env, job: dict):
    from moto.stepfunctions.parser.api import HistoryEventType, TaskFailedEventDetails
    from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import (
        FailureEvent, FailureEventException)
    from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name import StatesErrorName
    from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name_type import (
        StatesErrorNameType)
    from moto.stepfunctions.parser.asl.eval.event.event_detail import EventDetails

    cause = json.dumps({"JobName": job["name"], "Status": "FAILED",
                        "Container": {"ExitCode": job["exit_code"], "Reason": job["stderr"][-2000:]}})
    return FailureEventException(FailureEvent(
        env=env, error_name=StatesErrorName(typ=StatesErrorNameType.StatesTaskFailed),
        event_type=HistoryEventType.TaskFailed,
        event_details=EventDetails(taskFailedEventDetails=TaskFailedEventDetails(
            resource=service._get_sfn_resource(), resourceType=service._get_sfn_resource_type(),
            error=StatesErrorNameType.StatesTaskFailed.to_name(), cause=cause))))


def _body_as_text(original):
    def call(self, env, *args, **kwargs):
        original(self, env, *args, **kwargs)
        response = env.stack[-1]
        if isinstance(response, dict) and hasattr(response.get("Body"), "read"):
            response["Body"] = response["Body"].read().decode()
    return call
