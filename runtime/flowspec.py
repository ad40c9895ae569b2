"""FlowSpec: the base class of user flows, with Metaflow's run-time semantics.

- Every `self.x = ...` in a step is an artifact. Artifacts of the inputs are loaded lazily, on first
  read, and cached on the object (so in-place changes are saved too, as in Metaflow).
- A linear step sees all of its parent's artifacts; a join sees only Parameters until it assigns
  artifacts or calls `merge_artifacts(inputs, include=/exclude=)`; `inputs` iterates in split order and
  `inputs.<step>` picks a branch.
- In a foreach: `self.input`, `self.index`, `self.foreach_stack()` at any nesting depth.
- `self.next(...)` records the transition: linear, static branch, foreach (`foreach="var"`) or switch
  (`self.next({"a": self.a, ...}, condition="var")`).

The task command (flowc.runtime.task) creates flow objects with a StepState and never calls
`__init__`; constructing a flow yourself (`python myflow.py`) only prints how to run it.
"""

from __future__ import annotations

from collections.abc import Iterator

import sys
from types import FunctionType, MethodType

from .errors import FlowError, MergeArtifactsConflict, MergeArtifactsMissing

# True while the task command imports a flow file, so a trailing `MyFlow()` in the file is harmless.
_IMPORTING = False

# Values of these types cannot change in place: a loaded artifact of such a type that was not
# reassigned keeps its stored blob without being pickled again.
_IMMUTABLE = (bytes, str, int, float, bool, complex, type(None), frozenset, range)


class Transition:
    """What self.next() said. kind: linear | branch | foreach | switch."""

    def __init__(self, kind: str, targets: list, foreach: str | None = None, items: list | None = None,
                 condition: str | None = None, chosen: str | None = None):
        self.kind = kind
        self.targets = targets
        self.foreach = foreach
        self.items = items or []
        self.condition = condition
        self.chosen = chosen


class StepState:
    """What a flow object knows while its step runs, or what one input of a join exposes.

    `artifacts` maps name -> {"sha256", "type", "size"}: the visible artifacts (all of the parent's for
    a linear step, only Parameters for a join until it merges). `frames` is the foreach stack as
    stored in the commit record. Values are loaded from the datastore on first use."""

    def __init__(self, datastore, flow_name: str, step: str, artifacts: dict, frames: list,
                 parameter_names: set, is_join: bool = False, readonly: bool = False):
        self.datastore = datastore
        self.flow_name = flow_name
        self.step = step
        self.artifacts = dict(artifacts)
        self.frames = list(frames)
        self.parameter_names = set(parameter_names)
        self.is_join = is_join
        self.readonly = readonly
        self.loaded: dict[str, object] = {}
        self.transition: Transition | None = None
        self._parameters: dict[str, object] = {}
        self._inputs: dict[int, object] = {}

    def load(self, name: str) -> object:
        value = self.datastore.load_value(self.flow_name, self.artifacts[name]["sha256"])
        self.loaded[name] = value
        return value

    def parameter_value(self, attribute: str) -> object:
        if attribute not in self._parameters:
            if attribute not in self.artifacts:
                raise AttributeError(f"parameter {attribute!r} has no value in step {self.step!r}")
            self._parameters[attribute] = self.datastore.load_value(
                self.flow_name, self.artifacts[attribute]["sha256"])
        return self._parameters[attribute]

    def frame_input(self, level: int) -> object:
        if level not in self._inputs:
            self._inputs[level] = self.datastore.load_value(self.flow_name, self.frames[level]["item"])
        return self._inputs[level]


