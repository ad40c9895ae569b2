"""One attempt of one task: `python -m flowc.runtime task ...` (DESIGN section 4).

The order of work is what makes the commit protocol hold:

1. check the arguments and the source pinning (exit 2), import the flow, read the inputs' commit
   records (exit 2 if one is missing, exit 3 if a switch skipped this branch);
2. open attempt-N/ (meta.json says "running"; stdout/stderr are teed into it);
3. run the step (with @environment, @timeout, @catch), save every artifact as a content-addressed
   blob, then artifacts.json and the final meta.json (a step that raised keeps what it had in
   artifacts.json too, best effort, for the client; it writes no done.json);
4. write done.json last: until then the attempt is invisible to every reader. An attempt never
   replaces the commit of a later attempt, and a failed attempt leaves the commit it found alone.

meta.json: {"flow", "run_id", "step", "index", "task_id", "attempt", "status": running|succeeded|failed,
"started_at", "finished_at", "duration_s", "host", "pid", "python_version", "flowc_version",
"source_sha256", "retry_times", "exit_code", "error": null|{"type", "message", "traceback"},
"caught": null|{"var", "type", "message"}}.
"""

from __future__ import annotations

from collections import namedtuple

import contextlib
import hashlib
import json
import os
import signal
import sys
import time
from pathlib import Path

from . import configs, layout, parameters
from .blobs import PickleError
from .context import Lazy, current
from .datastore import CLAIM, Datastore, TaskRef, open_datastore
from .deadline import deadline
from .decorators import (RESERVED_ENV_PREFIX, flow_decorators, positional_arity, reserved_variables, retry_times,
                         step_decorators, timeout_seconds)
from .errors import (EXIT_OK, EXIT_USER, CaughtException, ContractError, DatastoreError, FlowcError,
                     SkippedTask, StepTimeout, Terminated)
from .flowspec import (FlowSpec, Inputs, StepState, Transition, assigned_artifacts, class_constants, new_flow,
                       unchanged_load)
from .loader import find_flow_class, import_flow_module
from .logs import LogTee
from .tags import TaggingError, identity, project_branch, run_tags, system_tags, username, validate_tags
from .wiring import Resolved, Wiring, parse_wiring, resolve

_RUNTIME_DIR = str(Path(__file__).resolve().parent)
_PYTHON = "%d.%d.%d" % sys.version_info[:3]


class TaskArgs(namedtuple("TaskArgs", "flow_file step run_id index attempt datastore source_sha256 inputs "
                                   "params_json params control_out flow tags configs",
                          defaults=(None, (), None, None, (), None))):
    """The task command's arguments (see flowc.runtime.cli); params are "NAME=VALUE" strings; tags are the
    run's user tags (start only)."""

    __slots__ = ()


def run_task(args: TaskArgs) -> int:
    """Run one attempt; return the exit code. Messages go to stderr."""
    tee = LogTee()
    attempt = _Attempt(args, tee)
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        return attempt.run()
    except Terminated as stop:
        attempt.record_failure(stop, Terminated.exit_code)
        print("flowc: terminated (SIGTERM); nothing committed", file=sys.stderr)
        return Terminated.exit_code
    except SkippedTask as skip:
        print(str(skip), file=sys.stderr)
        return skip.exit_code
    except FlowcError as error:
        print(f"flowc: {error}", file=sys.stderr)
        return error.exit_code
    finally:
        signal.signal(signal.SIGTERM, previous)
        tee.stop()


def _terminate(signum, frame):
    # Once: a killed `flowc run` can signal its task again (PR_SET_PDEATHSIG fires as each of its threads dies),
    # and a second Terminated would cut the failure record short.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise Terminated("the task received SIGTERM")


