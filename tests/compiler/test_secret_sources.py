"""@secrets(sources=[...]) in Metaflow's dict form ({"type", "id", "options", "role"}) beside plain names: the
compiler's checks, the plan's split (names a target delivers, typed sources, inline ones the runtime sets), each
target's mapping or FLC401 naming the step, and inline secrets set by the task as under Metaflow."""

from __future__ import annotations

import json
import os

import pytest
import yaml
from hera.workflows.models import WorkflowTemplate

from flowc.compiler.api import compile_source
from flowc.compiler.cli import build_parser
from flowc.compiler.commands.compile import build
from flowc.compiler.plan import SecretSource, build_plan
from flowc.runtime import Run
from support.cli import flowc_in_process
from support.flows import flowc

ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf"
INLINE = '{"type": "inline", "id": "db", "options": {"env_vars": {"DB_TOKEN": "t0k3n"}}}'

FLOW = """\
import os

from metaflow import FlowSpec, secrets, step


class SecretFlow(FlowSpec):
    @secrets(sources=[{sources}])
    @step
    def start(self):
        self.token = os.environ.get("DB_TOKEN")
        self.next(self.end)

    @step
    def end(self):
        pass
"""


def flow_text(sources: str) -> str:
    return FLOW.format(sources=sources)


def write(tmp_path, sources: str):
    path = tmp_path / "secret_flow.py"
    path.write_text(flow_text(sources))
    return path


def compile_for(tmp_path, target: str, sources: str, *options: str):
    args = build_parser().parse_args(["compile", str(write(tmp_path, sources)), "--target", target, "-o",
                                      str(tmp_path / "out"), "--datastore", "s3://b/flowc", "--image", "img:1",
                                      *options])
    return build(args)


def test_the_plan_splits_names_typed_and_inline_sources():
    compiled = compile_source(flow_text(
        f'"plain", {{"id": "by-id"}}, {INLINE}, {{"type": "aws-secrets-manager", "id": "{ARN}"}}, '
        '{"id": "with-role", "role": "arn:aws:iam::1:role/r"}'), "secret_flow.py")
    assert compiled.ok, compiled.diagnostics
    start = build_plan(compiled.graph).task("start")
    assert start.secrets == ("plain", "by-id")
    assert start.typed_secrets == (SecretSource(type="aws-secrets-manager", id=ARN),
                                   SecretSource(id="with-role", role="arn:aws:iam::1:role/r"))


@pytest.mark.parametrize("source, problem", [
    ('{"type": "inline"}', "'id' must be a non-empty string"),
    ('{"id": "x", "kind": "inline"}', "key 'kind' is unknown"),
    ('{"id": "x", "options": ["a"]}', "'options' must be a dict"),
    ('{"id": "x", "role": 3}', "'role' must be a string"),
    ('{"type": "inline", "id": "x", "options": {"env_vars": {"1BAD": "v"}}}', "env_vars entry '1BAD'"),
    ('{"type": "inline", "id": "x", "options": {"env_vars": {"METAFLOW_USER": "v"}}}', "starts with METAFLOW_"),
    ('{"type": "inline", "id": "x", "options": {"env_vars": {"A": 1}}}', "with a string value"),
    ("3", "must be a list of secret names or {'type': ..., 'id': ...} dicts"),
])
def test_malformed_dict_sources_are_flc303(source, problem):
    compiled = compile_source(flow_text(source), "secret_flow.py")
    assert [d.code for d in compiled.diagnostics] == ["FLC303"]
    assert problem in compiled.diagnostics[0].message


def test_argo_delivers_names_and_id_dicts_and_refuses_typed_sources(tmp_path):
    status, _, files = compile_for(tmp_path, "argo", f'"plain", {{"id": "by-id"}}, {INLINE}')
    assert status == 0
    template = yaml.safe_load(next(iter(files.values())))
    WorkflowTemplate.model_validate(template, extra="forbid", by_alias=True, by_name=False)  # Argo's own model
    start = next(t for t in template["spec"]["templates"] if t["name"] == "step-start")
    assert start["container"]["envFrom"] == [{"secretRef": {"name": "plain"}}, {"secretRef": {"name": "by-id"}}]
    assert "t0k3n" not in json.dumps(template["spec"]["templates"][1:])  # inline values stay in the flow file

    status, _, files = compile_for(tmp_path, "argo", f'{{"type": "aws-secrets-manager", "id": "{ARN}"}}')
    assert status == 1 and not files


def test_refusals_name_the_step_and_the_source(tmp_path):
    path = write(tmp_path, f'{{"type": "gcp-secret-manager", "id": "db"}}, {{"id": "x", "role": "r"}}')
    done = flowc("compile", str(path), "-t", "argo", "-o", str(tmp_path / "out"), "--datastore", "s3://b/f",
                 "--image", "img:1")
    assert done.returncode == 1
    assert "@secrets source gcp-secret-manager:db: an Argo pod cannot receive it" in done.stderr
    assert "@secrets source default:x (role='r'): an Argo pod cannot receive it" in done.stderr
    assert done.stderr.count("def start") == 2


def test_step_functions_reads_an_aws_secrets_manager_dict_as_its_arn(tmp_path):
    status, _, files = compile_for(tmp_path, "stepfunctions", f'{{"type": "aws-secrets-manager", "id": "{ARN}"}}',
                                   "--job-queue", "q")
    assert status == 0
    jobs = json.loads(next(text for name, text in files.items() if name.endswith(".batch.json")))["jobDefinitions"]
    assert [j["containerProperties"].get("secrets") for j in jobs if "secrets" in j["containerProperties"]] == [
        [{"name": "DB_ABCDEF", "valueFrom": ARN}]]


def test_an_inline_secret_is_only_the_runtimes_business_on_airflow_bash(tmp_path):
    status, _, files = compile_for(tmp_path, "airflow", INLINE)
    assert status == 0 and "t0k3n" not in "".join(v for k, v in files.items() if k.endswith(".py") and "DAG" in v)


def run_here(tmp_path, path, run_id: str, env: dict):
    """`flowc run` from tmp_path (datastore .flowc/ there)."""
    env = {**{k: v for k, v in os.environ.items() if k != "FLOWC_DATASTORE"}, **env}
    return flowc_in_process(["run", str(path), "--run-id", run_id], tmp_path, env)


def test_inline_secrets_are_set_by_the_task(tmp_path):
    done = run_here(tmp_path, write(tmp_path, INLINE), "r1", {})
    assert done.returncode == 0, done.stderr
    assert Run("SecretFlow/r1", str(tmp_path / ".flowc"))["start"].task.data.token == "t0k3n"


def test_an_inline_secret_may_not_replace_a_variable_unless_allowed(tmp_path):
    path = write(tmp_path, INLINE)
    done = run_here(tmp_path, path, "r1", {"DB_TOKEN": "from the environment"})
    assert done.returncode == 1
    assert "@secrets: secret 'db' sets 'DB_TOKEN', which already exists in the environment" in done.stderr
    path.write_text(path.read_text().replace("@secrets(sources=[", "@secrets(allow_override=True, sources=["))
    done = run_here(tmp_path, path, "r2", {"DB_TOKEN": "from the environment"})
    assert done.returncode == 0, done.stderr
    assert Run("SecretFlow/r2", str(tmp_path / ".flowc"))["start"].task.data.token == "t0k3n"
