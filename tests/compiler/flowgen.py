"""Random well-formed flows for property tests: a shape tree, its source text, and the graph it must give.

A flow is a block of items; an item is a linear step, a static branch (2-3 arm blocks closed by a join), a
foreach (a body block closed by a join) or a switch (2-3 arm blocks meeting in a plain step). A branch's
arm or a foreach's body may also end in an open switch, whose cases end at that join (Metaflow's shape:
the join gets one input per arm, from the case that ran). The expected graph is derived from the tree by
the rules of the flow language (DESIGN section 3-4), independently of the compiler.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from hypothesis import strategies as st

LINEAR = ("linear",)


def blocks(max_leaves: int = 12):
    """Strategy for a block: a non-empty list of items, nested up to `max_leaves` linear steps."""

    def extend(block):
        arms = st.lists(block, min_size=2, max_size=3)
        # an arm or body, possibly ending in a switch whose cases end at the enclosing join
        open_switch = st.tuples(st.one_of(st.just([]), block), arms).map(lambda t: [*t[0], ("open_switch", t[1])])
        ending = st.one_of(block, open_switch)
        item = st.one_of(st.just(LINEAR), st.tuples(st.just("branch"), st.lists(ending, min_size=2, max_size=3)),
                         st.tuples(st.just("foreach"), ending), st.tuples(st.just("switch"), arms))
        return st.lists(item, min_size=1, max_size=3)

    return st.recursive(st.lists(st.just(LINEAR), min_size=1, max_size=2), extend, max_leaves=max_leaves)


@dataclass
class GenStep:
    name: str
    kind: str  # linear | branch | foreach | switch | join | end
    targets: list[str] = field(default_factory=list)
    foreach: Optional[str] = None
    condition: Optional[str] = None
    splits: tuple[str, ...] = ()  # enclosing branch/foreach splits
    depth: int = 0
    join_of: Optional[str] = None
    closed_by: Optional[str] = None
    meet: Optional[str] = None
    is_meet: bool = False
    join_parents: list[list[str]] = field(default_factory=list)  # per arm (split order), its exits: one, or
    # the last steps of a switch's cases ending at this join


class FlowBuilder:
    """Turns a block tree into steps; names are s1, s2, ... in creation order (a topological order).
    `regions` is the flow's block structure as the tree says it, in the plan's region vocabulary:
    ("step", name), ("parallel", split, arms, join), ("map", split, body, join), ("choice", switch, cases, meet)."""

    def __init__(self) -> None:
        self.steps: dict[str, GenStep] = {}
        self.regions: list = []
        self.open: dict[str, list[str]] = {}  # open switches whose join is not built yet -> their cases' exits

    def new(self, kind: str, splits: tuple, depth: int) -> GenStep:
        step = GenStep(f"s{len(self.steps) + 1}", kind, splits=splits, depth=depth)
        self.steps[step.name] = step
        return step

    def block(self, block, splits: tuple, depth: int) -> tuple[str, list[str], list]:
        """Build the items in order, chaining each exit to the next entry; (entry, exits, regions). A block
        has one exit, or, when it ends in an open switch, the last step of each of its cases."""
        entry = None
        exits: list[str] = []
        regions: list = []
        for item in block:
            first, last, inner = self.item(item, splits, depth)
            for exit_ in exits:
                self.steps[exit_].targets = [first]
            entry = entry or first
            exits = last
            regions += inner
        return entry, exits, regions

    def item(self, item, splits: tuple, depth: int) -> tuple[str, list[str], list]:
        kind = item[0]
        if kind == "linear":
            step = self.new("linear", splits, depth)
            return step.name, [step.name], [("step", step.name)]
        if kind == "foreach":
            split = self.new("foreach", splits, depth)
            split.foreach = f"items_{split.name}"
            first, exits, body = self.block(item[1], splits + (split.name,), depth + 1)
            join = self.new("join", splits, depth)
            split.targets, split.closed_by = [first], join.name
            self._end_at(exits, join.name)
            join.join_of, join.join_parents = split.name, [exits]
            regions = [("step", split.name), ("map", split.name, body, join.name), ("step", join.name)]
            return split.name, [join.name], regions
        split = self.new("switch" if kind == "open_switch" else kind, splits, depth)
        inner = splits + (split.name,) if kind == "branch" else splits
        arms = [self.block(arm, inner, depth) for arm in item[1]]
        split.targets = [first for first, _, _ in arms]
        cases = [(f"c{i}", body) for i, (_, _, body) in enumerate(arms)]
        if kind == "open_switch":  # its cases end where the enclosing block ends: at the join
            exits = [e for _, arm_exits, _ in arms for e in arm_exits]
            split.condition, self.open[split.name] = f"choice_{split.name}", exits
            return split.name, exits, [("step", split.name), ("choice", split.name, cases, None)]
        after = self.new("join" if kind == "branch" else "linear", splits, depth)
        for _, exits, _ in arms:
            self._end_at(exits, after.name)
        if kind == "branch":
            split.closed_by, after.join_of, after.join_parents = after.name, split.name, [e for _, e, _ in arms]
            region = ("parallel", split.name, [body for _, _, body in arms], after.name)
        else:
            split.condition, split.meet, after.is_meet = f"choice_{split.name}", after.name, True
            region = ("choice", split.name, cases, after.name)
        return split.name, [after.name], [("step", split.name), region, ("step", after.name)]

    def _end_at(self, exits: list[str], join: str) -> None:
        """Lead a block's exits to its join; open switches among them meet there."""
        for exit_ in exits:
            self.steps[exit_].targets = [join]
        for switch, its_exits in list(self.open.items()):
            if set(its_exits) <= set(exits):
                self.steps[switch].meet = join
                del self.open[switch]

    def flow(self, block) -> dict[str, GenStep]:
        """The whole flow: the block's entry becomes `start`, its exit goes to a new `end`."""
        first, (last,), regions = self.block(block, (), 0)
        end = self.new("end", (), 0)
        self.steps[last].targets = [end.name]
        names = {first: "start", end.name: "end"}
        self.regions = _rename_regions(regions + [("step", end.name)], names)
        return _rename(self.steps, names)


