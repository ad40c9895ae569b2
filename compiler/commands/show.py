"""`flowc show`: runs, steps, tasks and artifacts in a datastore, read with flowc.runtime's client.

Only argparse at module level (`flowc --help` imports every command); the client is imported in `main`.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from typing import Any, Optional

from ..loading import usage_error


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "show", help="show runs, steps, tasks and artifacts of flows that ran",
        description="FLOW lists its runs (newest first); FLOW/RUN shows the run's steps with their tasks' "
                    "status and WALL TIME (from the step's first task start to its last task end, so a "
                    "foreach step's parallel tasks count once); FLOW/RUN/STEP shows each task of the step; "
                    "FLOW/RUN/STEP/INDEX one task of a foreach (INDEX as in the TASK column, e.g. 2 or 2.0, "
                    "or as an index path, 2/0) with its attempts. FLOW is the flow class name or a flow "
                    "file. --artifact NAME prints one artifact of FLOW/RUN/STEP (the step must have exactly "
                    "one task) or of FLOW/RUN/STEP/INDEX; FLOW/RUN means its end step.")
    parser.add_argument("target", metavar="FLOW[/RUN[/STEP[/INDEX]]]")
    parser.add_argument("--artifact", metavar="NAME", help="print this artifact's value")
    parser.add_argument("--json", action="store_true", help="print JSON (an artifact's value, or the listing)")
    parser.add_argument("--datastore", metavar="URI",
                        help="a directory, file:///dir or s3://bucket/prefix "
                             "(default: $FLOWC_DATASTORE or .flowc/ in the current directory)")
    parser.set_defaults(handler=main)


def main(args) -> int:
    from flowc.runtime import Flow, Run
    from flowc.runtime.errors import FlowcError

    from flowc.runtime import layout

    flow_name, run_id, step_name, index = _split(args.target)
    if flow_name is None:
        return 2
    try:  # the runtime's one rule for names: nothing else can be in the datastore, nothing outside it is read
        layout.check_flow_name(flow_name)
        if run_id is not None:
            layout.check_run_id(run_id)
        if step_name is not None:
            layout.check_name("step", step_name)
    except ValueError as error:
        usage_error(f"{args.target}: {error}")
        return 2
    from flowc.runtime.client import namespace

    namespace(None)  # an inspector names what it shows: every run, whoever ran it
    try:
        flow = Flow(flow_name, args.datastore, _namespace_check=False)
    except ValueError as error:  # a datastore URI of an unknown kind
        usage_error(str(error))
        return 2
    try:
        if run_id is None:
            if args.artifact:
                usage_error("--artifact needs FLOW/RUN or FLOW/RUN/STEP")
                return 2
            return _show_flow(flow, args.json)
        if run_id not in flow.datastore.runs(flow_name):
            usage_error(f"no run {flow_name}/{run_id} in {flow.datastore.uri}"
                        + _known(", runs: ", [r.id for r in flow.runs()[:10]]))
            return 2
        run = Run(f"{flow_name}/{run_id}", flow.datastore, _namespace_check=False)
        if step_name is not None and step_name not in run:
            usage_error(f"run {run.pathspec} has no task of step {step_name!r}"
                        + _known(", steps that ran: ", [s.name for s in run.steps()]))
            return 2
        task = None
        if index is not None:
            try:
                task = run[step_name][index]
            except (KeyError, ValueError):
                usage_error(f"step {run.pathspec}/{step_name} has no task {index!r}"
                            + _known(", its tasks: ", [t.id for t in run[step_name].tasks()][:20]))
                return 2
        if args.artifact:
            return _show_artifact(run, step_name or "end", args.artifact, args.json, task)
        if step_name is None:
            return _show_run(run, args.json)
        if task is not None:
            return _show_task(task, args.json)
        return _show_step(run[step_name], args.json)
    except FlowcError as error:
        print(f"flowc: error: {error}", file=sys.stderr)
        return 1


def _split(target: str):
    """FLOW[/RUN[/STEP[/INDEX]]] where FLOW may be a flow file (its class name is read statically) and
    INDEX a nested foreach's index path (2/0) as well as a task id (2.0)."""
    parts = target.split("/")
    if target.endswith(".py"):  # a flow file (may contain '/'): list its runs
        parts = [target]
    if len(parts) > 3:
        parts = parts[:3] + ["/".join(parts[3:])]
    flow = parts[0]
    if flow.endswith(".py"):
        flow = _flow_name_of(flow)
        if flow is None:
            return None, None, None, None
    parts += [None] * (4 - len(parts))
    return flow, parts[1] or None, parts[2] or None, parts[3] or None


