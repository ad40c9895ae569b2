"""An interpreter of the Argo Workflows subset flowc emits, for tests: no cluster can run here.

It executes a WorkflowTemplate the way Argo's controller does for that subset — DAG `depends` (enhanced
depends logic), `when`, `withParam` fan-out over `{{item}}`, output parameters read from files,
`{{inputs...}}` / `{{tasks...}}` / `{{workflow...}}` / `{{retries}}` substitution (twice in a container's
command, three times with a retry strategy, as Argo does), retryStrategy (with its expression on the exit code), activeDeadlineSeconds — and runs
each container's real command as a local process. Anything it does not understand, and any reference
that does not resolve, is an error: it exists to catch mistakes that schema validation cannot.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import tempfile
from dataclasses import dataclass, field

from depends_grammar import depends_problem

TAG = re.compile(r"{{\s*([^{}]*?)\s*}}")
# tags Argo resolves (or refuses) when it re-reads a substituted text; any other `{{...}}` stays as text
ARGO_ROOT = re.compile(r"^(=|(workflow|inputs|outputs|tasks|steps|pod|node|item|lastRetry|cronworkflow)\."
                       r"|(item|retries|status|exitCode|duration)$)")
RETRY_EXPRESSION = re.compile(r"^asInt\(lastRetry\.exitCode\) != (\d+)$")
WHEN = re.compile(r"^'([^']*)' == '([^']*)'$")
DEPENDS_TOKEN = re.compile(r"\s*(\(|\)|&&|\|\||!|[A-Za-z0-9-]+(?:\.[A-Za-z]+)?)")


class ArgoError(AssertionError):
    """The template is wrong (or outside the subset flowc emits)."""


@dataclass
class Node:
    phase: str  # Succeeded | Failed | Skipped | Omitted
    outputs: dict = field(default_factory=dict)


class Interpreter:
    def __init__(self, document: dict, workflow_name: str, parameters: dict | None = None, env: dict | None = None,
                 cwd: str | None = None):
        spec = document["spec"]
        self.cwd = cwd  # the image's working directory
        self.entrypoint = spec["entrypoint"]
        self.templates = {t["name"]: t for t in spec["templates"]}
        self.env = env or {}
        self.globals = {"workflow.name": workflow_name}
        given = dict(parameters or {})
        for p in spec.get("arguments", {}).get("parameters", []):
            value = given.pop(p["name"], p.get("value"))
            if value is None:
                raise ArgoError(f"workflow parameter {p['name']!r} has no value")
            self.globals[f"workflow.parameters.{p['name']}"] = str(value)
        if given:
            raise ArgoError(f"unknown workflow parameters {sorted(given)}")
        self.trace: list[tuple[str, str]] = []  # (node path, phase) of every container run

    def run(self) -> str:
        return self._template(self.entrypoint, {}, "").phase

    def _template(self, name: str, inputs: dict, path: str) -> Node:
        if name not in self.templates:
            raise ArgoError(f"{path}: no template named {name!r}")
        template = self.templates[name]
        declared = [p["name"] for p in template.get("inputs", {}).get("parameters", [])]
        if sorted(declared) != sorted(inputs):
            raise ArgoError(f"{path}: template {name} declares inputs {declared}, was given {sorted(inputs)}")
        scope = dict(self.globals, **{f"inputs.parameters.{k}": v for k, v in inputs.items()})
        if "dag" in template:
            return self._dag(template["dag"]["tasks"], scope, path)
        if "container" in template:
            return self._container(template, scope, path)
        raise ArgoError(f"{path}: template {name} is neither a dag nor a container")

    def _dag(self, tasks: list[dict], scope: dict, path: str) -> Node:
        by_name = {t["name"]: t for t in tasks}
        done: dict[str, Node] = {}
        pending = [t["name"] for t in tasks]
        while pending:
            ready = [n for n in pending if all(d in done for d in self._depends_on(by_name[n], by_name, path))]
            if not ready:
                raise ArgoError(f"{path}: DAG cannot progress; waiting: {pending}")
            for name in ready:
                pending.remove(name)
                done[name] = self._task(by_name[name], done, scope, f"{path}/{name}")
        failed = any(n.phase == "Failed" for n in done.values())
        return Node("Failed" if failed else "Succeeded")

    def _depends_on(self, task: dict, by_name: dict, path: str) -> list[str]:
        names = [tok.split(".")[0] for tok in DEPENDS_TOKEN.findall(task.get("depends", ""))
                 if tok not in ("(", ")", "&&", "||", "!")]
        for name in names:
            if name not in by_name:
                raise ArgoError(f"{path}: task {task['name']} depends on unknown task {name!r}")
        return names

    def _task(self, task: dict, done: dict[str, Node], scope: dict, path: str) -> Node:
        problem = depends_problem(task["depends"]) if "depends" in task else None
        if problem:
            raise ArgoError(f"{path}: depends {task['depends']!r} does not parse: {problem}")
        if "depends" in task and not _depends(task["depends"], done):
            return Node("Omitted")
        scope = dict(scope)
        for name, node in done.items():
            for key, value in node.outputs.items():
                scope[f"tasks.{name}.outputs.parameters.{key}"] = value
        if "when" in task:
            match = WHEN.match(self._substitute(task["when"], scope, path))
            if not match:
                raise ArgoError(f"{path}: `when` outside the subset: {task['when']!r}")
            if match.group(1) != match.group(2):
                return Node("Skipped")
        arguments = task.get("arguments", {}).get("parameters", [])
        if "withParam" not in task:
            inputs = {p["name"]: self._substitute(p["value"], scope, path) for p in arguments}
            return self._template(task["template"], inputs, path)
        items = json.loads(self._substitute(task["withParam"], scope, path))
        if not isinstance(items, list):
            raise ArgoError(f"{path}: withParam is not a JSON list: {items!r}")
        children = []
        for i, item in enumerate(items):
            item_scope = dict(scope, item=str(item))
            inputs = {p["name"]: self._substitute(p["value"], item_scope, path) for p in arguments}
            children.append(self._template(task["template"], inputs, f"{path}({i})"))
        return Node("Failed" if any(c.phase == "Failed" for c in children) else "Succeeded")

    def _container(self, template: dict, scope: dict, path: str) -> Node:
        retry = template.get("retryStrategy")
        attempts = 1 + (int(retry["limit"]) if retry else 0)
        container = template["container"]
        exit_code = None
        for attempt in range(attempts):
            if attempt and not _retry_allowed(retry.get("expression"), exit_code, path):
                break
            exit_code = -1  # Argo's lastRetry.exitCode for a pod it killed
            attempt_scope = dict(scope, retries=str(attempt)) if retry else scope
            with tempfile.TemporaryDirectory() as tmp:
                files = {p["valueFrom"]["path"]: os.path.join(tmp, p["name"])
                         for p in template.get("outputs", {}).get("parameters", [])}
                passes = 3 if retry else 2  # Argo re-substitutes; a retry strategy adds a pass
                argv = [files.get(a, a) for a in (self._substitute(a, attempt_scope, path, passes)
                                                   for a in container["command"] + container.get("args", []))]
                env = dict(os.environ, **self.env, **{e["name"]: e["value"] for e in container.get("env", [])})
                try:
                    result = subprocess.run(argv, env=env, capture_output=True, text=True, cwd=self.cwd,
                                            timeout=template.get("activeDeadlineSeconds"))
                except subprocess.TimeoutExpired:  # Argo kills the pod at its deadline: a failed attempt
                    self.trace.append((path, "Failed: activeDeadlineSeconds exceeded"))
                    continue
                exit_code = result.returncode
                if result.returncode == 0:
                    outputs = {}
                    for p in template.get("outputs", {}).get("parameters", []):
                        with open(files[p["valueFrom"]["path"]]) as handle:
                            outputs[p["name"]] = handle.read().strip()
                    self.trace.append((path, "Succeeded"))
                    return Node("Succeeded", outputs)
            self.trace.append((path, f"Failed: exit {result.returncode}: {result.stderr[-1500:]}"))
        return Node("Failed")

    def _substitute(self, text: str, scope: dict, path: str, passes: int = 1) -> str:
        """Argo's substitution: the template's own tags Argo knows must resolve, any other stays text (a user
        string such as a run's --tag); the text that results is substituted again (`passes` in all), where a
        tag Argo knows is replaced or fails and any other stays."""
        def value(match: re.Match) -> str:
            if match.group(1) not in scope and not ARGO_ROOT.match(match.group(1)):
                return match.group(0)
            if match.group(1) not in scope:
                raise ArgoError(f"{path}: unresolved reference {{{{{match.group(1)}}}}} in {text!r}")
            return scope[match.group(1)]

        def again(match: re.Match) -> str:
            if match.group(1) in scope:
                return scope[match.group(1)]
            if ARGO_ROOT.match(match.group(1)):
                raise ArgoError(f"{path}: failed to resolve {{{{{match.group(1)}}}}} (substituted into {text!r})")
            return match.group(0)

        result = TAG.sub(value, text)
        for _ in range(passes - 1):
            result = TAG.sub(again, result)
        return result


def _retry_allowed(expression: str | None, exit_code: int, path: str) -> bool:
    """retryStrategy.expression, in the one form flowc emits: `asInt(lastRetry.exitCode) != N`."""
    if expression is None:
        return True
    match = RETRY_EXPRESSION.match(expression)
    if not match:
        raise ArgoError(f"{path}: retryStrategy.expression outside the subset: {expression!r}")
    return exit_code != int(match.group(1))


def _depends(expression: str, done: dict[str, Node]) -> bool:
    """Argo's enhanced depends logic: `A.Succeeded`, `A.Skipped`, ...; a bare `A` means
    `A.Succeeded || A.Skipped || A.Daemoned`."""
    python = []
    for token in DEPENDS_TOKEN.findall(expression):
        if token in ("(", ")"):
            python.append(token)
        elif token in ("&&", "||", "!"):
            python.append({"&&": "and", "||": "or", "!": "not"}[token])
        elif "." in token:
            name, phase = token.split(".")
            python.append(str(done[name].phase == phase))
        else:
            python.append(str(done[token].phase in ("Succeeded", "Skipped")))
    return bool(eval(" ".join(python), {"__builtins__": {}}))  # only True/False/and/or/not/parentheses