class _Attempt:
    def __init__(self, args: TaskArgs, tee: LogTee):
        self.args = args
        self.tee = tee
        self.meta: dict = {}
        self.started = time.time()
        self.opened: tuple | None = None  # (datastore, task, log folder) once attempt-N exists
        self.claim: str | None = None  # the claim of attempt-N this process holds (auto takes .claim as it picks N)
        self.committed = False  # done.json is written: the attempt succeeded, whatever fails after it

    # -- the whole attempt ------------------------------------------------------------------------
    def run(self) -> int:
        args = self.args
        wiring, given = self._check_arguments()
        path = Path(args.flow_file)
        self._check_source(path)
        if args.configs is not None:  # before the import: a Parameter's type may come from a config's value
            configs.install(configs.decode(args.configs))
        try:
            datastore = open_datastore(args.datastore)
        except ValueError as error:
            raise ContractError(str(error)) from None

        self.tee.start()
        try:
            module = import_flow_module(path)
        except (ContractError, Terminated):
            raise
        except BaseException as error:
            _print_user_traceback(error, f"the flow file {path} failed to import")
            return EXIT_USER
        cls = find_flow_class(module, path, args.flow)
        func = self._step_function(cls, wiring)
        me = TaskRef(cls.__name__, args.run_id, args.step, args.index)

        try:
            resolved = resolve(datastore, me, wiring)
        except SkippedTask as skip:
            with contextlib.suppress(DatastoreError):
                if datastore.read_done(me) is None:
                    datastore.write_skipped(me, skip.switch, skip.chosen)
            raise
        done = datastore.read_done(me)
        if done is not None and args.attempt is None:  # a scheduler retry after a commit: nothing to do
            print(f"flowc: {me.pathspec} already committed attempt {done.attempt}; nothing to do", file=sys.stderr)
            self._write_control_out(done.control_value)
            return EXIT_OK
        if args.attempt is None:
            self.args = args = args._replace(attempt=datastore.claim_attempt(me))
            self.claim = CLAIM
        if done is not None and done.attempt >= args.attempt:
            print(f"flowc: {me.pathspec} already committed attempt {done.attempt}; nothing to do", file=sys.stderr)
            self._publish_control(datastore, me, done.control_value)
            return EXIT_OK
        return self._execute(datastore, cls, func, me, wiring, resolved, given)

    def _check_arguments(self) -> tuple[Wiring, dict]:
        args = self.args
        try:
            layout.check_name("step", args.step)
            layout.check_run_id(args.run_id)
            layout.check_index(args.index)
        except ValueError as error:
            raise ContractError(str(error)) from None
        if args.attempt is not None and args.attempt < 0:
            raise ContractError(f"bad --attempt {args.attempt}: attempts count from 0")
        wiring = parse_wiring(args.inputs)
        given: dict = {}
        if args.params_json not in (None, "") and args.step == "start":
            try:
                given = json.loads(args.params_json)
            except ValueError as error:
                raise ContractError(f"--params-json is not valid JSON: {error}") from None
            if not isinstance(given, dict):
                raise ContractError("--params-json must be a JSON object: {\"name\": value, ...}")
            given = {name: value for name, value in given.items() if value is not None}  # null: not given
        self.empty_params: set = set()
        for item in args.params:
            name, equals, value = item.partition("=")
            if not equals or not name:
                raise ContractError(f"bad --param {item!r}: expected NAME=VALUE")
            given[name] = value
            if value == "":
                self.empty_params.add(name)
            else:
                self.empty_params.discard(name)
        if args.step == "start" and wiring.kind != "start":
            raise ContractError(f"start takes --inputs '', not {args.inputs!r}")
        return wiring, given

    def _check_source(self, path: Path) -> None:
        try:
            data = path.read_bytes()
        except OSError as error:
            raise ContractError(f"cannot read the flow file {path}: {error.strerror or error}") from None
        actual = hashlib.sha256(data).hexdigest()
        expected = self.args.source_sha256.lower()
        if actual != expected:
            raise ContractError(
                f"{path} changed since the workflow was compiled (sha256 {actual[:12]}..., compiled from "
                f"{expected[:12]}...): recompile the workflow with flowc and deploy it again")
        self.source_sha256 = actual

    def _step_function(self, cls: type, wiring: Wiring):
        step = self.args.step
        func = cls.__dict__.get(step) or getattr(cls, step, None)
        if func is None or not getattr(func, "is_step", False):
            raise ContractError(f"{cls.__name__} has no @step {step!r}")
        takes_inputs = _takes_inputs(func)
        if wiring.is_join and takes_inputs is False:
            raise ContractError(f"step {step!r} is wired as a join ({self.args.inputs!r}) but is not "
                                f"`def {step}(self, inputs)`: recompile the workflow")
        if not wiring.is_join and takes_inputs is True:
            raise ContractError(f"step {step!r} is a join (self, inputs) but is wired as {self.args.inputs!r}: "
                                f"recompile the workflow")
        return func

    # -- running the step -------------------------------------------------------------------------
    def _execute(self, datastore: Datastore, cls: type, func, me: TaskRef, wiring: Wiring,
                 resolved: Resolved, given: dict) -> int:
        args = self.args
        decorators = step_decorators(func)
        reserved = reserved_variables(decorators.get("environment", {}).get("vars", {}))
        if reserved:
            raise ContractError(f"@environment on step {args.step!r} sets {', '.join(reserved)}: names starting "
                                f"with {RESERVED_ENV_PREFIX} are flowc's own task variables; rename them")
        flow_level = flow_decorators(cls)
        _check_requirements(args.step, decorators, flow_level)
        project = flow_level.get("project") or {}
        param_names = {p.attribute for p in parameters.flow_parameters(cls)} | set(configs.flow_configs(cls))
        log_dir = self._open_attempt(datastore, me, decorators, resolved.parents)
        _load_secret_dirs()
        problem = _set_inline_secrets(decorators.get("secrets") or {})
        if problem:  # as under Metaflow, the attempt fails before the step runs
            return self._fail(datastore, me, FlowcError(problem), log_dir, show_traceback=False)
        for name, value in decorators.get("environment", {}).get("vars", {}).items():
            os.environ[str(name)] = str(value)  # before Parameters: their defaults may read it
        self.cards = None
        if decorators.get("card"):
            from .cardtask import open_cards

            self.cards = open_cards(decorators)
        run_record = Lazy(lambda: datastore.read_run(me.flow, me.run_id))
        self._set_current(datastore, me, param_names, project, run_record)

        try:
            if args.step == "start":
                artifacts = self._start_parameters(datastore, cls, me, given, project, run_record)
            elif wiring.is_join:
                passed_down = param_names | class_constants(cls)  # a join sees these before it merges
                artifacts = {n: i for n, i in resolved.artifacts.items() if n in passed_down}
            else:
                artifacts = resolved.artifacts
            state = StepState(datastore, me.flow, me.step, artifacts, resolved.frames, param_names,
                              is_join=wiring.is_join)
            flow = new_flow(cls, state)
            call = [flow]
            if wiring.is_join:
                call.append(Inputs([
                    new_flow(cls, StepState(datastore, me.flow, p.ref.step, p.artifacts, p.frames, param_names,
                                            readonly=True))
                    for p in resolved.parents]))

            error = _run_step(func, call, timeout_seconds(decorators), me.step)
            if isinstance(error, (DatastoreError, Terminated)):  # not the user code's failure
                raise error
            caught = None
            if error is not None:
                caught = self._maybe_catch(error, flow, decorators)
                if caught is None:
                    return self._fail(datastore, me, error, log_dir, keep=(flow, state))
            elif (decorators.get("catch") or {}).get("var"):
                setattr(flow, decorators["catch"]["var"], None)  # as in Metaflow: None when nothing failed
            return self._commit(datastore, me, flow, state, caught, log_dir)
        except DatastoreError as error:
            if not self.committed:  # after the commit (control.json failed), meta.json's "succeeded" stays true
                self._finish_meta(datastore, me, "failed", EXIT_USER, _error_record(error, ""), log_dir, quiet=True)
            raise
        except (parameters.ParameterError, TaggingError) as error:  # bad --param or --tag values
            self._finish_meta(datastore, me, "failed", 2, _error_record(error, ""), log_dir, quiet=True)
            raise ContractError(str(error)) from None

    def _open_attempt(self, datastore: Datastore, me: TaskRef, decorators: dict, parents: list) -> Path:
        """Claim attempt-N, write its meta.json "running"; start writing the logs. Returns the log folder."""
        args = self.args
        if self.claim is None:
            self.claim, holder = datastore.take_attempt(me, args.attempt)
            if holder is not None:
                raise ContractError(f"attempt {args.attempt} of {me.pathspec} is taken by another process "
                                    f"({holder}); two runs of one attempt must not interleave: run another "
                                    f"attempt number, or --attempt auto")
        if datastore.is_local:
            log_dir = datastore.storage.root / me.attempt_key(args.attempt)
            try:
                log_dir.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise DatastoreError(f"cannot write {log_dir}: {error.strerror or error}") from None
        else:
            import tempfile

            log_dir = Path(tempfile.mkdtemp(prefix="flowc-logs-"))
        self.meta = {
            "flow": me.flow, "run_id": me.run_id, "step": me.step, "index": me.index, "task_id": me.task_id,
            "attempt": args.attempt, "status": "running", "started_at": _iso(self.started), "finished_at": None,
            "duration_s": None, "host": os.uname().nodename, "pid": os.getpid(),
            "python_version": _PYTHON, "flowc_version": flowc_version(),
            "source_sha256": self.source_sha256, "retry_times": retry_times(decorators), "exit_code": None,
            "error": None, "caught": None, "claim": self.claim,
            "parents": [f"{p.ref.step}/{p.ref.task_id}" for p in parents],
        }
        datastore.write_meta(me, args.attempt, self.meta)
        self.opened = (datastore, me, log_dir)
        self.tee.attach(log_dir / "stdout.log", log_dir / "stderr.log")
        return log_dir

    def record_failure(self, error: BaseException, exit_code: int) -> None:
        """Best effort: mark the open attempt failed (used when the task is stopped from outside)."""
        if self.opened is not None and self.meta.get("status") == "running":
            datastore, me, log_dir = self.opened
            record = {"type": type(error).__name__, "message": str(error), "traceback": ""}
            self._finish_meta(datastore, me, "failed", exit_code, record, log_dir, quiet=True)

    def _set_current(self, datastore: Datastore, me: TaskRef, param_names: set, project: dict,
                     run_record: Lazy) -> None:
        """`current` for the step; the fields that need run.json read it through `run_record`, once."""

        def origin() -> str | None:
            record = run_record() or {}
            return record.get("origin_run_id")

        def project_fields() -> dict | None:
            """@project's current fields; the branch is the one the run started on (run.json's system tag)."""
            if not project.get("name"):
                return None
            record = run_record()
            tagged = [t for t in (record.system_tags if record else ()) if t.startswith("project_branch:")]
            branch = tagged[0].partition(":")[2] if tagged else project_branch(project, username())
            return {"project_name": project["name"], "branch_name": branch,
                    "is_production": bool(project.get("production")),
                    "is_user_branch": not project.get("branch") and not project.get("production"),
                    "project_flow_name": f"{project['name']}.{branch}.{me.flow}"}

        def client_run():
            from .client import Run

            return Run(f"{me.flow}/{me.run_id}", datastore, _namespace_check=False, _reader=run_record)

        def client_task():
            from .client import Step, Task

            return Task(Step(run(), me.step), me.index)

        run = Lazy(client_run)  # current.run, and current.task's run

        current._set(flow_name=me.flow, run_id=me.run_id, step_name=me.step, task_id=me.task_id,
                     retry_count=self.args.attempt, origin_run_id=Lazy(origin), username=username(),
                     parameter_names=sorted(param_names), project=Lazy(project_fields),
                     datastore=datastore.uri, card=self.cards, namespace=identity(),
                     tags=Lazy(lambda: set(run_tags(datastore, me.flow, me.run_id, run_record())[0])),
                     run=run, task=Lazy(client_task))

    def _start_parameters(self, datastore: Datastore, cls: type, me: TaskRef, given: dict, project: dict,
                          run_record: Lazy) -> dict:
        if self.empty_params:  # `--param name=` means "not given" for a default computed at run time
            computed = parameters.computed_defaults(Path(self.args.flow_file), cls)
            given = {k: v for k, v in given.items() if not (k in self.empty_params and k in computed)}
        values, shown = parameters.resolve(cls, given, me.flow)
        artifacts = {}
        for attribute, value in values.items():
            artifacts[attribute] = datastore.save_artifact(me.flow, value, attribute)
        for attribute, config in configs.flow_configs(cls).items():  # artifacts too, as plain values (Metaflow's way)
            artifacts[attribute] = datastore.save_artifact(me.flow, configs.resolve(config), attribute)
        # class-level values are artifacts too, as in Metaflow (read-only: flowspec.py)
        for name in sorted(class_constants(cls) - set(artifacts)):
            artifacts[name] = datastore.save_artifact(me.flow, getattr(cls, name), name)
        if run_record() is None:  # the record written is the one `current` reads
            run_record.set(datastore.write_run(me.flow, me.run_id, {
                "flow": me.flow, "flow_file": self.args.flow_file, "run_id": me.run_id, "parameters": {k: _jsonable(v) for k, v in shown.items()}, "source_sha256": self.source_sha256,
                "flowc_version": flowc_version(), "python_version": _PYTHON,
                "started_at": _iso(self.started), "origin_run_id": None,
                "tags": validate_tags(self.args.tags), "system_tags": system_tags(project, flowc_version()),
            }))
        return artifacts

    def _maybe_catch(self, error: BaseException, flow: FlowSpec, decorators: dict) -> dict | None:
        """On the last attempt, @catch stores the exception and the task goes on. Returns what was caught."""
        settings = decorators.get("catch")
        last = self.args.attempt >= retry_times(decorators)
        if settings is None or not last or not isinstance(error, Exception):
            return None
        text = _user_traceback_text(error)
        if settings.get("print_exception", True):
            print(f"@catch: step {self.args.step!r} failed; going on (the exception is stored in "
                  f"self.{settings.get('var')}):\n{text}", file=sys.stderr, end="")
        var = settings.get("var")
        if var:
            setattr(flow, var, CaughtException.wrap(error, text))
        return {"var": var, "type": type(error).__name__, "message": str(error)}

    # -- commit -----------------------------------------------------------------------------------
    def _commit(self, datastore: Datastore, me: TaskRef, flow: FlowSpec, state: StepState,
                caught: dict | None, log_dir: Path) -> int:
        args = self.args
        transition = state.transition
        problem = _transition_problem(me.step, transition, caught, args.control_out is not None)
        if problem:
            return self._fail(datastore, me, FlowcError(problem), log_dir, show_traceback=False, keep=(flow, state))
        try:
            artifacts = self._save_artifacts(datastore, me, flow, state)
            control, foreach = None, None
            if transition is not None and transition.kind == "foreach":
                shas = [sha for sha, _ in datastore.save_values(me.flow, transition.items, transition.foreach)]
                datastore.write_foreach_items(me, args.attempt, shas)
                control = [layout.child_index(me.index, i) for i in range(len(shas))]
                foreach = {"var": transition.foreach, "num_splits": len(shas)}
            elif transition is not None and transition.kind == "switch":
                control = transition.chosen
        except PickleError as error:
            return self._fail(datastore, me, error, log_dir, show_traceback=False)

        if self.cards is not None:
            self._write_cards(datastore, me, flow, state, artifacts, caught)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # every value is stored: from here the attempt commits
        datastore.write_artifacts(me, args.attempt, artifacts)
        self.meta["caught"] = caught
        self._finish_meta(datastore, me, "succeeded", EXIT_OK, None, log_dir)
        record = {
            "flow": me.flow, "run_id": me.run_id, "step": me.step, "index": me.index, "attempt": args.attempt,
            "control": None if foreach else control,  # a split's children follow from "foreach": O(1) bytes
            "artifacts": artifacts, "foreach_stack": state.frames, "foreach": foreach,
            "source_sha256": self.source_sha256, "committed_at": _iso(time.time()), "origin": None,
        }
        existing = datastore.read_done(me)
        if existing is not None and existing.attempt > args.attempt:
            print(f"flowc: attempt {existing.attempt} of {me.pathspec} committed meanwhile; keeping it",
                  file=sys.stderr)
            self._publish_control(datastore, me, existing.control_value)
            return EXIT_OK
        datastore.write_done(me, record)
        self.committed = True
        self._publish_control(datastore, me, control)
        return EXIT_OK

    def _save_artifacts(self, datastore: Datastore, me: TaskRef, flow: FlowSpec, state: StepState,
                        skip_unpicklable: bool = False) -> dict:
        """Store the step's artifacts (inherited ones by reference); their artifacts.json record."""
        artifacts = dict(state.artifacts)
        for name, value in assigned_artifacts(flow).items():
            if unchanged_load(state, name, value):
                continue
            try:
                artifacts[name] = datastore.save_artifact(me.flow, value, name)
            except PickleError as error:
                if not skip_unpicklable:
                    raise
                print(f"flowc: {error}; the failed attempt keeps its other artifacts", file=sys.stderr)
                artifacts.pop(name, None)  # never the inherited value the step replaced
        return artifacts

    def _keep_failed_artifacts(self, datastore: Datastore, me: TaskRef, flow: FlowSpec, state: StepState) -> None:
        """As Metaflow does, a failed attempt keeps the artifacts it had (inherited and set before the error) in
        attempt-N/artifacts.json, for the client to inspect; no done.json, so nothing downstream reads them.
        Best effort: a failure here is a note on stderr, never the attempt's error or exit code."""
        try:
            datastore.write_artifacts(me, self.args.attempt, self._save_artifacts(datastore, me, flow, state,
                                                                                  skip_unpicklable=True))
        except Exception as error:  # DatastoreError, DamagedRecord, anything a value's pickling raises
            print(f"flowc: the failed attempt's artifacts were not kept: {error}", file=sys.stderr)

    def _write_cards(self, datastore: Datastore, me: TaskRef, flow: FlowSpec, state: StepState, artifacts: dict,
                     caught: dict | None) -> None:
        """Render the step's @card pages into the attempt (never fails the task: see flowc.runtime.cardtask)."""
        from .cardtask import REPR_LOAD_LIMIT, TaskFacts, write_cards

        def value(name: str) -> object:
            if name in flow.__dict__:
                return flow.__dict__[name]
            size = artifacts[name].get("size") or 0
            if size > REPR_LOAD_LIMIT:
                raise ValueError(f"{size} bytes; not loaded for the card")
            return getattr(flow, name)

        params = {}
        for name in state.parameter_names:
            with contextlib.suppress(Exception):
                params[name] = getattr(flow, name)
        status = "succeeded" if caught is None else f"succeeded; @catch caught {caught['type']}: {caught['message']}"
        facts = TaskFacts(me.pathspec, self.args.attempt, self.meta.get("started_at") or "", status, params,
                          artifacts, value)
        write_cards(datastore, me, self.args.attempt, self.cards, facts)

    def _fail(self, datastore: Datastore, me: TaskRef, error: BaseException, log_dir: Path,
              show_traceback: bool = True, keep: tuple | None = None) -> int:
        """Record the attempt as failed (exit 1); `keep`: (flow, state) whose artifacts the attempt keeps."""
        if show_traceback:
            text = _print_user_traceback(error, f"step {me.step!r} failed")
        else:
            text = ""
            print(f"flowc: {error}", file=sys.stderr)
        if keep is not None:
            self._keep_failed_artifacts(datastore, me, *keep)
        self._finish_meta(datastore, me, "failed", EXIT_USER, _error_record(error, text), log_dir)
        return EXIT_USER

    def _finish_meta(self, datastore: Datastore, me: TaskRef, status: str, exit_code: int,
                     error: dict | None, log_dir: Path, quiet: bool = False) -> None:
        """Final meta.json and, for a remote datastore, the logs. Best effort when already failing."""
        if not self.meta:
            return
        finished = time.time()
        self.meta.update(status=status, exit_code=exit_code, error=error, finished_at=_iso(finished),
                         duration_s=round(finished - self.started, 3))
        try:
            datastore.write_meta(me, self.args.attempt, self.meta)
            if not datastore.is_local:
                self.tee.stop()
                for stream in ("stdout", "stderr"):
                    log = log_dir / f"{stream}.log"
                    if log.exists():
                        datastore.storage.write_bytes(datastore.log_key(me, self.args.attempt, stream),
                                                      log.read_bytes())
                import shutil

                shutil.rmtree(log_dir, ignore_errors=True)
        except DatastoreError:
            if not quiet:
                raise

    def _publish_control(self, datastore: Datastore, me: TaskRef, control: object) -> None:
        """The committed control value, for every kind of scheduler: in the datastore (control.json, rewritten
        by a re-run that finds the task committed, so a crash between the two writes heals) and in
        --control-out."""
        if control is not None:
            datastore.write_control(me, control)
        self._write_control_out(control)

    def _write_control_out(self, control: object) -> None:
        if self.args.control_out is None or control is None:
            return
        text = control if isinstance(control, str) else json.dumps(control)
        try:
            path = Path(self.args.control_out)
            path.parent.mkdir(parents=True, exist_ok=True)  # a scheduler may leave creating it to the task (KFP)
            path.write_text(text)
        except OSError as error:
            raise ContractError(f"cannot write --control-out {self.args.control_out}: "
                                f"{error.strerror or error}") from None


