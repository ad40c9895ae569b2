"""What Metaflow's client shows of one run, as JSON: written against Metaflow's client API only.

Run in Metaflow's venv (the real client) and under flowc's `metaflow` shim (flowc's client); the two
outputs must be equal. Usage: python read_run.py FLOW/RUN_ID
"""

import json
import sys

from metaflow import Run, Step, Task, namespace

NAMESPACE_TAGS = ("user", "project", "project_branch")  # system tags both sides give (not versions, runtime)
METADATA_NAMES = {"attempt", "attempt_ok", "origin-run-id", "origin-task-id", "ds-type", "ds-root", "runtime",
                  "python_version", "script-name"}  # task metadata names both sides give


def value(data):
    return json.loads(json.dumps(data, default=repr, sort_keys=True))


def task_view(task):
    # "_"-prefixed artifacts are Metaflow's internals; "name" is the flow's name, stored by Metaflow.
    view = {artifact.id: value(artifact.data) for artifact in task.artifacts
            if not artifact.id.startswith("_") and artifact.id != "name"}
    if view.get("compare_logs"):  # a flow that sets this artifact has its tasks' logs compared too
        view["<stdout>"], view["<stderr>"] = task.stdout, task.stderr
        for stream in ("stdout", "stderr"):
            view[f"<{stream} lines>"] = [line for _, line in task.loglines(stream)]
            # the stored log's size: Metaflow's logs carry a prefix per line, so only its bounds compare
            text, size = view[f"<{stream}>"], getattr(task, f"{stream}_size")
            view[f"<{stream} size>"] = [type(size).__name__, (size == 0) == (text == ""), size >= len(text.encode())]
    view["<metadata>"] = metadata_view(task.metadata_dict)
    view["<metadata entries>"] = entries_view(task.metadata)
    view["<current_attempt>"] = [type(task.current_attempt).__name__, task.current_attempt]
    # the steps of the tasks that fed this one and that it fed (ids differ between the two sides)
    view["<parents>"] = sorted(pathspec.split("/")[2] for pathspec in task.parent_task_pathspecs)
    view["<children>"] = sorted(pathspec.split("/")[2] for pathspec in task.child_task_pathspecs)
    return view


def entries_view(entries):
    # Metadata namedtuples: their fields, the types of their times, and the type of each name both sides give
    return {"fields": sorted({field for entry in entries for field in entry._fields}),
            "created_at": sorted({type(entry.created_at).__name__ for entry in entries}),
            "types": {entry.name: entry.type for entry in entries if entry.name in METADATA_NAMES}}


def metadata_view(meta):
    # values that are equal on both sides (paths, versions and the runtime's name are not), and names both give
    return {"attempt": meta.get("attempt"), "attempt_ok": meta.get("attempt_ok"),
            "ds-type": meta.get("ds-type"), "resumed": meta.get("origin-run-id") not in (None, "None"),
            "names": sorted(set(meta) & METADATA_NAMES)}


def main(pathspec):
    namespace(None)
    run = Run(pathspec)
    steps = {}
    for step in run:
        tasks = [task_view(task) for task in step]
        steps[step.id] = sorted(tasks, key=lambda t: json.dumps(t, sort_keys=True))
    return {
        "successful": run.successful,
        "finished": run.finished,
        "steps": steps,
        "end": sorted(name for name in dir(run.data) if not name.startswith("_") and name != "name"),
        "user_tags": sorted(run.user_tags),
        "namespace_tags": sorted(t for t in run.system_tags if t.split(":")[0] in NAMESPACE_TAGS),
        # every step and task can be named by its pathspec, as the client prints it
        "pathspecs_resolve": all(Step(step.pathspec).id == step.id and Task(task.pathspec).pathspec == task.pathspec
                                 for step in run for task in step),
    }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1]), sort_keys=True))
