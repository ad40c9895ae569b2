"""`flowc graph`: draw a flow (Mermaid or dot text; SVG/PNG through Graphviz when it is installed)."""

from __future__ import annotations

import sys

from .common import add_config_options, add_flow_option, config_options, load_ok, usage_error


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "graph", help="draw a flow as Mermaid, dot, SVG or PNG",
        description="Print a picture of the flow for docs and pull requests. mermaid and dot are text; "
                    "svg and png need Graphviz's `dot` program on PATH (e.g. `apt-get install graphviz`).")
    parser.add_argument("flow_file", metavar="FLOW")
    add_flow_option(parser)
    add_config_options(parser)
    parser.add_argument("--format", choices=("mermaid", "dot", "svg", "png"), default="mermaid")
    parser.add_argument("-o", "--output", metavar="FILE", help="write here instead of standard output")
    parser.set_defaults(handler=main)


def main(args) -> int:
    from ..render_graph import to_dot, to_mermaid

    compiled, status = load_ok(args.flow_file, args.flow, config_options(args, args.flow_file))
    if compiled is None:
        return status
    if args.format == "mermaid":
        return _write(args.output, to_mermaid(compiled.graph).encode())
    dot_text = to_dot(compiled.graph)
    if args.format == "dot":
        return _write(args.output, dot_text.encode())
    import shutil  # here, not at the top: every flowc command imports this module to build its parser
    import subprocess

    dot = shutil.which("dot")
    if dot is None:
        usage_error(f"--format {args.format} needs Graphviz's `dot` program, which is not on PATH. Install "
                    "Graphviz (e.g. `apt-get install graphviz` or `brew install graphviz`), or use "
                    "--format mermaid / --format dot.")
        return 2
    result = subprocess.run([dot, f"-T{args.format}"], input=dot_text.encode(), capture_output=True)
    if result.returncode != 0:
        usage_error(f"Graphviz failed: {result.stderr.decode(errors='replace').strip()}")
        return 2
    return _write(args.output, result.stdout)


def _write(path, data: bytes) -> int:
    if path:
        with open(path, "wb") as handle:
            handle.write(data)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    return 0
