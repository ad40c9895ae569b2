"""`flowc ir`: print a flow's IR as JSON (byte-identical across runs)."""

from __future__ import annotations

import os
from pathlib import Path

from .. import config
from .common import add_config_options, add_flow_option, config_options, load_ok


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "ir", help="print a flow's intermediate representation as JSON",
        description="Print the IR that flowc builds from a flow file: steps, transitions, parameters and "
                    "decorators with their source spans. The output is the same bytes on every run, from any "
                    "directory (paths are relative to the project root: the folder of the nearest pyproject.toml).")
    parser.add_argument("flow_file", metavar="FLOW")
    add_flow_option(parser)
    add_config_options(parser)
    parser.set_defaults(handler=main)


def main(args) -> int:
    compiled, status = load_ok(args.flow_file, args.flow, config_options(args, args.flow_file))
    if compiled is None:
        return status
    # The source path relative to the project root (as `compile` writes it): the same bytes from any directory.
    path = Path(args.flow_file).resolve()
    relative = Path(os.path.relpath(path, config.find(path.parent).root)).as_posix()
    print(compiled.flow.model_copy(update={"source_path": relative}).model_dump_json(indent=2))
    return 0