def _rename_regions(regions, names: dict[str, str]):
    """The same tree with `names` applied to every step name in it."""
    if isinstance(regions, str):
        return names.get(regions, regions)
    if isinstance(regions, (list, tuple)):
        return type(regions)(_rename_regions(r, names) for r in regions)
    return regions


def _rename(steps: dict[str, GenStep], names: dict[str, str]) -> dict[str, GenStep]:
    def r(name):
        return names.get(name, name) if name is not None else None

    renamed = {}
    for step in steps.values():
        step.name = r(step.name)
        step.targets = [r(t) for t in step.targets]
        step.splits = tuple(r(s) for s in step.splits)
        step.join_of, step.closed_by, step.meet = r(step.join_of), r(step.closed_by), r(step.meet)
        step.join_parents = [[r(p) for p in group] for group in step.join_parents]
        renamed[step.name] = step
    return renamed


# ---------------------------------------------------------------------------------- source text

IMPORT_STYLES = [
    ("from metaflow import FlowSpec, step\n", "FlowSpec", "step"),
    ("from flowc.runtime import FlowSpec, step\n", "FlowSpec", "step"),
    ("import metaflow as mf\n", "mf.FlowSpec", "mf.step"),
    ("from metaflow import FlowSpec as Base, step as st\n", "Base", "st"),
]


