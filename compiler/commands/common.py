"""What several commands share: the --flow option; loading flows and reporting (compiler/loading.py)."""

from __future__ import annotations

import argparse

from ..loading import load, load_ok, report, usage_error

__all__ = ["add_flow_option", "load", "load_ok", "report", "usage_error"]


def add_flow_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--flow", metavar="CLASS", help="the flow class to use when a file defines several")
