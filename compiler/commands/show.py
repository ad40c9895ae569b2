"""`flowc show`: runs, steps, tasks and artifacts in a datastore (built on flowc.runtime's client)."""

from __future__ import annotations


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "show", help="show runs, steps, tasks and artifacts of flows that ran",
        description="FLOW lists its runs; FLOW/RUN shows the run's steps and tasks with status and timings; "
                    "FLOW/RUN/STEP shows one step's tasks. With --artifact NAME, print that artifact "
                    "(of the step's only task, or of the end step for FLOW/RUN). FLOW is the flow class name, "
                    "or a flow file.")
    parser.add_argument("target", metavar="FLOW[/RUN[/STEP]]")
    parser.add_argument("--artifact", metavar="NAME", help="print one artifact's value")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("--datastore", metavar="URI",
                        help="a directory, file:///dir or s3://bucket/prefix "
                             "(default: $FLOWC_DATASTORE or .flowc/ in the current directory)")
    parser.set_defaults(handler=main)


def main(args) -> int:
    from flowc.backends.local.show import show_command

    return show_command(args)