class FlowSpec:
    """Base class of flows. See the module docstring for the semantics."""

    def __init__(self, *args: object, **kwargs: object):
        if _IMPORTING:
            return
        name = type(self).__name__
        print(f"{name} is a flowc flow: run it with `flowc run <this file>` (or compile it with flowc); "
              f"constructing it does nothing.", file=sys.stderr)
        raise SystemExit(2)

    # -- artifacts --------------------------------------------------------------------------------
    def __getattr__(self, name: str) -> object:
        if name.startswith("__"):
            raise AttributeError(name)
        state = self.__dict__.get("_flowc")
        if state is not None and name in state.artifacts:
            value = state.load(name)
            object.__setattr__(self, name, value)
            return value
        flow = type(self).__name__
        if state is not None and state.is_join and not state.readonly:
            raise AttributeError(
                f"Flow {flow} has no attribute {name!r} in join step {state.step!r}: a join sees only "
                f"Parameters until it assigns artifacts or calls self.merge_artifacts(inputs) "
                f"(read a branch's value with inputs.<step>.{name})")
        raise AttributeError(f"Flow {flow} has no attribute {name!r}")

    def __setattr__(self, name: str, value: object) -> None:
        """Class-level values are read-only in steps, as in Metaflow (each task re-imports the flow file, so
        a change would not reach the next step)."""
        if name in class_constants(type(self)):
            raise AttributeError(f"Flow level attributes and Parameters are not modifiable: {name!r} is a class "
                                 f"attribute of {type(self).__name__}; store the new value under another name")
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        """`del self.x` drops the value this step set or read, as in Metaflow: an artifact inherited from the
        parent still passes down to the next step (a step cannot drop what it inherited), and deleting an
        inherited artifact this step has not read raises AttributeError, as it does there."""
        object.__delattr__(self, name)

    def __getstate__(self):
        raise TypeError("a flow object cannot be stored as an artifact (did you assign self or one of the "
                        "inputs to an attribute? store the values you need, e.g. self.x = inputs.a.x)")

    def __str__(self) -> str:
        state = self.__dict__.get("_flowc")
        if state is None:
            return f"<flow {type(self).__name__}>"
        index = ",".join(str(f["index"]) for f in state.frames)
        where = f"[{index}]" if index else ""
        return f"<flow {type(self).__name__} step {state.step}{where}>"

    def _state(self) -> StepState:
        state = self.__dict__.get("_flowc")
        if state is None:
            raise FlowError(f"{type(self).__name__} is not running a step")
        return state

    @property
    def name(self) -> str:
        """The flow's name, as in Metaflow: the class name in every step. A step may assign it, as there; the
        value is stored with the task, and the next step sees the flow's name again."""
        return self.__dict__.get("name", type(self).__name__)

    @name.setter
    def name(self, value: object) -> None:
        self.__dict__["name"] = value

    # -- foreach ----------------------------------------------------------------------------------
    @property
    def index(self) -> int | None:
        """The position of this task in the innermost enclosing foreach, or None outside a foreach."""
        state = self.__dict__.get("_flowc")
        if state is None or not state.frames:
            return None
        return state.frames[-1]["index"]

    @property
    def input(self) -> object:
        """The item of the innermost enclosing foreach that this task processes, or None."""
        state = self.__dict__.get("_flowc")
        if state is None or not state.frames:
            return None
        return state.frame_input(len(state.frames) - 1)

    def foreach_stack(self) -> list[tuple[int, int, object]]:
        """[(index, number of splits, item)] for every enclosing foreach, outermost first."""
        state = self.__dict__.get("_flowc")
        if state is None:
            return []
        return [(f["index"], f["num_splits"], state.frame_input(i)) for i, f in enumerate(state.frames)]

    # -- transitions ------------------------------------------------------------------------------
    def next(self, *targets: object, foreach: str | None = None, condition: str | None = None,
             **unknown: object) -> None:
        """Say which step(s) run next. The last statement of every step except `end`."""
        state = self._state()
        step = state.step
        if state.readonly:
            raise FlowError("self.next() cannot be called on an input of a join")
        if unknown:
            raise FlowError(f"step {step!r} passes an unknown argument {sorted(unknown)[0]!r} to self.next()")
        if state.transition is not None:
            raise FlowError(f"step {step!r} calls self.next() more than once; call it once, as its last statement")
        if condition is not None:
            state.transition = self._switch(step, targets, condition)
            return
        if len(targets) == 1 and isinstance(targets[0], dict):
            raise FlowError(f"step {step!r}: a switch needs condition=\"<artifact name>\" in self.next()")
        names = [self._target_name(step, t, i) for i, t in enumerate(targets)]
        if not names:
            raise FlowError(f"step {step!r}: self.next() needs at least one step, e.g. self.next(self.end)")
        if foreach is None:
            state.transition = Transition("linear" if len(names) == 1 else "branch", names)
            return
        if not isinstance(foreach, str):
            raise FlowError(f"step {step!r}: foreach= takes the name of an artifact, as a string")
        if len(names) != 1:
            raise FlowError(f"step {step!r}: a foreach goes to exactly one step")
        try:
            values = getattr(self, foreach)
        except AttributeError:
            raise FlowError(f"foreach variable self.{foreach} does not exist in step {step!r}") from None
        try:
            items = list(values)
        except TypeError:
            raise FlowError(f"foreach variable self.{foreach} in step {step!r} is not iterable "
                            f"({type(values).__name__})") from None
        if not items:
            raise FlowError(f"foreach over self.{foreach} in step {step!r} has zero items: a foreach needs at "
                            f"least one item to run its body (check the variable)")
        state.transition = Transition("foreach", names, foreach=foreach, items=items)

    def _switch(self, step: str, targets: tuple, condition: str) -> Transition:
        if len(targets) != 1 or not isinstance(targets[0], dict) or not targets[0]:
            raise FlowError(f"step {step!r}: a switch is self.next({{\"value\": self.step, ...}}, condition=\"name\")")
        if not isinstance(condition, str):
            raise FlowError(f"step {step!r}: condition= takes the name of an artifact, as a string")
        cases = {key: self._target_name(step, target, i) for i, (key, target) in enumerate(targets[0].items())}
        try:
            value = getattr(self, condition)
        except AttributeError:
            raise FlowError(f"switch condition self.{condition} does not exist in step {step!r}") from None
        chosen = _case(cases, value)
        if chosen is None:
            raise FlowError(f"switch in step {step!r}: self.{condition} is {value!r}, which is none of the "
                            f"cases {list(cases)}")
        return Transition("switch", list(dict.fromkeys(cases.values())), condition=condition, chosen=chosen)

    def _target_name(self, step: str, target: object, position: int) -> str:
        func = getattr(target, "__func__", None)
        name = getattr(target, "__name__", None)
        if func is None or getattr(target, "__self__", None) is not self or not name:
            raise FlowError(f"step {step!r}: argument {position + 1} of self.next() is not a step of this flow "
                            f"(write self.<step name>)")
        if not getattr(type(self), name, None) or not getattr(func, "is_step", False):
            raise FlowError(f"step {step!r}: self.next() goes to {name!r}, which is not a @step")
        return name

    # -- joins ------------------------------------------------------------------------------------
    def merge_artifacts(self, inputs: "Inputs", exclude: list | None = None,
                        include: list | None = None) -> None:
        """Take the inputs' artifacts that this join has not set. An artifact with different values in
        different inputs is an error unless the join set it first; `include` names artifacts that must
        exist in some input; `exclude` names artifacts to leave out. Values are not loaded: the join
        records the same stored blobs."""
        state = self._state()
        include = list(include or [])
        exclude = list(exclude or [])
        if not state.is_join:
            raise FlowError(f"merge_artifacts works only in a join step; step {state.step!r} is not a join")
        if include and exclude:
            raise FlowError("merge_artifacts takes include= or exclude=, not both")
        if isinstance(inputs, FlowSpec) or not isinstance(inputs, Inputs):
            raise FlowError("merge_artifacts(inputs): pass the join's inputs argument")

        def already_set(name: str) -> bool:
            return name in self.__dict__ or name in state.artifacts or hasattr(type(self), name)

        chosen: dict[str, dict] = {}
        conflicts: list[str] = []
        for flow in inputs:
            for name, info in flow.__dict__["_flowc"].artifacts.items():
                if (include and name not in include) or name in exclude or already_set(name):
                    continue
                first = chosen.setdefault(name, info)
                if first["sha256"] != info["sha256"] and name not in conflicts:
                    conflicts.append(name)
        missing = [name for name in include if name not in chosen and not already_set(name)]
        if conflicts:
            raise MergeArtifactsConflict(
                f"step {state.step!r} cannot merge artifacts whose values differ between its inputs: "
                f"[{', '.join(conflicts)}]. Set them yourself (self.<name> = ...) before calling "
                f"merge_artifacts, or leave them out with exclude=[...].", conflicts)
        if missing:
            raise MergeArtifactsMissing(
                f"step {state.step!r} asks merge_artifacts to include [{', '.join(include)}], but "
                f"[{', '.join(missing)}] exist in none of its inputs. Include only artifacts that at least "
                f"one branch sets.", missing)
        state.artifacts.update(chosen)


