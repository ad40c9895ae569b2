"""The compiler's front door: a flow file in, its IR, graph and diagnostics out."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Optional

from .analyse import Graph, analyse
from .configs import ConfigOptions
from .diagnostics import Diagnostic, Diagnostics
from .flowfile import read_flow_file
from .ir import Flow
from .parse import parse_source
from .source import SourceFile, Span, display_path


@dataclass(frozen=True)
class Compiled:
    source: SourceFile
    flow: Optional[Flow]
    graph: Optional[Graph]
    diagnostics: list[Diagnostic]

    @property
    def ok(self) -> bool:
        return not self.diagnostics and self.graph is not None


def compile_source(text: str, path: str = "<flow>", flow_name: Optional[str] = None,
                   configs: Optional[ConfigOptions] = None) -> Compiled:
    return _compile(SourceFile(display_path=path, text=text), flow_name, configs)


def compile_file(path: str | Path, flow_name: Optional[str] = None,
                 configs: Optional[ConfigOptions] = None) -> Compiled:
    """Compile the file at `path`. Raises OSError if it cannot be read (a usage error for the CLI).
    `configs`: --config / --config-value choices; default= config files are read beside the flow file."""
    configs = replace(configs or ConfigOptions(), base_dir=Path(path).parent)
    raw = read_flow_file(path)
    shown = display_path(Path(path))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        source = SourceFile(display_path=shown, text=raw.decode("utf-8", errors="replace"))
        diags = Diagnostics(source)
        line = raw[: error.start].count(b"\n") + 1
        diags.error("FLC001", "the file is not valid UTF-8", Span(line=line, col=1, end_line=line, end_col=2),
                    help="save the file as UTF-8")
        return Compiled(source, None, None, diags.items)
    return _compile(SourceFile(display_path=shown, text=text), flow_name, configs)


def _compile(source: SourceFile, flow_name: Optional[str], configs: Optional[ConfigOptions] = None) -> Compiled:
    diags = Diagnostics(source)
    flow = parse_source(source, diags, flow_name, configs)
    graph = analyse(flow, diags) if flow is not None else None
    return Compiled(source, flow, graph, diags.items)