def render(steps: dict[str, GenStep], order: list[str], style: int = 0, noise: bool = False) -> str:
    """Source text with the step methods in `order`."""
    header, base, decorator = IMPORT_STYLES[style]
    lines = [header, "", f"class GeneratedFlow({base}):"]
    for name in order:
        step = steps[name]
        lines += ["", f"    @{decorator}", f"    def {name}(self{', inputs' if step.kind == 'join' else ''}):"]
        if noise:
            lines += [f'        """Step {name}."""', f"        self.value_{name} = {len(name)}"]
        lines.append(f"        {_transition(step)}")
    return "\n".join(lines) + "\n"


def _transition(step: GenStep) -> str:
    if step.kind == "end":
        return "pass"
    targets = ", ".join(f"self.{t}" for t in step.targets)
    if step.kind == "foreach":
        return f'self.next({targets}, foreach="{step.foreach}")'
    if step.kind == "switch":
        cases = ", ".join(f'"c{i}": self.{t}' for i, t in enumerate(step.targets))
        return f'self.next({{{cases}}}, condition="{step.condition}")'
    return f"self.next({targets})"


# ---------------------------------------------------------------------------------- expected graph

def _parents(steps: dict[str, GenStep]) -> dict[str, list[str]]:
    parents: dict[str, list[str]] = {name: [] for name in steps}
    for step in steps.values():
        for target in step.targets:
            parents[target].append(step.name)
    return parents


def expected_table(steps: dict[str, GenStep], order: list[str]) -> dict[str, dict]:
    """What the analysed graph must say about every step (the fields of flowkit.actual_table)."""
    position = {name: i for i, name in enumerate(order)}
    parents = _parents(steps)
    table = {}
    for name, step in steps.items():
        groups = [sorted(group, key=position.__getitem__) for group in step.join_parents]  # a join's, per arm
        if step.kind == "join":
            ordered = [p for group in groups for p in group]
        else:
            ordered = sorted(parents[name], key=position.__getitem__)
        table[name] = {
            "kind": _kind(step),
            "parents": tuple(ordered),
            "children": tuple(step.targets),
            "wiring": _wiring(steps, step, ordered, groups),
            "split_parents": step.splits,
            "foreach_depth": step.depth,
            "join_of": step.join_of,
            "closed_by": step.closed_by,
            "switch_meet": step.meet,
            "is_switch_meet": step.is_meet,
        }
    return table


def _kind(step: GenStep) -> str:
    if step.name == "start" and step.kind == "linear":
        return "start"
    return step.kind


def _wiring(steps: dict[str, GenStep], step: GenStep, parents: list[str], groups: list[list[str]]) -> str:
    if not parents:
        return ""
    if step.kind == "join":
        split = steps[step.join_of]
        entries = ["|".join(group) for group in groups]
        return f"{entries[0]}@{split.name}" if split.kind == "foreach" else ",".join(entries)
    if step.is_meet:
        return "|".join(parents)
    (parent,) = parents
    return f"@{parent}" if steps[parent].kind == "foreach" else parent


# ---------------------------------------------------------------------------------- expected plan structure

def expected_scopes(steps: dict[str, GenStep]) -> dict[str, tuple[str, list[tuple[str, str]]]]:
    """step -> (its scope: the innermost enclosing foreach split, "" at top level; its dependencies as nodes of
    that scope: ("step", parent) for a parent in the same scope, ("scope", split) for the outermost foreach
    body inside this scope that holds the parent; the split that opened this scope is left out)."""
    def chain(step: GenStep) -> tuple[str, ...]:
        return tuple(s for s in step.splits if steps[s].kind == "foreach")

    parents = _parents(steps)
    table = {}
    for name, step in steps.items():
        own = chain(step)
        scope = own[-1] if own else ""
        ordered = [p for group in step.join_parents for p in group] if step.kind == "join" else parents[name]
        after = []
        for parent in ordered:
            theirs = chain(steps[parent])
            if theirs[:len(own)] != own:
                continue  # outside this scope: the split that opened it
            deeper = theirs[len(own):]
            node = ("scope", deeper[0]) if deeper else ("step", parent)
            if node not in after:
                after.append(node)
        table[name] = (scope, sorted(after))
    return table
