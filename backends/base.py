"""What every backend shares: capability flags, name rules and limits, and the checks written once.

A backend (sqlglot's dialect shape) is a `Backend` subclass: tables and flags saying what its target can
do, plus `render(plan, options, problems) -> {relative path: text}`, a thin translation of the plan.
`emit` runs the shared checks first (an image where one is needed, decorators the target cannot honour
or ignores, names the target generates colliding with steps, name lengths), applies the plan rewrites
the target opts into, renders, and checks document sizes. Problems are collected (FLC401 errors and
FLC402 warnings at the step), never dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Optional

from flowc.compiler.emit import DeployError, EmitOptions, OptionError, Problems
from flowc.compiler.gcpause import collector_paused
from flowc.compiler.plan import Plan, TaskSpec
from flowc.compiler.transforms import flatten_nested_foreach


POD_SETTINGS = ("namespace", "service_account", "image_pull_policy", "node_selector", "tolerations", "labels",
                "annotations", "secrets")  # PodSpec fields that only a Kubernetes pod has


def command_texts(plan: Plan, options: EmitOptions) -> list[str]:
    """Every text the task commands carry as written, each once: the plan's literal arguments (a --tag among
    them), the python command, the flow file and the datastore. A target that substitutes placeholders in
    commands checks these, since it would change them."""
    written = [options.python, options.flow_path or options.source_path, options.datastore]
    return list(dict.fromkeys([*written, *(a for task in plan.tasks for a in task.command if isinstance(a, str))]))


@dataclass(frozen=True)
class Capabilities:
    """What a target does with a plan's constructs. Defaults describe a Kubernetes-pod target."""

    runs_as: str  # what a step becomes, for messages: "an Argo pod"
    nested_foreach: bool = True  # False: the plan is flattened (see compiler/transforms.py)
    needs_image: bool = True  # every step needs --image or @kubernetes(image=)/@batch(image=)
    pods: bool = True  # honours @resources and the step's image (a container of its own)
    pod_settings: bool = True  # honours @kubernetes' Kubernetes-only settings (POD_SETTINGS below)
    secrets: bool = True  # delivers @secrets to the step
    secret_types: tuple[str, ...] = ()  # @secrets dict sources' types it delivers by id (besides plain names)
    batch: bool = False  # runs @batch steps on AWS Batch
    per_step_namespace: bool = True  # @kubernetes(namespace=) places one step's pod