def _load_secret_dirs() -> None:
    """Secrets mounted as folders (one file per key, as Kubernetes mounts a Secret) become environment
    variables: FLOWC_SECRET_DIRS lists the folders (':'-separated). Kubeflow delivers @secrets this way: it
    cannot turn a whole Secret into environment variables without naming every key."""
    for folder in filter(None, os.environ.get("FLOWC_SECRET_DIRS", "").split(":")):
        try:
            names = sorted(n for n in os.listdir(folder) if not n.startswith("."))
        except OSError as error:
            raise ContractError(f"cannot read the secrets folder {folder}: {error.strerror or error}") from None
        for name in names:
            path = os.path.join(folder, name)
            if os.path.isfile(path):
                with open(path, encoding="utf-8", errors="surrogateescape") as handle:
                    os.environ[name] = handle.read()


def _check_requirements(step: str, decorators: dict, flow_level: dict) -> None:
    """@pypi/@conda: the image must hold what the step pins (flowc builds no environments); exit 2 if not."""
    if not any(name in decorators or f"{name}_base" in flow_level for name in ("pypi", "conda")):
        return  # most steps pin nothing: the check's module (and importlib.metadata) stay unloaded
    from .requirements import CHECK_VARIABLE, merged, problems

    try:
        wanted = merged(decorators, flow_level)
    except (AttributeError, TypeError):  # only a flow that `flowc check` refused gets here
        raise ContractError(f"@pypi/@conda on step {step!r} take packages={{'name': 'version', ...}}, "
                            f"python='3.11' and disabled=True/False") from None
    if not wanted:
        return
    errors, warnings = problems(wanted)
    if os.environ.get(CHECK_VARIABLE, "").lower() == "warn":
        errors, warnings = [], warnings + errors
    for warning in warnings:
        print(f"flowc: warning: step {step!r}: {warning}", file=sys.stderr)
    if errors:
        lines = "\n".join(f"  - {error}" for error in errors)
        raise ContractError(f"step {step!r} needs what its @pypi/@conda pin, which this task's Python lacks:\n{lines}\n"
                            f"flowc does not build environments: the task image (or the venv of `flowc run`) "
                            f"must provide what @pypi/@conda pin; `flowc requirements FLOW` prints them as a pip "
                            f"requirements file ({CHECK_VARIABLE}=warn runs the step anyway)")


