"""The IR: what a flow file declares, as frozen, JSON-serialisable pydantic models.

The IR records the file's declarations only (steps, transitions, parameters, decorators). Graph facts
(node kinds, which join closes which split) are derived from it by `analyse.py`. Lists keep source
order, so the IR of a file is the same bytes on every run.
"""

from __future__ import annotations

from typing import Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, PrivateAttr

from .source import Span

IR_VERSION = 1

JSONValue = Any  # None, bool, int, float, str, list and dict of those


class Node(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Value(Node):
    """A value from the source. `literal` values are known exactly; `runtime` values are expressions
    that only the running flow can evaluate (kept as their source text, never guessed)."""

    kind: Literal["literal", "runtime"]
    value: JSONValue = None
    source: str


class Decorator(Node):
    """A flowc/Metaflow decorator with its validated arguments (defaults filled in)."""

    name: str
    args: dict[str, Value]
    span: Span


class Parameter(Node):
    attribute: str  # the class attribute (`self.<attribute>` in steps)
    name: str  # the name given on the command line / scheduler trigger form
    kind: Literal["parameter", "include_file"]
    type: Literal["str", "int", "float", "bool", "json"]
    default: Optional[Value] = None
    help: Optional[str] = None
    required: bool = False
    is_text: Optional[bool] = None  # IncludeFile only
    span: Span


class Config(Node):
    """A `Config(...)` class attribute, resolved when the flow is compiled (compiler/configs.py).
    `origin` says where the value came from: a file (`path`, relative to the flow file's folder, and its
    `sha256`), an inline value (default_value= or --config-value), or nothing (a config that is not required)."""

    attribute: str
    name: str
    origin: Literal["file", "value", "none"]
    path: Optional[str] = None
    sha256: Optional[str] = None
    parser: str = "json"  # json | toml | yaml
    plain: bool = False
    value: JSONValue = None
    span: Span


class Transition(Node):
    """How a step ends. `targets` are step names in the order written."""

    kind: Literal["linear", "branch", "foreach", "switch", "end"]
    targets: tuple[str, ...] = ()
    foreach: Optional[str] = None  # artifact name iterated by a foreach
    condition: Optional[str] = None  # artifact name whose value picks a switch case
    cases: tuple[tuple[str, str], ...] = ()  # switch: (case value, step name), in source order
    span: Span
    target_spans: tuple[Span, ...] = ()


class Step(Node):
    name: str
    is_join: bool  # declared as (self, inputs)
    docstring: Optional[str] = None
    decorators: tuple[Decorator, ...] = ()
    transition: Transition
    span: Span  # the step's name in its `def`

    def decorator(self, name: str) -> Optional[Decorator]:
        return next((d for d in self.decorators if d.name == name), None)


class Flow(Node):
    ir_version: int = IR_VERSION
    name: str
    source_path: str
    source_sha256: str
    docstring: Optional[str] = None
    parameters: tuple[Parameter, ...] = ()
    configs: tuple[Config, ...] = ()
    decorators: tuple[Decorator, ...] = ()
    steps: tuple[Step, ...] = ()
    span: Span
    names_class: bool = False  # the file defines other flow classes too: task commands name this one (--flow)
    _by_name: dict = PrivateAttr(default_factory=dict)  # step name -> its first definition (not serialised)

    def model_post_init(self, context) -> None:
        for step in self.steps:
            self._by_name.setdefault(step.name, step)

    def step(self, name: str) -> Step:
        """The step called `name` (a dict lookup: backends ask once per step). KeyError if there is none."""
        return self._by_name[name]

    def decorator(self, name: str) -> Optional[Decorator]:
        return next((d for d in self.decorators if d.name == name), None)
