"""`python -m flowc.runtime task ...`: the command every scheduler runs for every task.

Kept lean: a well-formed `task` command line is read by a small exact parser (argparse, with its
gettext lookups, costs a few milliseconds on every task); anything else (help, errors, abbreviations)
goes to argparse, which also prints the usage messages.
"""

from __future__ import annotations

import sys

# option -> TaskArgs field; every option takes one value
_OPTIONS = {"--run-id": "run_id", "--index": "index", "--attempt": "attempt", "--datastore": "datastore",
            "--source-sha256": "source_sha256", "--inputs": "inputs", "--params-json": "params_json",
            "--control-out": "control_out", "--flow": "flow", "--param": "param", "--tag": "tag",
            "--configs": "configs"}
_REPEATABLE = ("param", "tag")
_REQUIRED = {"run_id", "index", "attempt", "datastore", "source_sha256", "inputs"}

_TASK_HELP = """Run one attempt of one task of a flow (the task contract, DESIGN section 4).

exit codes: 0 success, 1 the step failed, 2 usage/contract error (bad arguments, source mismatch,
missing inputs), 3 not chosen by its switch (nothing committed)."""


def fast_parse(argv: list) -> "dict | None":
    """The task command's fields from a well-formed `task` command line; None for anything else."""
    if len(argv) < 3 or argv[0] != "task":
        return None
    positional: list = []
    values: dict = {"param": [], "tag": []}
    i = 1
    while i < len(argv):
        arg = argv[i]
        if arg.startswith("-") and arg != "-":
            option, equals, value = arg.partition("=")
            field = _OPTIONS.get(option)
            if field is None:
                return None
            if not equals:
                if i + 1 >= len(argv):
                    return None
                i += 1
                value = argv[i]
            if field in _REPEATABLE:
                values[field].append(value)
            elif field in values:
                return None
            else:
                values[field] = value
        else:
            positional.append(arg)
        i += 1
    if len(positional) != 2 or not _REQUIRED <= values.keys():
        return None
    try:
        values["attempt"] = attempt_number(values["attempt"])
    except ValueError:
        return None
    values["flow_file"], values["step"] = positional
    return values


AUTO = "auto"


def attempt_number(text: str) -> "int | None":
    """`--attempt N`, or `auto` (None): the runtime allocates the next attempt number in the datastore, for
    schedulers that count no retries (Kubeflow Pipelines)."""
    return None if text == AUTO else int(text)


def build_parser():
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m flowc.runtime",
        description="The flowc runtime: runs one task of a compiled flow and records it in the datastore.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    task = commands.add_parser("task", help="run one attempt of one task", description=_TASK_HELP,
                               formatter_class=argparse.RawDescriptionHelpFormatter)
    task.add_argument("flow_file", metavar="FLOW_FILE", help="the flow's source file")
    task.add_argument("step", metavar="STEP", help="the step to run")
    task.add_argument("--run-id", required=True, metavar="RUN", help="the run's identity, from the scheduler")
    task.add_argument("--index", required=True, metavar="PATH",
                      help="foreach position, outer first: '' (none), '3', '3/0'")
    task.add_argument("--attempt", required=True, type=attempt_number, metavar="N",
                      help="0-based retry attempt, or 'auto': the next free attempt number in the datastore")
    task.add_argument("--datastore", required=True, metavar="URI", help="file:///abs/dir, a path, or s3://bucket/prefix")
    task.add_argument("--source-sha256", required=True, metavar="HEX", help="sha256 of the compiled flow file")
    task.add_argument("--inputs", required=True, metavar="WIRING",
                      help="where the inputs are: '', 'a', '@s', 'a,b', 'last@s', 'a|b|c'")
    task.add_argument("--params-json", metavar="JSON",
                      help="start only: parameter values, a JSON object (null: not given, use the default)")
    task.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                      help="start only, repeatable: one parameter value as a string (overrides --params-json); "
                           "an empty value for a default computed at run time means not given")
    task.add_argument("--tag", action="append", default=[], metavar="TAG",
                      help="start only, repeatable: a user tag of the run (recorded in run.json)")
    task.add_argument("--control-out", metavar="FILE", help="also write the control value (foreach/switch) here")
    task.add_argument("--flow", metavar="CLASS", help="the flow class, when the file holds several")
    task.add_argument("--configs", metavar="BASE64URL",
                      help="the flow's config values, resolved by the compiler: base64url of a JSON object")
    return parser


def main(argv: "list | None" = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    fields = fast_parse(argv)
    if fields is None:
        parser = build_parser()
        args = parser.parse_args(argv)
        if args.command != "task":
            parser.print_help(sys.stderr)
            return 2
        fields = vars(args)
    from .task import TaskArgs, run_task

    return run_task(TaskArgs(
        flow_file=fields["flow_file"], step=fields["step"], run_id=fields["run_id"], index=fields["index"],
        attempt=fields["attempt"], datastore=fields["datastore"], source_sha256=fields["source_sha256"],
        inputs=fields["inputs"], params_json=fields.get("params_json"), params=tuple(fields["param"]),
        control_out=fields.get("control_out"), flow=fields.get("flow"), tags=tuple(fields["tag"]),
        configs=fields.get("configs")))
