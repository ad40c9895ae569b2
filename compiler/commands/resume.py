"""`flowc resume`: continue a failed or interrupted run as a new run that reuses what it finished."""

from __future__ import annotations

from .run import add_run_options


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "resume", help="re-run a failed run from where it failed, reusing what it finished",
        description="Start a new run that reuses the committed tasks of run RUN_ID (no data is copied) and "
                    "re-runs the step(s) that failed, or --from STEP, and everything downstream. The new "
                    "run keeps RUN_ID's parameters and runs the flow file as it is now.")
    parser.add_argument("run_id", metavar="RUN_ID", help="the earlier run")
    parser.add_argument("flow_file", metavar="FLOW", nargs="?",
                        help="the flow file (default: the file RUN_ID ran, when the datastore knows it)")
    parser.add_argument("--from", dest="from_step", metavar="STEP",
                        help="re-run this step and everything after it (default: the steps that failed)")
    add_run_options(parser)
    parser.add_argument("--run-id", dest="run_id_new", metavar="ID",
                        help="the new run's id (default: start time + random suffix)")
    parser.set_defaults(handler=main)
    _allow_positionals_after_options(parser)


def _allow_positionals_after_options(parser) -> None:
    """Let `flowc resume RUN --from STEP flow.py` parse: plain argparse binds all positionals at the first
    one it meets, so FLOW after an option would be 'unrecognized'. The intermixed parse fixes that; it
    calls parse_known_args itself, hence the swap while it runs."""
    plain = parser.parse_known_args

    def parse(args=None, namespace=None):
        parser.parse_known_args = plain
        try:
            return parser.parse_known_intermixed_args(args, namespace)
        finally:
            parser.parse_known_args = parse

    parser.parse_known_args = parse


def main(args) -> int:
    from flowc.backends.local.execute import resume_command

    return resume_command(args)
