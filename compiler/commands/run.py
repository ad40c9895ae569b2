"""`flowc run`: compile a flow and execute its plan on this machine (backends/local).

Only argparse lives at module level: `flowc --help` imports every command module, and running flows
needs nothing of that until `main` is called.
"""

from __future__ import annotations

import os


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "run", help="run a flow here, in parallel, with the same task command the schedulers use",
        description="Compile FLOW and execute it on this machine: every task is `python -m flowc.runtime "
                    "task ...`, run in a pool of processes. Exit 0 when the run finished, 1 when the flow "
                    "has problems or a task failed, 2 on usage errors, 130 when interrupted.")
    parser.add_argument("flow_file", metavar="FLOW", help="the flow file")
    add_run_options(parser)
    parser.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                        help="a parameter value (repeat for several); converted by the parameter's type")
    parser.add_argument("--run-id", metavar="ID", help="the run id (default: start time + random suffix)")
    parser.set_defaults(handler=main)


def add_run_options(parser) -> None:
    """Options `flowc run` and `flowc resume` share."""
    parser.add_argument("--flow", metavar="CLASS", help="the flow class to use when a file defines several")
    parser.add_argument("--datastore", metavar="URI",
                        help="where artifacts go: a directory, file:///dir or s3://bucket/prefix "
                             "(default: $FLOWC_DATASTORE or .flowc/ in the current directory)")
    from .common import add_config_options

    add_config_options(parser)
    parser.add_argument("--max-workers", type=int, metavar="N",
                        help=f"tasks run at the same time (default: CPU count, {os.cpu_count() or 1} here)")
    parser.add_argument("--tag", dest="tags", action="append", default=[], metavar="TAG",
                        help="a user tag of the new run (repeat for several); the client can change them later")


def main(args) -> int:
    from flowc.backends.local.execute import run_command

    return run_command(args)
