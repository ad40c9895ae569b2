"""`flowc deploy`: compile flows for a target and create or update them on its service, idempotently.

The files deployed are exactly what `flowc compile` writes with the same options (the same bytes, header
included), compiled in memory. A target deploys through its backend's `deploy(files, settings, dry_run, say)`
hook (backends/base.py), which reads what exists first and changes only what differs: a second deploy of the
same flow changes nothing and says so. `--dry-run` reads but writes nothing. Unreachable services and missing
or rejected credentials are usage errors (exit 2) with a message, never a traceback.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from .. import config as config_mod
from .. import targets
from ..emit import DeployError, OptionError
from .common import usage_error
from .compile import add_compile_options


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "deploy", help="compile flows and create or update them on the target's service (" +
                       ", ".join(t.name for t in targets.builtin() if t.deploys) + ")",
        description="Compile flow files as `flowc compile` does, then create or update what they describe on the "
                    "target's service: for stepfunctions, the AWS Batch job definitions, the state machine and "
                    "its EventBridge Scheduler schedule (credentials and region as for the AWS CLI). A second "
                    "deploy of an unchanged flow changes nothing. Exit 0 on success, 1 on problems in a flow, "
                    "2 on usage errors (bad options, credentials, an unreachable service).",
        epilog="Example: flowc deploy flows/train.py --target stepfunctions --datastore s3://bucket/flowc "
               "--image registry.example/flows:1 --job-queue jobs --role-arn arn:aws:iam::123456789012:role/sfn")
    add_compile_options(parser, "deploy")
    parser.add_argument("--dry-run", action="store_true", help="say what would change; change nothing")
    parser.set_defaults(handler=main, check=False, diff=False)


def main(args) -> int:
    from . import compile as compile_command
    try:
        if args.output_dir is None and not _config(args).values.get("output_dir"):
            args.output_dir = "."
        status, _, files = compile_command.build(args)
        if status:
            return status
        target = targets.get(args.target or _config(args).values.get("target"))
        settings = compile_command.settings_for(args, _config(args).for_target(target.name), target)
        backend = targets.load(target)
        changed = backend.deploy(files, settings, args.dry_run, _say)
    except (OptionError, config_mod.ConfigError, targets.TargetError, DeployError) as error:
        if str(error):
            usage_error(str(error))
        return 2
    if not changed:
        print("flowc deploy: everything is up to date; nothing changed", file=sys.stderr)
    elif args.dry_run:
        print("flowc deploy: dry run; nothing was changed", file=sys.stderr)
    return 0


def _say(line: str) -> None:
    print(line, file=sys.stderr)


def _config(args):
    flows = [Path(f) for f in args.flows]
    return config_mod.find(Path(os.path.commonpath([f.resolve().parent for f in flows])))

