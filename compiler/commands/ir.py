"""`flowc ir`: print a flow's IR as JSON (byte-identical across runs)."""

from __future__ import annotations

from .common import add_flow_option, load_ok


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "ir", help="print a flow's intermediate representation as JSON",
        description="Print the IR that flowc builds from a flow file: steps, transitions, parameters and "
                    "decorators with their source spans. The output is the same bytes on every run.")
    parser.add_argument("flow_file", metavar="FLOW")
    add_flow_option(parser)
    parser.set_defaults(handler=main)


def main(args) -> int:
    compiled, status = load_ok(args.flow_file, args.flow)
    if compiled is None:
        return status
    print(compiled.flow.model_dump_json(indent=2))
    return 0
