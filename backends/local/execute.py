"""What `flowc run` and `flowc resume` do between parsing arguments and the runner's loop:
compile, check the inputs, pick the run id and datastore, and report the outcome."""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import sys
import time
from pathlib import Path
from typing import Optional

from flowc.compiler.flowfile import read_flow_file
from flowc.compiler.commands.common import config_options
from flowc.compiler.loading import load_ok, usage_error
from flowc.runtime.datastore import default_datastore_uri
from flowc.runtime.errors import FlowcError
from flowc.runtime.tags import TaggingError, validate_tags

from .localplan import LocalPlan, cache_key, load_cached, store_cached
from .params import ParamError, parse_params
from .progress import Progress
from .runid import RUN_ID_RULE, new_run_id, valid_run_id
from .runner import RunOptions, Runner


def normalize_datastore(uri: Optional[str]) -> str:
    """Plain paths become absolute, so every task agrees on them whatever its working directory."""
    uri = uri or default_datastore_uri()
    if "://" in uri:
        return uri
    return str(Path(uri).expanduser().resolve())


def compile_plan(flow_file: str, flow_class: Optional[str], configs=None) -> tuple[Optional[LocalPlan], int]:
    """The flow's plan: from the plan cache when these exact bytes (and config files) compiled cleanly
    before, else compiled (printing diagnostics and returning exit 1 if the flow has problems, 2 if
    unreadable). `configs`: the command line's --config / --config-value (compiler.configs.ConfigOptions)."""
    try:
        source = read_flow_file(flow_file)
    except OSError:
        source = None  # let the compiler's loader report it
    key = cache_key(source, flow_class, configs.cache_text() if configs else "") if source is not None else None
    if key is not None:
        cached = load_cached(key)
        if cached is not None:
            return cached, 0
    from flowc.compiler.plan import build_plan

    compiled, status = load_ok(flow_file, flow_class, configs)
    if compiled is None:
        return None, status
    data = build_plan(compiled.graph, flow_class_option=flow_class is not None).model_dump(mode="json")
    from flowc.compiler.configs import depends

    data["depends"] = depends(compiled.flow.configs, Path(flow_file))  # config files: checked on a cache hit
    if key is not None and data["source_sha256"] == hashlib.sha256(source).hexdigest():
        store_cached(key, data)
    return LocalPlan.from_data(data), 0


def workers(requested: Optional[int]) -> int:
    return requested if requested and requested > 0 else (os.cpu_count() or 1)


def run_command(args) -> int:
    if args.max_workers is not None and args.max_workers < 1:
        usage_error("--max-workers must be at least 1")
        return 2
    plan, status = compile_plan(args.flow_file, args.flow, config_options(args, args.flow_file))
    if plan is None:
        return status
    try:
        params = parse_params(args.param, plan)
        tags = checked_tags(args.tags)
    except (ParamError, TaggingError) as error:
        usage_error(str(error))
        return 2
    run_id = new_run_id() if args.run_id is None else args.run_id
    if not valid_run_id(run_id):
        usage_error(f"--run-id {run_id!r}: use {RUN_ID_RULE}")
        return 2
    datastore = normalize_datastore(args.datastore)
    from .store import claim_run

    try:
        claimed = claim_run(datastore, plan.flow, run_id)
    except Exception as error:  # a bad URI (ValueError) or an unreachable store (DatastoreError)
        usage_error(f"datastore {datastore}: {error}")
        return 2
    if not claimed:
        usage_error(f"run {plan.flow}/{run_id} already exists in {datastore}; give another --run-id "
                    f"(or `flowc resume {run_id}` to continue it)")
        return 2
    options = RunOptions(flow_file=str(Path(args.flow_file).resolve()), run_id=run_id, datastore=datastore,
                         params=params, tags=tags, max_workers=workers(args.max_workers))
    return execute(plan, options)


def checked_tags(tags: list) -> tuple:
    """`--tag` values, by the runtime's tag rule (a bad one is a usage error before anything runs)."""
    validate_tags(tags)
    return tuple(dict.fromkeys(tags))


def execute(plan: LocalPlan, options: RunOptions, note: str = "") -> int:
    """Run `plan` and say how it went. Everything the person needs is on stderr; stdout stays empty."""
    out = sys.stderr
    out.write(f"flowc run: {plan.flow}/{options.run_id} ({options.max_workers} workers, datastore "
              f"{options.datastore}){note}\n")
    out.flush()
    started = time.monotonic()
    runner = Runner(plan, options, Progress(out))
    try:
        status = runner.run()
    except FlowcError as error:  # the datastore failed under the runner (resume's clones): already reported
        out.write(f"flowc run: {plan.flow}/{options.run_id} stopped: {error}\n")
        return 1
    seconds = time.monotonic() - started
    progress = runner.progress
    if status == 0:
        reused = f", {progress.reused} reused" if progress.reused else ""
        out.write(f"flowc run: {plan.flow}/{options.run_id} finished: {progress.done} tasks{reused} in "
                  f"{seconds:.2f}s. Inspect it with: flowc show {plan.flow}/{options.run_id}\n")
    elif status == 1 and runner.failure is not None and runner.failure.exit_code == 2:
        out.write(f"flowc run: {plan.flow}/{options.run_id} failed after {seconds:.2f}s: a contract error (see "
                  f"above), which `flowc resume` cannot fix (it keeps the run's parameters). Correct what it names (the "
                  f"--param values, the flow, or packages this venv lacks) and run again: {_run_again(options)}\n")
    elif not _recorded(plan, options):
        out.write(f"flowc run: {plan.flow}/{options.run_id} {'failed' if status == 1 else 'interrupted'} after "
                  f"{seconds:.2f}s, before its start step recorded the parameters: nothing to resume. Run it "
                  f"again: {_run_again(options)}\n")
    elif status == 1:
        out.write(f"flowc run: {plan.flow}/{options.run_id} failed after {seconds:.2f}s. Fix the step, then "
                  f"continue with: flowc resume {options.run_id} {_shown(options.flow_file)}\n")
    else:
        out.write(f"flowc run: {plan.flow}/{options.run_id} interrupted; nothing unfinished was committed. "
                  f"Continue with: flowc resume {options.run_id} {_shown(options.flow_file)}\n")
    out.flush()
    return status


