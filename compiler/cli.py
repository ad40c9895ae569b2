"""`flowc` command line: a table of subcommands, each a small module in `commands/`.

Exit codes (like black and ruff): 0 success / clean, 1 problems in a flow (or --check found changes),
2 usage errors (bad options, unreadable files).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Optional

from . import __version__
from .config import ConfigError

# name -> module under flowc.compiler.commands; each has `register(subparsers)` and `main(args) -> int`.
COMMANDS = {
    "check": "check",
    "ir": "ir",
    "graph": "graph",
    "compile": "compile",
    "deploy": "deploy",
    "run": "run",
    "resume": "resume",
    "show": "show",
    "card": "card",
    "requirements": "requirements",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="flowc",
        description="Compile Metaflow-style Python flows, statically and reproducibly, into scheduler workflows.",
        epilog="Run `flowc COMMAND --help` for a command's options. Exit codes: 0 ok, 1 problems found, 2 usage error.",
    )
    parser.add_argument("--version", action="version", version=f"flowc {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMANDS.values():
        importlib.import_module(f"flowc.compiler.commands.{module}").register(subparsers)
    return parser


def main(argv: Optional[list[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return args.handler(args)
    except ConfigError as error:  # a pyproject.toml that cannot be used ([tool.flowc])
        print(f"flowc: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("flowc: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