def _flow_name_of(path: str) -> Optional[str]:
    from ..loading import load_ok

    compiled, _ = load_ok(path, None)
    if compiled is None or compiled.flow is None:
        return None
    return compiled.flow.name


def _known(prefix: str, names: list) -> str:
    return prefix + ", ".join(names) if names else ""


# -- listings ---------------------------------------------------------------------------------------
def _show_flow(flow, as_json: bool) -> int:
    runs = flow.runs()
    rows = [{"run": r.id, "status": r.status, "started_at": r.started_at, "origin_run_id": r.origin_run_id}
            for r in runs]
    if as_json:
        print(json.dumps({"flow": flow.name, "runs": rows}, indent=2))
        return 0
    if not runs:
        print(f"{flow.name}: no runs in {flow.datastore.uri}")
        return 0
    print(f"{flow.name}: {len(runs)} run(s), newest first")
    table = [("RUN", "STATUS", "STARTED", "")]
    for row in rows:
        origin = f"resumed from {row['origin_run_id']}" if row["origin_run_id"] else ""
        table.append((row["run"], row["status"], _time(row["started_at"]), origin))
    _print_table(table)
    return 0


def _task_row(task) -> dict:
    attempts = task.attempts()
    done = task.done
    return {
        "task": task.id, "index": task.index_path, "status": task.status, "attempts": len(attempts),
        "started_at": task.started_at, "finished_at": task.flowc_meta.get("finished_at"), "duration_s": task.duration,
        "reused_from": done.origin["run_id"] if done and done.origin else None,
    }


def _step_summary(step) -> dict:
    rows = [_task_row(t) for t in step.tasks()]
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["status"]] = counts.get(row["status"], 0) + 1
    starts = [r["started_at"] for r in rows if r["started_at"]]
    ends = [r["finished_at"] for r in rows if r["finished_at"]]
    wall = _seconds_between(min(starts), max(ends)) if starts and ends else None
    return {"step": step.name, "tasks": len(rows), "status": counts, "started_at": min(starts) if starts else None,
            "wall_s": wall, "task_list": rows}


def _show_run(run, as_json: bool) -> int:
    steps = [_step_summary(s) for s in run.steps()]
    info = {"flow": run.flow_name, "run": run.id, "status": run.status, "started_at": run.started_at,
            "origin_run_id": run.origin_run_id, "parameters": run.parameters,
            "tags": sorted(run.user_tags), "system_tags": sorted(run.system_tags), "steps": steps}
    if as_json:
        print(json.dumps(info, indent=2, default=repr))
        return 0
    header = f"Run {run.pathspec}: {run.status}, started {_time(run.started_at)}"
    if run.origin_run_id:
        header += f", resumed from {run.origin_run_id}"
    print(header)
    if run.parameters:
        print("parameters: " + ", ".join(f"{k}={v!r}" for k, v in sorted(run.parameters.items())))
    if info["tags"]:  # the user's tags; the system tags (user:, project:, versions) are in --json
        print("tags: " + ", ".join(info["tags"]))
    table = [("STEP", "TASKS", "STATUS", "WALL TIME")]  # first task start to last task end
    for s in steps:
        status = ", ".join(f"{n} {name}" if s["tasks"] > 1 else name for name, n in sorted(s["status"].items()))
        reused = sum(1 for t in s["task_list"] if t["reused_from"])
        if reused:
            status += f" ({reused} reused)"
        table.append((s["step"], str(s["tasks"]), status, _duration(s["wall_s"])))
    _print_table(table)
    return 0


def _show_step(step, as_json: bool) -> int:
    summary = _step_summary(step)
    if as_json:
        print(json.dumps(summary, indent=2, default=repr))
        return 0
    print(f"Step {step.pathspec}: {summary['tasks']} task(s)")
    table = [("TASK", "STATUS", "ATTEMPTS", "STARTED", "DURATION", "ARTIFACTS")]
    for task, row in zip(step.tasks(), summary["task_list"]):
        status = row["status"] + (f" (reused from {row['reused_from']})" if row["reused_from"] else "")
        table.append((row["task"], status, str(row["attempts"]), _time(row["started_at"]),
                      _duration(row["duration_s"]), ", ".join(task.artifacts.keys())))
    _print_table(table)
    counts = [len(_cards(task)) for task in step.tasks()]
    if any(counts):
        print(f"cards: {sum(counts)} on {sum(1 for n in counts if n)} task(s); list them with "
              f"`flowc card list {step.pathspec}`, open one with `flowc card view {step.pathspec}"
              f"{'/INDEX' if len(counts) > 1 else ''}`")
    return 0


