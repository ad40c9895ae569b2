"""What a real Argo cluster would refuse or run otherwise is a compile error or is emitted as Argo needs it:
names (CronWorkflow length, `depends` keywords, parameter names, Kubernetes labels, annotations and
environment names), strings Argo would substitute again, @secrets that are not Secret names, and pods
that production clusters admit (default requests, memory volumes, a writable control folder, bounded
fan-out, GC, TTL, security context, a flow-wide secret, an exit handler, cron history)."""

from __future__ import annotations

import textwrap

import yaml
from argo_schema import schema_problems
from depends_grammar import depends_problem
from interpreter import Interpreter
from support.artifacts import final_artifacts
from support.flows import REPO, TEST_FLOWS, compile_for_tests, flowc, local_run


def write_flow(tmp_path, body: str, decorators: str = "", imports: str = "", name: str = "ProbeFlow"):
    path = tmp_path / "probe.py"
    path.write_text(f"from metaflow import FlowSpec, Parameter, step{imports}\n\n{decorators}\n"
                    f"class {name}(FlowSpec):\n" + textwrap.indent(textwrap.dedent(body).strip(), "    ") + "\n")
    return path


LINEAR = """
@step
def start(self):
    self.next(self.end)

@step
def end(self):
    pass
"""


def compile_argo(path, tmp_path, *options: str):
    return flowc("compile", str(path), "-t", "argo", "-o", str(tmp_path / "out"), "--datastore", "s3://b/p",
                 "--image", "i:1", *options)


def documents(path, tmp_path, *options: str) -> list[dict]:
    done = compile_argo(path, tmp_path, *options)
    assert done.returncode == 0, done.stderr
    [out] = (tmp_path / "out").glob("*.yaml")
    return list(yaml.safe_load_all(out.read_text()))


def container(document: dict, step: str) -> dict:
    return next(t for t in document["spec"]["templates"] if t["name"] == f"step-{step}")


# ---------------------------------------------------------------------------------------------- names

def test_a_cron_workflow_name_is_at_most_52_characters(tmp_path):
    path = write_flow(tmp_path, LINEAR, "@schedule(daily=True)", ", schedule")
    assert compile_argo(path, tmp_path, "--name", "a" * 52).returncode == 0
    done = compile_argo(path, tmp_path, "--name", "a" * 53)
    assert done.returncode == 1 and "Argo allows 52" in done.stderr
    assert compile_argo(write_flow(tmp_path, LINEAR), tmp_path, "--name", "a" * 63).returncode == 0  # no schedule


KEYWORD_STEPS = """
@step
def start(self):
    self.items = [1, 2]
    self.next(self.matches, self.contains)

@step
def matches(self):
    self.next(self.let)

@step
def contains(self):
    self.next(self.let)

@step
def let(self, inputs):
    self.items = inputs.matches.items
    self.next(self.fan)

@step
def fan(self):
    self.next(self.nil, foreach="items")

@step
def nil(self):
    self.twice = self.input * 2
    self.next(self.true)

@step
def true(self, inputs):
    self.total = sum(i.twice for i in inputs)
    self.next(self.end)

@step
def end(self):
    pass
"""


def test_steps_named_like_expression_keywords_get_task_names_depends_can_parse(tmp_path):
    path = write_flow(tmp_path, KEYWORD_STEPS, name="KeywordFlow")
    compile_for_tests("argo", [path], tmp_path / "yaml", "--datastore", (tmp_path / "store").as_uri(),
                      "--image", "unused:1")
    [document] = yaml.safe_load_all((tmp_path / "yaml" / "keyword-flow.yaml").read_text())
    tasks = {t["name"]: t for template in document["spec"]["templates"] for t in template.get("dag", {}).get("tasks", [])}
    assert {"step-matches", "step-contains", "step-let", "step-nil", "step-true"} <= set(tasks)
    assert tasks["step-let"]["depends"] == "step-matches.Succeeded && step-contains.Succeeded"
    assert {t["depends"]: depends_problem(t["depends"]) for t in tasks.values() if "depends" in t} == {
        t["depends"]: None for t in tasks.values() if "depends" in t}
    interpreter = Interpreter(document, "argo-keywords")  # parses every depends as Argo does
    assert interpreter.run() == "Succeeded", interpreter.trace
    expected = local_run(path, tmp_path / "local", {}, "local-1")
    assert final_artifacts(tmp_path / "store", "KeywordFlow", "argo-keywords") == expected


