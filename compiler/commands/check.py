"""`flowc check`: lint flows, report every problem, exit 0 clean / 1 problems / 2 usage."""

from __future__ import annotations

import json
import sys

from .common import add_config_options, add_flow_option, config_options, load, report


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "check", help="check flows for problems",
        description="Read flow files statically (nothing is imported or run) and report every problem "
                    "with its code, location and a fix. Exit 0 when clean, 1 when problems were found, "
                    "2 on usage errors.")
    parser.add_argument("flows", nargs="+", metavar="FLOW", help="flow files to check")
    add_flow_option(parser)
    add_config_options(parser)
    parser.add_argument("--format", choices=("text", "json", "github"), default="text",
                        help="text for people (default), json for tools, github for Actions annotations")
    parser.set_defaults(handler=main)


def main(args) -> int:
    from ..diagnostics import render_json

    status = 0
    collected = []
    for path in args.flows:
        compiled = load(path, args.flow, config_options(args, path))
        if compiled is None:
            status = 2
            continue
        if compiled.diagnostics:
            status = max(status, 1)
        if args.format == "json":
            collected += render_json(compiled.diagnostics, compiled.source)
        else:
            report(compiled, args.format, stream=sys.stdout)
    if args.format == "json":
        print(json.dumps(collected, indent=2, ensure_ascii=False))
    elif args.format == "text":
        problems = "no problems" if status == 0 else "problems found"
        print(f"flowc check: {len(args.flows)} file(s), {problems}", file=sys.stderr)
    return status