def _cards(task) -> list:
    from flowc.runtime.cards import get_cards

    return get_cards(task)


def _card_names(cards: list) -> str:
    return ", ".join(f"{c.position} ({c.type}{', id ' + c.id if c.id else ''})" for c in cards)


def _show_task(task, as_json: bool) -> int:
    row = _task_row(task)
    attempts = [{"attempt": a.number, "status": a.status if a.meta.get("status") else None,
                 **{k: a.meta.get(k) for k in ("started_at", "duration_s", "exit_code")}} for a in task.attempts()]
    artifacts = list(task.artifacts.keys())  # without a commit: what the latest (failed) attempt kept
    if as_json:
        cards = [{"card": c.position, "type": c.type, "id": c.id, "error": c.error, "path": c.path}
                 for c in _cards(task)]
        print(json.dumps({**row, "attempt_list": attempts, "artifacts": artifacts, "cards": cards}, indent=2,
                         default=repr))
        return 0
    reused = f" (reused from {row['reused_from']})" if row["reused_from"] else ""
    print(f"Task {task.pathspec}: {row['status']}{reused}, {len(attempts)} attempt(s)")
    table = [("ATTEMPT", "STATUS", "STARTED", "DURATION", "EXIT")]
    for a in attempts:
        exit_code = "-" if a["exit_code"] is None else str(a["exit_code"])
        table.append((str(a["attempt"]), a["status"] or "-", _time(a["started_at"]), _duration(a["duration_s"]),
                      exit_code))
    _print_table(table)
    kept = "" if task.successful or not artifacts else f" (attempt {task.current_attempt}, not committed)"
    print(f"artifacts{kept}: " + (", ".join(artifacts) or "-"))
    cards = _cards(task)
    if cards:
        print(f"cards: {_card_names(cards)}; open one with `flowc card view {task.pathspec}"
              f"{' --card N' if len(cards) > 1 else ''}` (or `flowc card get ... -o FILE`)")
        for card in cards:
            if card.path:  # a local datastore: the file itself
                print(f"  {card.position}: {card.path}")
    return 0


def _show_artifact(run, step_name: str, name: str, as_json: bool, task=None) -> int:
    if step_name not in run:
        usage_error(f"run {run.pathspec} has no task of step {step_name!r}")
        return 2
    tasks = [task] if task is not None else run[step_name].tasks()
    if len(tasks) != 1:
        usage_error(f"step {run.pathspec}/{step_name} has {len(tasks)} tasks; name one: "
                    f"{run.pathspec}/{step_name}/INDEX (the TASK column of `flowc show {run.pathspec}/{step_name}`)")
        return 2
    task = tasks[0]
    if not task.successful and not task.artifacts:
        usage_error(f"task {task.pathspec} has not committed (status: {task.status}); it has no artifacts")
        return 1
    if name not in task:
        usage_error(f"task {task.pathspec} has no artifact {name!r}" + _known("; it has: ", list(task.artifacts.keys())))
        return 2
    value = task[name].data
    if not task.successful:
        print(f"flowc: task {task.pathspec} has not committed (status: {task.status}); {name} is what its "
              f"attempt {task.current_attempt} kept", file=sys.stderr)
    if not as_json:
        import pprint

        print(pprint.pformat(value, sort_dicts=False))  # as the step built it
        return 0
    try:
        text = json.dumps(value, indent=2, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as error:
        usage_error(f"artifact {name} ({type(value).__name__}) cannot be printed as JSON: {error}; "
                    "drop --json to see its repr")
        return 1
    print(text)
    return 0


# -- formatting -------------------------------------------------------------------------------------
def _print_table(rows: list[tuple]) -> None:
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)).rstrip())


def _parse(stamp: Optional[str]) -> Optional[datetime]:
    try:
        return datetime.fromisoformat(stamp) if stamp else None
    except ValueError:
        return None


def _seconds_between(start: str, end: str) -> Optional[float]:
    a, b = _parse(start), _parse(end)
    return (b - a).total_seconds() if a and b else None


def _time(stamp: Optional[str]) -> str:
    parsed = _parse(stamp)
    return parsed.strftime("%Y-%m-%d %H:%M:%S") if parsed else "-"


def _duration(seconds: Any) -> str:
    if seconds is None:
        return "-"
    return f"{seconds:.2f}s" if seconds < 60 else f"{int(seconds // 60)}m{seconds % 60:04.1f}s"
