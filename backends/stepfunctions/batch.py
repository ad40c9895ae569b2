"""The AWS Batch job definitions a state machine names: one per distinct container shape.

A job's image, roles, secrets and Linux settings cannot be overridden when it is submitted, so each distinct
combination of them is a job definition, named after the state machine and a hash of its contents (the same
settings give the same name; a change gives a new one, never a silent edit). What can be overridden (the
command, environment, CPU, memory, GPUs) is set per step by the state machine. Each document is a
`RegisterJobDefinition` request.
"""

from __future__ import annotations

import hashlib
import json
import re

from flowc.compiler.emit import EmitOptions, OptionError, Problems
from flowc.compiler.plan import Plan, TaskSpec

DEFAULT_REQUIREMENTS = ({"type": "VCPU", "value": "1"}, {"type": "MEMORY", "value": "4096"})  # Metaflow's defaults
TMPFS_PATH = "/metaflow_temp"  # where @batch(use_tmpfs=True) mounts, as in Metaflow
SECRET_ARN = re.compile(r"^arn:aws[a-z-]*:(secretsmanager|ssm):[^:]*:[0-9]*:(secret:|parameter/)(.+)$")
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def s3_location(uri: str) -> tuple[str, str]:
    """(bucket, prefix) of an s3:// datastore: Batch jobs need a shared store, the state machine reads it."""
    bucket, _, prefix = uri[len("s3://"):].partition("/") if uri.startswith("s3://") else ("", "", "")
    if not bucket:
        raise OptionError("Step Functions runs steps as AWS Batch jobs and reads their control values from S3: "
                          f"--datastore must be s3://bucket/prefix (got {uri!r})")
    return bucket, prefix.strip("/")


class JobDefinitions:
    def __init__(self, plan: Plan, options: EmitOptions, machine: str, problems: Problems):
        self.by_step: dict[str, str] = {}
        self.documents: dict[str, dict] = {}
        base = re.sub(r"[^A-Za-z0-9_-]", "_", machine)[:100]
        missing_queue = [t.step for t in plan.tasks if not (t.batch and t.batch.queue)]
        if missing_queue and not options.get("job_queue"):
            raise OptionError(f"--job-queue is required for stepfunctions (the AWS Batch job queue steps run in), "
                              f"unless every step has @batch(queue=...); {missing_queue[0]!r} has none")
        for task in plan.tasks:
            properties = _container(task, options, problems)
            digest = hashlib.sha256(json.dumps(properties, sort_keys=True).encode()).hexdigest()[:10]
            name = f"{base}-{digest}"
            self.by_step[task.step] = name
            self.documents[name] = {
                "jobDefinitionName": name, "type": "container", "platformCapabilities": ["EC2"],
                "containerProperties": properties,
                "retryStrategy": {"attempts": 1},  # Step Functions retries (the attempt is its retry count)
                "propagateTags": True, "tags": {"flowc:flow": plan.flow},
            }

    def name_for(self, task: TaskSpec) -> str:
        return self.by_step[task.step]

    def document(self, banner: str) -> str:
        body = {"Comment": banner, "jobDefinitions": [self.documents[n] for n in sorted(self.documents)]}
        return json.dumps(body, indent=1, ensure_ascii=False) + "\n"


def _container(task: TaskSpec, options: EmitOptions, problems: Problems) -> dict:
    batch = task.batch
    properties: dict = {"image": task.image or options.image, "resourceRequirements": list(DEFAULT_REQUIREMENTS)}
    job_role = (batch and batch.iam_role) or options.get("job_role_arn")
    if job_role:
        properties["jobRoleArn"] = job_role
    execution_role = (batch and batch.execution_role) or options.get("execution_role_arn")
    if execution_role:
        properties["executionRoleArn"] = execution_role
    sources = [*task.secrets, *(s.id for s in task.typed_secrets)]  # base.py let through only what Batch reads
    secrets = [_secret(task, source, problems) for source in sources]
    if secrets:
        properties["secrets"] = [s for s in secrets if s]
    linux = _linux_parameters(task)
    if linux:
        properties["linuxParameters"] = linux
    return properties


def _secret(task: TaskSpec, source: str, problems: Problems) -> dict | None:
    """A Batch secret: an environment variable read from Secrets Manager or SSM Parameter Store. `NAME=ARN`
    names the variable; a bare ARN is named after the JSON key it selects, or the secret/parameter name."""
    name, arn = source.split("=", 1) if "=" in source.split("arn:", 1)[0] else ("", source)
    match = SECRET_ARN.match(arn)
    if not match:
        problems.add(task.step, f"@secrets: AWS Batch reads secrets from Secrets Manager or SSM Parameter Store "
                                f"ARNs; {source!r} is neither",
                     help="give an ARN (arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME), optionally as "
                          "ENV_NAME=ARN")
        return None
    if not name:
        service, _, rest = match.groups()
        parts = rest.split(":")
        base = rest.rsplit("/", 1)[-1] if service == "ssm" else (parts[1] if len(parts) > 1 and parts[1] else parts[0])
        name = re.sub(r"[^A-Za-z0-9_]", "_", base).upper()
    if not ENV_NAME.match(name):
        problems.add(task.step, f"@secrets: {name!r} is not an environment variable name",
                     help="name it: ENV_NAME=ARN")
        return None
    return {"name": name, "valueFrom": arn}


def _linux_parameters(task: TaskSpec) -> dict:
    batch, resources = task.batch, task.resources
    linux: dict = {}
    if resources.shared_memory_mb:
        linux["sharedMemorySize"] = int(resources.shared_memory_mb)
    if batch and batch.use_tmpfs:
        size = batch.tmpfs_size or (resources.memory_mb or 4096) / 2
        linux["tmpfs"] = [{"containerPath": TMPFS_PATH, "size": int(size)}]
    if batch and batch.max_swap is not None:
        linux["maxSwap"] = int(batch.max_swap)
    if batch and batch.swappiness is not None:
        linux["swappiness"] = int(batch.swappiness)
    return linux