def _set_inline_secrets(settings: dict) -> str | None:
    """@secrets sources {"type": "inline", "id": ..., "options": {"env_vars": {...}}} hold their values in the
    flow; every target gets them here (the compiler checked the names). Metaflow's rules: no variable set by
    two sources, none that already exists unless allow_override=True. Returns the problem, if any."""
    found: dict = {}
    for source in settings.get("sources") or ():
        if not isinstance(source, dict) or source.get("type") != "inline":
            continue
        for name, value in ((source.get("options") or {}).get("env_vars") or {}).items():
            if name in found:
                return f"@secrets: secret {source.get('id')!r} sets {name!r}, and {found[name]!r} sets it too"
            if name in os.environ and not settings.get("allow_override"):
                return (f"@secrets: secret {source.get('id')!r} sets {name!r}, which already exists in the "
                        f"environment (allow_override=True replaces it)")
            found[name] = source.get("id")
            os.environ[name] = str(value)
    return None


def _run_step(func, call: list, seconds: int, step: str) -> BaseException | None:
    """Call the step function; return the exception it raised (None on success)."""
    try:
        with deadline(seconds, lambda: StepTimeout(f"step {step!r} timed out after {seconds} seconds (@timeout)")):
            func(*call)
    except SystemExit as error:
        return RuntimeError(f"step {step!r} called sys.exit({error.code!r})")
    except BaseException as error:  # KeyboardInterrupt included: the attempt failed
        return error
    return None


