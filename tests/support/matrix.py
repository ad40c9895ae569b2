"""The construct x target matrix (sqlglot's `validate_all`): every graph shape and decorator, compiled in
every golden mode (golden/modes.toml), with what each mode must answer: "ok" (compiles cleanly), "FLC402"
(compiles, and warns what has no effect there) or "FLC401" (refused, naming the step). A new target is a
new row in EXPECTED, not a new test file."""

from __future__ import annotations

from pathlib import Path

from support.flows import REPO

# Graph shapes: the examples, which every target also runs end to end.
SHAPES = {
    "linear": "hello", "branch": "branching", "nested branches": "nested_branches",
    "foreach, multi-step body": "foreach", "nested foreach, 3 deep": "nested_foreach", "switch": "switch",
    "switch in foreach": "switch_in_foreach", "foreach in switch": "foreach_in_switch",
    "switch cases end at a branch join": "switch_in_branch",
    "switch cases end at a foreach join": "switch_meets_at_foreach_join",
    "flow inheritance and a mixin": "inheritance",
}
STEP_DECORATORS = {
    "retry": "retry(times=2, minutes_between_retries=1)",
    "timeout": "timeout(seconds=30)",
    "catch": 'catch(var="failure")',
    "resources": "resources(cpu=2, memory=2048, gpu=1)",
    "environment": 'environment(vars={"MODE": "fast"})',
    "secrets": 'secrets(sources=["db-credentials"])',
    "kubernetes": 'kubernetes(image="registry.example/x:1", node_selector={"pool": "a"}, '
                  'tolerations=[{"key": "k", "operator": "Exists"}])',
    "kubernetes namespace": 'kubernetes(namespace="other")',
    "batch": 'batch(queue="jobs")',
}
FLOW_DECORATORS = {
    "schedule": 'schedule(cron="0 * * * *", timezone="Europe/Paris")',
    "project": 'project(name="demo")',
}
CONSTRUCTS = [*SHAPES, *STEP_DECORATORS, *FLOW_DECORATORS]

# mode -> construct -> outcome, where it is not "ok".
EXPECTED = {
    "airflow": {"secrets": "FLC401", "resources": "FLC402", "kubernetes": "FLC402",
                "kubernetes namespace": "FLC402", "batch": "FLC402"},
    "airflow-kubernetes": {"batch": "FLC402"},
    "argo": {"batch": "FLC402", "kubernetes namespace": "FLC402"},
    # KFP keeps schedules on the server (recurring runs) and places a run's pods in one namespace.
    "kubeflow": {"batch": "FLC402", "kubernetes namespace": "FLC402", "schedule": "FLC402"},
    "stepfunctions": {"secrets": "FLC401", "kubernetes": "FLC402", "kubernetes namespace": "FLC402"},
}

_FLOW = '''from metaflow import FlowSpec, step, {imports}

{flow_decorator}class MatrixFlow(FlowSpec):
    """A {construct} on its own."""

    @step
    def start(self):
        self.next(self.work)

    {step_decorator}@step
    def work(self):
        self.next(self.end)

    @step
    def end(self):
        pass
'''


def flow_file(construct: str, folder: Path) -> Path:
    """The flow that shows `construct`: an example for a shape, else a small flow written into `folder`."""
    if construct in SHAPES:
        return REPO / "examples" / f"{SHAPES[construct]}.py"
    decorator = STEP_DECORATORS.get(construct) or FLOW_DECORATORS[construct]
    on_step = construct in STEP_DECORATORS
    path = folder / f"{construct.replace(' ', '_')}.py"
    path.write_text(_FLOW.format(imports=decorator.split("(")[0], construct=construct,
                                 flow_decorator="" if on_step else f"@{decorator}\n",
                                 step_decorator=f"@{decorator}\n    " if on_step else ""))
    return path


def expected(mode: str, construct: str) -> str:
    return EXPECTED[mode].get(construct, "ok")
