"""`flowc requirements`: print the packages a flow's @pypi/@conda pin, as a pip requirements file."""

from __future__ import annotations

import sys

from .common import add_config_options, add_flow_option, config_options, load_ok, usage_error


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "requirements", help="print what @pypi/@conda pin, as a pip requirements file for the task image",
        description="flowc builds no environments: the task image (or the venv of `flowc run`) must hold the "
                    "packages a flow's @pypi/@conda/@pypi_base/@conda_base pin, and each task checks them "
                    "before its step runs. This prints them as a pip requirements file (all steps, or --step).")
    parser.add_argument("flow_file", metavar="FLOW")
    add_flow_option(parser)
    add_config_options(parser)
    parser.add_argument("--step", action="append", metavar="STEP",
                        help="only this step's requirements (repeat for several)")
    parser.add_argument("-o", "--output", metavar="FILE", help="write here instead of standard output")
    parser.set_defaults(handler=main)


def main(args) -> int:
    from ..requirements import requirements_text, steps_of

    compiled, status = load_ok(args.flow_file, args.flow, config_options(args, args.flow_file))
    if compiled is None:
        return status
    names = [s.name for s in compiled.flow.steps]
    unknown = [s for s in args.step or () if s not in names]
    if unknown:
        usage_error(f"{compiled.flow.name} has no step {unknown[0]!r} (its steps: {', '.join(names)})")
        return 2
    text, warnings = requirements_text(compiled.flow, steps_of(compiled.flow, args.step))
    for warning in warnings:
        print(f"flowc requirements: warning: {warning}", file=sys.stderr)
    if args.output:
        with open(args.output, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    else:
        sys.stdout.write(text)
    return 0