def _transition_problem(step: str, transition: Transition | None, caught: dict | None,
                        wants_control: bool) -> str | None:
    if step == "end":
        if transition is not None:
            return "the end step must not call self.next()"
        return None
    if transition is None:
        if caught is None:
            return f"step {step!r} finished without calling self.next(); end every step but `end` with it"
        if wants_control:
            return (f"@catch caught an exception in step {step!r} before its self.next() chose a foreach or a "
                    f"switch, so the flow cannot go on (do not use @catch on foreach or switch steps)")
        return None
    if wants_control and transition.kind not in ("foreach", "switch"):
        return (f"step {step!r} was compiled as a foreach or switch (--control-out) but called "
                f"self.next() without foreach= or condition=: recompile the workflow")
    return None


def _takes_inputs(func) -> bool | None:
    """True for (self, inputs), False for (self), None when the signature cannot tell (*args)."""
    arity = positional_arity(func)
    return None if arity is None else arity >= 2


def _user_traceback_text(error: BaseException) -> str:
    tb = error.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename.startswith(_RUNTIME_DIR):
        tb = tb.tb_next
    import traceback

    return "".join(traceback.format_exception(type(error), error, tb or error.__traceback__))


def _print_user_traceback(error: BaseException, headline: str) -> str:
    text = _user_traceback_text(error)
    print(f"flowc: {headline}:\n{text}", file=sys.stderr, end="")
    return text


def _error_record(error: BaseException, text: str) -> dict:
    kind = type(error)
    return {"type": f"{kind.__module__}.{kind.__qualname__}" if kind.__module__ != "builtins" else kind.__qualname__,
            "message": str(error), "traceback": text}


def _jsonable(value: object) -> object:
    try:
        json.dumps(value)
        return value
    except (TypeError, ValueError):
        return repr(value)


def _iso(timestamp: float) -> str:
    seconds = int(timestamp)
    millis = min(999, int((timestamp - seconds) * 1000))
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{millis:03d}+00:00"


_VERSION: str | None = None


def flowc_version() -> str:
    """The installed flowc's version, read from its dist-info (importlib.metadata costs ~50 ms to import)."""
    global _VERSION
    if _VERSION is None:
        _VERSION = "unknown"
        for entry in sys.path:
            try:
                names = [n for n in os.listdir(entry or ".") if n.startswith("flowc-") and n.endswith(".dist-info")]
            except OSError:
                continue
            if names:
                version = names[0][len("flowc-"):-len(".dist-info")]
                _VERSION = version.replace("_", "-")
                break
    return _VERSION