class Backend:
    """Subclasses set the class attributes and write `render`; `capabilities` may depend on options."""

    name: str = ""
    title: str = ""  # how messages name the target ("Argo"); the name when empty
    capabilities_: Capabilities = Capabilities(runs_as="a task")
    max_name: Optional[int] = None  # the longest name the target accepts for a step's node
    max_document_bytes: Optional[int] = None  # the largest file the target stores

    def capabilities(self, options: EmitOptions) -> Capabilities:
        return self.capabilities_

    def node_name(self, step: str) -> str:
        """The target's name for a step's node (its task id, template name, state name)."""
        return step

    def limited_names(self, step: str) -> list[str]:
        """The names derived from a step that `max_name` applies to."""
        return [self.node_name(step)]

    def generated_names(self, plan: Plan, options: EmitOptions) -> dict[str, str]:
        """Names the target adds beside the steps' own (task groups, body tasks): name -> what it is."""
        return {}

    def render(self, plan: Plan, options: EmitOptions, problems: Problems) -> dict[str, str]:
        raise NotImplementedError

    def deploy(self, files: dict[str, str], settings: dict, dry_run: bool, say: Callable[[str], None]) -> bool:
        """`flowc deploy`: create or update on the target's service what `files` (this backend's output)
        describe, changing only what differs; `say` each action. Returns whether anything changed (or, with
        `dry_run`, would). Raises DeployError when the service cannot be reached or used."""
        raise DeployError(f"flowc deploy does not support target {self.name!r} yet")

    def emit(self, plan: Plan, options: EmitOptions, problems: Problems) -> dict[str, str]:
        caps = self.capabilities(options)
        self._check_image(plan, options, caps)
        if not caps.nested_foreach:
            plan = flatten_nested_foreach(plan)
        for task in plan.tasks:
            self._check_decorators(task, caps, problems)
            self._check_pod(task, caps, problems)
        self._check_names(plan, options, problems)
        self.check(plan, options, problems)
        if problems:
            return {}
        with collector_paused():  # a large plan's documents are many objects: see gcpause.py
            files = self.render(plan, options, problems)
        self._check_sizes(files, problems)
        return {} if problems else files

    def check(self, plan: Plan, options: EmitOptions, problems: Problems) -> None:
        """The target's own checks of the whole workflow, before anything is rendered (none by default)."""

    # -- the shared checks -------------------------------------------------------------------------------
    def _check_image(self, plan: Plan, options: EmitOptions, caps: Capabilities) -> None:
        if caps.needs_image and not options.image and not all(t.image for t in plan.tasks):
            raise OptionError(f"--image is required for {self.name} (the image holding flowc and the flow "
                              "file), unless every step has @kubernetes(image=...)")

    def _check_decorators(self, task: TaskSpec, caps: Capabilities, problems: Problems) -> None:
        """Say what a decorator cannot do here, instead of dropping it silently."""
        if task.batch and not caps.batch:
            problems.warn(task.step, f"@batch: the step runs as {caps.runs_as}, not on AWS Batch",
                          help="use @kubernetes instead of @batch")
        if task.secrets and not caps.secrets:
            problems.add(task.step, f"@secrets: {caps.runs_as} cannot receive secrets",
                         help=self.secrets_help())
        for source in task.typed_secrets:
            if not caps.secrets or source.type not in caps.secret_types or source.role or source.options:
                problems.add(task.step, f"@secrets source {source.describe()}: {caps.runs_as} cannot receive it",
                             help=self.typed_secrets_help())
        if not caps.pods and (task.kubernetes or task.resources != type(task.resources)()):
            problems.warn(task.step, f"@kubernetes/@resources: the step runs as {caps.runs_as}, without its "
                                     "own image or resources", help=self.pods_help())
        ignored = [name for name in POD_SETTINGS if task.kubernetes and getattr(task.kubernetes, name)]
        if caps.pods and not caps.pod_settings and ignored:
            problems.warn(task.step, f"@kubernetes({', '.join(f'{n}=' for n in ignored)}...): the step runs as "
                                     f"{caps.runs_as}, not a Kubernetes pod", help=self.pods_help())
        if caps.pod_settings and task.kubernetes and task.kubernetes.namespace and not caps.per_step_namespace:
            problems.warn(task.step, f"@kubernetes(namespace=...): every pod of a {self.name} workflow runs in "
                                     "its namespace", help="set the workflow's namespace with --namespace")

    def _check_pod(self, task: TaskSpec, caps: Capabilities, problems: Problems) -> None:
        """What the API server would refuse in the step's pod, when it starts (label, annotation and node
        selector keys and values, environment variable and Secret names: flowc.backends.kubernetes)."""
        if caps.pods and caps.pod_settings:
            from .kubernetes import pod_problems

            for message, help in pod_problems(task):
                problems.add(task.step, message, help=help)

    def secrets_help(self) -> str:
        return "remove @secrets, or compile for a target that runs steps in containers"

    def typed_secrets_help(self) -> str:
        return ("name the secret the way this target reads it ({'id': NAME} or the plain name), or use an inline "
                "source ({'type': 'inline', 'options': {'env_vars': {...}}}), which the runtime sets on every target")

    def pods_help(self) -> str:
        return "remove @kubernetes/@resources, or compile for a target that runs steps in containers"

    def _check_names(self, plan: Plan, options: EmitOptions, problems: Problems) -> None:
        generated = self.generated_names(plan, options)
        seen: dict[str, str] = {}
        for task in plan.tasks:
            node = self.node_name(task.step)
            if node in generated:
                problems.add(task.step, f"step `{task.step}` is named like {generated[node]} (`{node}`)",
                             help=f"rename step `{task.step}`")
            elif node in seen:
                problems.add(task.step, f"steps `{seen[node]}` and `{task.step}` would both be the {self.title or self.name} "
                                        f"task `{node}`", help=f"rename step `{task.step}`")
            seen.setdefault(node, task.step)
            for name in self.limited_names(task.step):
                if self.max_name and len(name) > self.max_name:
                    problems.add(task.step, f"the {self.name} name `{name}` is longer than {self.max_name} "
                                            "characters", help="shorten the step name")

    def _check_sizes(self, files: dict[str, str], problems: Problems) -> None:
        if self.max_document_bytes is None:
            return
        for name, text in files.items():
            size = len(text.encode())
            if size > self.max_document_bytes:
                problems.add(None, f"{name} is {size:,} bytes; {self.name} accepts at most "
                                   f"{self.max_document_bytes:,}", help="split the flow into smaller flows")


DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


def dns_name(step: str) -> str:
    """A step's DNS-1123 form: `train_model` -> `train-model` (step names are [a-z0-9_])."""
    return step.replace("_", "-")


def kebab(flow: str) -> str:
    """ForeachFlow -> foreach-flow: the DNS-1123 form of a class name."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "-", flow).lower().replace("_", "-")