def _recorded(plan: LocalPlan, options: RunOptions) -> bool:
    """Whether the run has its run.json (which `flowc resume` needs); True when that cannot be told."""
    from flowc.runtime.datastore import open_datastore

    try:
        return open_datastore(options.datastore).read_run(plan.flow, options.run_id) is not None
    except Exception:  # an unreadable record or store: the hint then stays the usual one
        return True


def _run_again(options: RunOptions) -> str:
    """The `flowc run` command with this run's parameters, for the person to correct."""
    params = [a for name, value in options.params.items()
              for a in ("--param", f"{name}={value if isinstance(value, str) else json.dumps(value)}")]
    return shlex.join(["flowc", "run", _shown(options.flow_file), *params])


def _shown(path: str) -> str:
    try:
        return Path(path).relative_to(Path.cwd()).as_posix()
    except ValueError:
        return path


def resume_command(args) -> int:
    try:
        return _resume(args)
    except FlowcError as error:  # a damaged or unreadable record of the earlier run
        usage_error(f"cannot resume {args.run_id}: {error}")
        return 2


def _resume(args) -> int:
    from flowc.runtime.datastore import open_datastore

    from .resume import Reuse, ResumeError, rerun_steps, write_run_record

    if not valid_run_id(args.run_id):
        usage_error(f"run id {args.run_id!r}: use {RUN_ID_RULE}")
        return 2
    try:
        tags = checked_tags(args.tags)
    except TaggingError as error:
        usage_error(str(error))
        return 2
    if args.max_workers is not None and args.max_workers < 1:
        usage_error("--max-workers must be at least 1")
        return 2
    datastore = normalize_datastore(args.datastore)
    try:
        store = open_datastore(datastore)
        store.runs("_")  # reach it now: a bad URI or an unreachable store is a usage error, not a traceback
    except Exception as error:
        usage_error(f"datastore {datastore}: {error}")
        return 2
    flow_file = args.flow_file
    origin_record = None
    if flow_file is None:
        origin_record, flow_name = _find_run(store, args.run_id, args.flow)
        if origin_record is None:
            return 2
        flow_file = origin_record.get("flow_file")
        if not flow_file:
            usage_error(f"run {flow_name}/{args.run_id} does not say which file it ran; give the flow file: "
                        f"flowc resume {args.run_id} FLOW")
            return 2
    plan, status = compile_plan(flow_file, args.flow, config_options(args, flow_file))
    if plan is None:
        return status
    if origin_record is None:
        origin_record = store.read_run(plan.flow, args.run_id)
        if origin_record is None and args.run_id not in store.runs(plan.flow):
            usage_error(f"no run {plan.flow}/{args.run_id} in {datastore}")
            return 2
        if origin_record is None:  # resuming would silently take the defaults for the --param values it was given
            usage_error(f"run {plan.flow}/{args.run_id} stopped before its start step recorded the parameters (it "
                        f"has no run.json), so nothing of it can be reused: start it again with `flowc run`")
            return 2
    origin_record = origin_record.as_json()
    new_run = new_run_id() if args.run_id_new is None else args.run_id_new
    if not valid_run_id(new_run):
        usage_error(f"--run-id {new_run!r}: use {RUN_ID_RULE}")
        return 2
    from .store import claim_run

    if not claim_run(datastore, plan.flow, new_run):
        usage_error(f"run {plan.flow}/{new_run} already exists in {datastore}; give another --run-id")
        return 2
    try:
        rerun = rerun_steps(store, plan, args.run_id, args.from_step)
    except ResumeError as error:
        usage_error(str(error))
        return 2
    params = dict(origin_record.get("parameters") or {})
    flow_path = str(Path(flow_file).resolve())
    write_run_record(store, plan, dict(origin_record, flow_file=flow_path), args.run_id, new_run, tags)
    options = RunOptions(flow_file=flow_path, run_id=new_run, datastore=datastore, params=params,
                         max_workers=workers(args.max_workers),
                         reuse=Reuse(store, plan.flow, args.run_id, new_run, rerun))
    order = [t.step for t in plan.tasks if t.step in rerun]
    again = ", ".join(order) if order else "only what did not finish"
    return execute(plan, options, note=f"\nflowc run: resuming {args.run_id}; re-running: {again}")


def _find_run(store, run_id: str, flow_class: Optional[str]):
    """(run.json, flow name) of the run with this id, looked up across the datastore's flows."""
    flows = [flow_class] if flow_class else store.flows()
    found = [(store.read_run(flow, run_id), flow) for flow in flows]
    found = [(record, flow) for record, flow in found if record is not None]
    if not found:
        usage_error(f"no run {run_id} in {store.uri}; give the flow file: flowc resume {run_id} FLOW")
        return None, None
    if len(found) > 1:
        usage_error(f"several flows have a run {run_id} ({', '.join(f for _, f in found)}); "
                    "give the flow file or --flow CLASS")
        return None, None
    return found[0]
