"""What several commands share: the --flow option; loading flows and reporting (compiler/loading.py)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Optional

from ..loading import load, load_ok, report, usage_error

__all__ = ["add_config_options", "add_flow_option", "config_options", "load", "load_ok", "report", "usage_error"]


def add_flow_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--flow", metavar="CLASS", help="the flow class to use when a file defines several")


def add_config_options(parser: argparse.ArgumentParser) -> None:
    """Metaflow's --config / --config-value: choose a Config's value when compiling (compiler/configs.py)."""
    parser.add_argument("--config", dest="config_files", nargs=2, action="append", default=[],
                        metavar=("NAME", "PATH"),
                        help="read the flow's Config NAME from the file PATH (relative to here) instead of its "
                             "default (repeat for several)")
    parser.add_argument("--config-value", dest="config_values", nargs=2, action="append", default=[],
                        metavar=("NAME", "TEXT"),
                        help="the flow's Config NAME is TEXT (JSON, or the config's parser's format)")


def config_options(args, flow_file: Optional[str] = None):
    """The config choices a command compiles `flow_file` with: --config / --config-value over the `config`
    list of [tool.flowc] (and of the [[tool.flowc.overrides]] matching the file) in the nearest
    pyproject.toml, so that check, ir, graph, run and compile read the same values. None when there are
    none; ConfigError for a pyproject.toml that cannot be used."""
    from .. import config
    from ..config_options import ConfigOptions

    files = tuple(tuple(pair) for pair in getattr(args, "config_files", None) or ())
    values = tuple(tuple(pair) for pair in getattr(args, "config_values", None) or ())
    given = ConfigOptions(files=files, values=values) if files or values else None
    if flow_file is None:
        return given
    project = config.find(Path(flow_file).resolve().parent)
    return config.with_listed_configs(project.for_flow(None, Path(flow_file)).get("config"), project.root, given)
