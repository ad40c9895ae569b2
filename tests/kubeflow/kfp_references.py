"""Static reference check of an emitted PipelineSpec: kfp's protobuf accepts dangling names, so resolve them here
(component refs, executor labels, dependent and producer tasks, output keys, input channels, loop items,
placeholders in the container arguments, platform executors)."""

from __future__ import annotations

import re

PLACEHOLDER = re.compile(r"\{\{\$\.(inputs|outputs)\.parameters\['([^']*)'\]")
CONDITION_INPUT = re.compile(r"inputs\.parameter_values\['([^']*)'\]")


def check_references(spec: dict, platform: dict | None = None) -> list[str]:
    problems: list[str] = []
    components = spec["components"]
    executors = spec["deploymentSpec"]["executors"]
    dags = {"root": spec["root"], **{name: c for name, c in components.items() if "dag" in c}}
    for name, component in components.items():
        if "executorLabel" in component:
            label = component["executorLabel"]
            if label not in executors:
                problems.append(f"{name}: unknown executor {label!r}")
            else:
                problems += _placeholders(name, component, executors[label])
    for dag_name, owner in dags.items():
        problems += _dag(dag_name, owner, components)
    for label in (platform or {}).get("platforms", {}).get("kubernetes", {}).get("deploymentSpec", {}).get(
            "executors", {}):
        if label not in executors:
            problems.append(f"platform spec: unknown executor {label!r}")
    return problems


def _inputs(component: dict) -> dict:
    return component.get("inputDefinitions", {}).get("parameters", {})


def _dag(dag_name: str, owner: dict, components: dict) -> list[str]:
    problems = []
    tasks = owner["dag"]["tasks"]
    available = _inputs(owner)
    for task_name, task in tasks.items():
        where = f"{dag_name}/{task_name}"
        ref = task["componentRef"]["name"]
        if ref not in components:
            problems.append(f"{where}: unknown component {ref!r}")
            continue
        wanted = _inputs(components[ref])
        given = task.get("inputs", {}).get("parameters", {})
        for dependency in task.get("dependentTasks", []):
            if dependency not in tasks:
                problems.append(f"{where}: depends on unknown task {dependency!r}")
        for key, source in given.items():
            if key not in wanted:
                problems.append(f"{where}: passes {key!r}, which {ref} does not take")
            if "componentInputParameter" in source and source["componentInputParameter"] not in available:
                problems.append(f"{where}: reads {source['componentInputParameter']!r}, not an input of {dag_name}")
            output = source.get("taskOutputParameter")
            if output:
                producer = tasks.get(output["producerTask"])
                if producer is None:
                    problems.append(f"{where}: reads unknown task {output['producerTask']!r}")
                elif output["producerTask"] not in task.get("dependentTasks", []):
                    problems.append(f"{where}: reads {output['producerTask']!r} without depending on it")
                elif output["outputParameterKey"] not in components[producer["componentRef"]["name"]].get(
                        "outputDefinitions", {}).get("parameters", {}):
                    problems.append(f"{where}: {output['producerTask']!r} has no output "
                                    f"{output['outputParameterKey']!r}")
        iterator = task.get("parameterIterator")
        supplied = set(given) | ({iterator["itemInput"]} if iterator else set())
        for key, definition in wanted.items():
            if key not in supplied and not definition.get("isOptional"):
                problems.append(f"{where}: {ref} needs {key!r}, which is not given")
        if iterator:
            if iterator["itemInput"] not in wanted:
                problems.append(f"{where}: loop item {iterator['itemInput']!r} is not an input of {ref}")
            if iterator["items"]["inputParameter"] not in given:
                problems.append(f"{where}: loops over {iterator['items']['inputParameter']!r}, not given")
        for name in CONDITION_INPUT.findall(task.get("triggerPolicy", {}).get("condition", "")):
            if name not in given:
                problems.append(f"{where}: its condition reads {name!r}, not given")
    return problems


def _placeholders(name: str, component: dict, executor: dict) -> list[str]:
    problems = []
    outputs = component.get("outputDefinitions", {}).get("parameters", {})
    for arg in executor["container"].get("args", []):
        for kind, key in PLACEHOLDER.findall(arg):
            if key not in (_inputs(component) if kind == "inputs" else outputs):
                problems.append(f"{name}: argument {arg!r} names an unknown {kind[:-1]} {key!r}")
    return problems