class Inputs:
    """The inputs of a join: iterable in split order, indexable, and `inputs.<step>` for branches."""

    def __init__(self, flows: list[FlowSpec]):
        self._flows = list(flows)
        self._by_step = {flow.__dict__["_flowc"].step: flow for flow in self._flows}

    def __iter__(self) -> Iterator[FlowSpec]:
        return iter(self._flows)

    def __len__(self) -> int:
        return len(self._flows)

    def __getitem__(self, position: int) -> FlowSpec:
        return self._flows[position]

    def __getattr__(self, name: str) -> FlowSpec:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self._by_step[name]
        except KeyError:
            raise AttributeError(f"this join has no input from step {name!r}; its inputs come from "
                                 f"{sorted(self._by_step)}") from None

    def __getstate__(self):
        raise TypeError("the inputs of a join cannot be stored as an artifact; store the values you need")


def _case(cases: dict, value: object) -> str | None:
    try:
        if value in cases:
            return cases[value]
    except TypeError:
        return None
    text = str(value)
    return cases.get(text)


# Attributes Metaflow's FlowSpec reserves that a flow class may still define (its _NON_PARAMETERS).
_NOT_CONSTANTS = frozenset({"cmd", "foreach_stack", "index", "input", "script_name", "name"})
_CONSTANTS: dict[type, frozenset] = {}


