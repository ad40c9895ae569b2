"""Static reference check of an emitted WorkflowTemplate: hera's schema cannot see whether names resolve."""

from __future__ import annotations


from interpreter import DEPENDS_TOKEN, TAG


def check_references(document: dict) -> list[str]:
    """Every problem found: unknown templates, depends targets, inputs, outputs and workflow parameters."""
    spec = document["spec"]
    templates = {t["name"]: t for t in spec["templates"]}
    workflow_parameters = {p["name"] for p in spec.get("arguments", {}).get("parameters", [])}
    problems = []
    if spec["entrypoint"] not in templates:
        problems.append(f"entrypoint {spec['entrypoint']!r} is not a template")
    for template in spec["templates"]:
        inputs = {p["name"] for p in template.get("inputs", {}).get("parameters", [])}
        tasks = {t["name"]: t for t in template.get("dag", {}).get("tasks", [])}
        for task in tasks.values():
            where = f"{template['name']}/{task['name']}"
            if task["template"] not in templates:
                problems.append(f"{where}: unknown template {task['template']!r}")
                continue
            target = templates[task["template"]]
            wanted = {p["name"] for p in target.get("inputs", {}).get("parameters", [])}
            given = {p["name"] for p in task.get("arguments", {}).get("parameters", [])}
            if wanted != given:
                problems.append(f"{where}: passes {sorted(given)} to a template that takes {sorted(wanted)}")
            upstream = _upstream(task, tasks)
            for text in _strings(task):
                for ref in TAG.findall(text):
                    problems += _reference(ref, where, inputs, workflow_parameters, tasks, templates, upstream,
                                           item_ok="withParam" in task)
            for token in DEPENDS_TOKEN.findall(task.get("depends", "")):
                name = token.split(".")[0]
                if name not in ("(", ")", "&&", "||", "!") and name not in tasks:
                    problems.append(f"{where}: depends on unknown task {name!r}")
        if "container" in template:
            for text in _strings(template["container"]):
                for ref in TAG.findall(text):
                    problems += _reference(ref, template["name"], inputs, workflow_parameters, {}, templates, set(),
                                           retries_ok="retryStrategy" in template)
    return problems


def _reference(ref, where, inputs, workflow_parameters, tasks, templates, upstream, item_ok=False,
               retries_ok=False) -> list[str]:
    parts = ref.split(".")
    if ref == "workflow.name" or (ref == "item" and item_ok) or (ref == "retries" and retries_ok):
        return []
    if parts[:2] == ["inputs", "parameters"] and len(parts) == 3 and parts[2] in inputs:
        return []
    if parts[:2] == ["workflow", "parameters"] and len(parts) == 3 and parts[2] in workflow_parameters:
        return []
    if len(parts) == 5 and parts[0] == "tasks" and parts[2:4] == ["outputs", "parameters"]:
        task = tasks.get(parts[1])
        if task is None:
            return [f"{where}: {{{{{ref}}}}} names an unknown task"]
        if parts[1] not in upstream:
            return [f"{where}: {{{{{ref}}}}} reads a task it does not depend on"]
        outputs = {p["name"] for p in templates[task["template"]].get("outputs", {}).get("parameters", [])}
        return [] if parts[4] in outputs else [f"{where}: {{{{{ref}}}}}: that template has no such output"]
    return [f"{where}: {{{{{ref}}}}} does not resolve"]


def _upstream(task: dict, tasks: dict) -> set[str]:
    seen, todo = set(), [task]
    while todo:
        for token in DEPENDS_TOKEN.findall(todo.pop().get("depends", "")):
            name = token.split(".")[0]
            if name in tasks and name not in seen:
                seen.add(name)
                todo.append(tasks[name])
    return seen


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []
