"""`python -m flowc.runtime task ...`: the command every scheduler runs for every task.

Kept lean: only argparse is imported until a task actually runs, so `--help` starts fast.
"""

from __future__ import annotations

import argparse
import sys

_TASK_HELP = """Run one attempt of one task of a flow (the task contract, DESIGN section 4).

exit codes: 0 success, 1 the step failed, 2 usage/contract error (bad arguments, source mismatch,
missing inputs), 3 not chosen by its switch (nothing committed)."""


def build_parser() -> argparse.ArgumentParser:
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
    task.add_argument("--attempt", required=True, type=int, metavar="N", help="0-based retry attempt")
    task.add_argument("--datastore", required=True, metavar="URI", help="file:///abs/dir, a path, or s3://bucket/prefix")
    task.add_argument("--source-sha256", required=True, metavar="HEX", help="sha256 of the compiled flow file")
    task.add_argument("--inputs", required=True, metavar="WIRING",
                      help="where the inputs are: '', 'a', '@s', 'a,b', 'last@s', 'a|b|c'")
    task.add_argument("--params-json", metavar="JSON",
                      help="start only: parameter values, a JSON object (null: not given, use the default)")
    task.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                      help="start only, repeatable: one parameter value as a string (overrides --params-json); "
                           "an empty value for a default computed at run time means not given")
    task.add_argument("--control-out", metavar="FILE", help="also write the control value (foreach/switch) here")
    task.add_argument("--flow", metavar="CLASS", help="the flow class, when the file holds several")
    return parser


def main(argv: "list | None" = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command != "task":
        parser.print_help(sys.stderr)
        return 2
    from .task import TaskArgs, run_task

    return run_task(TaskArgs(
        flow_file=args.flow_file, step=args.step, run_id=args.run_id, index=args.index, attempt=args.attempt,
        datastore=args.datastore, source_sha256=args.source_sha256, inputs=args.inputs,
        params_json=args.params_json, params=tuple(args.param), control_out=args.control_out, flow=args.flow))