def test_the_depends_checker_refuses_a_keyword_task():
    assert depends_problem("matches.Succeeded && b.Succeeded") is not None
    assert depends_problem("each-b.Succeeded || (c.Succeeded && !d.Failed)") is None


def test_a_task_name_collision_from_the_keyword_prefix_is_a_compile_error(tmp_path):
    body = LINEAR.replace("self.next(self.end)", "self.next(self.matches)", 1) + """
@step
def matches(self):
    self.next(self.step_matches)

@step
def step_matches(self):
    self.next(self.end)
"""
    done = compile_argo(write_flow(tmp_path, body), tmp_path)
    assert done.returncode == 1 and "would both be the Argo task `step-matches`" in done.stderr


def test_parameter_names_argo_refuses_are_compile_errors(tmp_path):
    """Argo's pattern is ^[-a-zA-Z0-9_]+$; the compiler's FLC204 (every target) is at least as strict."""
    for bad in ("a b", "a.b", "ä"):
        body = f"x = Parameter({bad!r}, default=1)\n" + LINEAR
        done = compile_argo(write_flow(tmp_path, body), tmp_path)
        assert done.returncode == 1 and "error[FLC204]" in done.stderr and "not a plain name" in done.stderr, bad


def test_labels_annotations_and_node_selectors_are_checked_as_kubernetes_does(tmp_path):
    body = LINEAR.replace("@step\ndef start", "@kubernetes(labels={'team': 'ml_', 'Bad Key': 'x'}, "
                          "node_selector={'zone': '%s'}, annotations={'-x': 'ok'})\n@step\ndef start" % ("a" * 64), 1)
    done = compile_argo(write_flow(tmp_path, body, "@project(name='demo_')", ", kubernetes, project"), tmp_path)
    assert done.returncode == 1
    for expected in ("labels=...) value 'ml_'", "labels=...) key 'Bad Key'", "node_selector=...) value 'aaaa",
                     "annotations=...) key '-x'", "flowc/project) value 'demo_'"):
        assert expected in done.stderr, expected


def test_environment_variable_names_kubernetes_refuses_are_compile_errors(tmp_path):
    for bad in ("MY VAR", "1X"):
        body = LINEAR.replace("@step\ndef start", f"@environment(vars={{{bad!r}: 'x'}})\n@step\ndef start", 1)
        done = compile_argo(write_flow(tmp_path, body, imports=", environment"), tmp_path)
        assert done.returncode == 1 and f"variable name {bad!r}" in done.stderr, done.stderr


def test_a_docstring_over_the_annotation_limit_is_cut_with_a_note(tmp_path):
    path = tmp_path / "big.py"
    path.write_text('from metaflow import FlowSpec, step\n\nclass BigFlow(FlowSpec):\n    """' + "é" * 200_000 +
                    '"""\n' + textwrap.indent(LINEAR, "    "))
    [template] = documents(path, tmp_path)
    annotations = template["metadata"]["annotations"]
    assert sum(len(k.encode()) + len(v.encode()) for k, v in annotations.items()) <= 256 * 1024
    assert annotations["workflows.argoproj.io/description"].endswith("see big.py]")
    assert schema_problems([template]) == [[]]


# ---------------------------------------------------------------------------------------------- substitution

def test_a_default_argo_would_substitute_again_is_a_compile_error(tmp_path):
    for default in ("{{workflow.name}}", "{{ inputs.parameters.x }}", "{{=1+1}}", "{{item}}"):
        body = f"x = Parameter('x', default={default!r})\n" + LINEAR
        done = compile_argo(write_flow(tmp_path, body), tmp_path)
        assert done.returncode == 1 and "Argo substitutes parameter values a second time" in done.stderr, default
    body = "x = Parameter('x', default='{{ ds }} {{workflow}}')\n" + LINEAR  # tags Argo does not know: data
    assert compile_argo(write_flow(tmp_path, body), tmp_path).returncode == 0


def test_a_docstring_with_argo_tags_stays_in_metadata_argo_never_substitutes(tmp_path):
    path = tmp_path / "doc.py"
    path.write_text('from metaflow import FlowSpec, step\n\nclass DocFlow(FlowSpec):\n    """Runs {{workflow.name}} '
                    '{{=1+1}}"""\n' + textwrap.indent(LINEAR, "    "))
    [template] = documents(path, tmp_path)
    assert template["metadata"]["annotations"]["workflows.argoproj.io/description"] == "Runs {{workflow.name}} {{=1+1}}"
    assert "{{=" not in yaml.safe_dump(template["spec"])