def class_constants(cls: type) -> frozenset:
    """The flow class's read-only values, by Metaflow's rule: public class attributes (inherited too) that are
    not methods, functions, properties or classes. Parameters guard themselves (a descriptor with __set__)."""
    found = _CONSTANTS.get(cls)
    if found is None:
        names = []
        for name in dir(cls):
            if name.startswith("_") or name in _NOT_CONSTANTS:
                continue
            value = next(vars(klass)[name] for klass in cls.__mro__ if name in vars(klass))
            if callable(getattr(type(value), "__set__", None)) or isinstance(
                    value, (staticmethod, classmethod, property, type, FunctionType, MethodType)):
                continue
            names.append(name)
        found = _CONSTANTS[cls] = frozenset(names)
    return found


def new_flow(cls: type, state: StepState) -> FlowSpec:
    """A flow object for the runtime, without running __init__."""
    flow = cls.__new__(cls)
    object.__setattr__(flow, "_flowc", state)
    return flow


def assigned_artifacts(flow: FlowSpec) -> dict[str, object]:
    """The artifacts a step set or read (everything in the object's __dict__ but runtime state)."""
    return {name: value for name, value in flow.__dict__.items() if not name.startswith("_flowc")}


def unchanged_load(state: StepState, name: str, value: object) -> bool:
    """True if `value` is the very object loaded for `name` and cannot have changed in place."""
    return name in state.loaded and state.loaded[name] is value and isinstance(value, _IMMUTABLE)