# ---------------------------------------------------------------------------------------------- secrets

def test_secrets_that_are_not_kubernetes_secret_names_are_compile_errors(tmp_path):
    body = LINEAR.replace("@step\ndef start", "@secrets(sources=['prod/db'])\n@step\ndef start", 1)
    done = compile_argo(write_flow(tmp_path, body, imports=", secrets"), tmp_path)
    assert done.returncode == 1
    assert "@secrets source 'prod/db' is not a Kubernetes Secret name" in done.stderr
    assert "External Secrets" in done.stderr


# ---------------------------------------------------------------------------------------------- pods

def test_pods_get_default_requests_memory_volumes_and_a_writable_control_folder(tmp_path):
    template, cron = documents(TEST_FLOWS / "resources.py", tmp_path)
    start, train = container(template, "start"), container(template, "train")
    assert start["container"]["resources"] == {"requests": {"cpu": "1", "memory": "4096M",
                                                            "ephemeral-storage": "10240M"}}
    assert train["container"]["resources"]["requests"] == {"cpu": "2", "memory": "4096M",
                                                           "ephemeral-storage": "10240M"}
    control = start["outputs"]["parameters"][0]["valueFrom"]["path"]
    [mount] = start["container"]["volumeMounts"]
    assert control.startswith(mount["mountPath"] + "/") and start["volumes"] == [{"name": mount["name"],
                                                                                  "emptyDir": {}}]
    assert template["spec"]["parallelism"] == 100
    assert (cron["spec"]["successfulJobsHistoryLimit"], cron["spec"]["failedJobsHistoryLimit"],
            cron["spec"]["startingDeadlineSeconds"]) == (10000, 10000, 3540)
    assert schema_problems([template, cron]) == [[], []]


def test_shared_memory_and_tmpfs_become_memory_backed_volumes(tmp_path):
    body = LINEAR.replace("@step\ndef start", "@resources(memory=8000, shared_memory=2048)\n"
                          "@kubernetes(use_tmpfs=True)\n@step\ndef start", 1)
    [template] = documents(write_flow(tmp_path, body, imports=", kubernetes, resources"), tmp_path)
    start = container(template, "start")
    assert start["volumes"] == [{"name": "dshm", "emptyDir": {"medium": "Memory", "sizeLimit": "2048M"}},
                                {"name": "tmpfs", "emptyDir": {"medium": "Memory", "sizeLimit": "4000M"}}]
    assert start["container"]["volumeMounts"] == [{"name": "dshm", "mountPath": "/dev/shm"},
                                                   {"name": "tmpfs", "mountPath": "/metaflow_temp"}]
    assert schema_problems([template]) == [[]]


def test_cluster_options_reach_the_documents(tmp_path):
    template, cron = documents(TEST_FLOWS / "resources.py", tmp_path, "--parallelism", "7", "--default-cpu", "0.5",
                               "--default-memory", "0", "--default-disk", "0", "--pod-gc", "OnPodSuccess",
                               "--ttl-after-completion", "86400", "--security-context", "restricted",
                               "--run-as-user", "1000", "--env-secret", "datastore-credentials",
                               "--exit-image", "alpine:3", "--exit-command", "sh -c 'echo done'",
                               "--successful-jobs-history-limit", "5", "--failed-jobs-history-limit", "6",
                               "--starting-deadline-seconds", "60")
    spec = template["spec"]
    assert spec["parallelism"] == 7
    assert spec["podGC"] == {"strategy": "OnPodSuccess"} and spec["ttlStrategy"] == {"secondsAfterCompletion": 86400}
    assert spec["securityContext"] == {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"},
                                       "runAsUser": 1000}
    start = container(template, "start")["container"]
    assert start["resources"] == {"requests": {"cpu": "0.5"}}
    assert start["securityContext"] == {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}}
    assert start["envFrom"] == [{"secretRef": {"name": "datastore-credentials"}}]
    assert container(template, "train")["container"]["envFrom"][0] == {"secretRef": {"name": "datastore-credentials"}}
    assert spec["onExit"] == "exit-handler"
    handler = next(t for t in spec["templates"] if t["name"] == "exit-handler")
    assert handler["container"]["command"] == ["sh", "-c", "echo done"]
    assert (cron["spec"]["successfulJobsHistoryLimit"], cron["spec"]["failedJobsHistoryLimit"],
            cron["spec"]["startingDeadlineSeconds"]) == (5, 6, 60)
    assert schema_problems([template, cron]) == [[], []]
