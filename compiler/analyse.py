"""Graph analysis: classify steps, match joins to splits, find where switch branches meet, lint.

Every problem is reported (no stopping at the first), with Metaflow's wording where its users know it.
Graph facts are computed once here, in one topological pass, so plans and backends never re-derive them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from . import graphs
from .diagnostics import Diagnostics, Label
from .ir import Flow, Step
from .schedule import resolve_cron
from .suggest import closest

RESERVED_STEP_NAMES = ("name", "next", "input", "index", "cmd")
# FlowSpec's own attributes: in Metaflow `self.name` is the flow's name whatever a parameter says.
FLOWSPEC_ATTRIBUTES = RESERVED_STEP_NAMES + ("merge_artifacts", "foreach_stack", "script_name")
SPLIT_KINDS = ("branch", "foreach")
_SPLIT_CHILD = "<split child>"  # marks "a direct child of a split": it starts a branch of its own
BROKEN_TRANSITION_CODES = {"FLC010", "FLC011", "FLC012", "FLC013", "FLC014", "FLC017"}


@dataclass(frozen=True)
class Node:
    """One step as the graph sees it."""

    name: str
    kind: str  # start | linear | branch | foreach | switch | join | end
    parents: tuple[str, ...]  # in split order for joins
    children: tuple[str, ...]
    split_parents: tuple[str, ...]  # enclosing open branch/foreach splits, outermost first
    foreach_depth: int  # number of enclosing foreach splits
    join_of: Optional[str] = None  # join: the split it closes
    closed_by: Optional[str] = None  # branch/foreach split: its join
    switch_meet: Optional[str] = None  # switch: the step where its branches meet
    is_switch_meet: bool = False  # several parents of which exactly one runs
    # `parents` grouped as the step waits for them: one of each group runs. A group of several: a switch's
    # cases (a meet, or a branch of a join whose switch cases end at the join); a foreach join: one group.
    input_groups: tuple[tuple[str, ...], ...] = ()


@dataclass
class Graph:
    flow: Flow
    nodes: dict[str, Node] = field(default_factory=dict)  # topological order

    def __getitem__(self, name: str) -> Node:
        return self.nodes[name]

    def __iter__(self):
        return iter(self.nodes.values())


def analyse(flow: Flow, diags: Diagnostics) -> Optional[Graph]:
    """Lint `flow` and return its graph, or None when its shape is too broken to describe."""
    steps = {}
    for step in flow.steps:
        if step.name in steps:
            diags.error("FLC033", f"step *{step.name}* is defined twice", step.span,
                        help="rename one of them; the later definition would replace the earlier",
                        labels=(Label(steps[step.name].span, "first defined here"),))
        else:
            steps[step.name] = step
    _check_names(flow, steps, diags)
    _check_parameters(flow, steps, diags)
    digraph = _build(flow, steps, diags)
    if "start" not in steps or "end" not in steps:
        return None
    if not _check_acyclic(digraph, steps, diags):
        return None
    reachable = graphs.descendants(digraph, "start") | {"start"}
    if not set(diags.codes) & BROKEN_TRANSITION_CODES:  # else every later step would be "unreachable" too
        _check_orphans(reachable, steps, diags)
    broken = _broken_transitions(steps, diags)
    return _Shape(flow, steps, digraph.subgraph(reachable), diags, broken).graph()


def _broken_transitions(steps: dict[str, Step], diags: Diagnostics) -> set[str]:
    """Steps whose self.next() is already reported (missing, malformed, to an unknown step). A branch that
    goes through one cannot reach its join: saying so too would be a second error for one mistake."""
    broken = {name for name, step in steps.items() if (step.transition.kind == "end" and name != "end")
              or any(target not in steps for target in step.transition.targets)}
    starts = sorted((step.span.line, name) for name, step in steps.items())
    for diagnostic in diags.items:
        if diagnostic.code in BROKEN_TRANSITION_CODES:
            owners = [name for line, name in starts if line <= diagnostic.span.line]
            broken.update(owners[-1:])
    return broken


# ---------------------------------------------------------------------------------- names

def _check_names(flow: Flow, steps: dict[str, Step], diags: Diagnostics) -> None:
    for name, step in steps.items():
        if name in RESERVED_STEP_NAMES:
            diags.error("FLC030", f"Step name *{name}* is a reserved word. Choose another name for the step.",
                        step.span, help=f"rename it, e.g. `{name}_step`")
        if not name or name[0] == "_" or any(c not in "abcdefghijklmnopqrstuvwxyz0123456789_" for c in name):
            diags.error("FLC031", f"Step *{name}* has an invalid name. Only lowercase ascii characters, "
                                  "underscores, and digits are allowed.", step.span,
                        help=f"rename it, e.g. `{_safe_name(name)}`")
    for required, article in (("start", "a"), ("end", "an")):
        if required not in steps:
            diags.error("FLC032", f"Add {article} *{required}* step in your flow.", flow.span,
                        help=f"every flow begins at `start` and finishes at `end`: add\n"
                             f"    @step\n    def {required}(self):\n        ...")
    end = steps.get("end")
    if end is not None:
        if end.transition.kind != "end":
            diags.error("FLC015", "The *end* step should not have a step.next() transition. Just remove it.",
                        end.transition.span, help="delete this self.next(...) call")
        if end.is_join:
            diags.error("FLC022", "The *end* step should not be a join step (it gets an extra argument). "
                                  "Add a join step before it.", end.span,
                        help="write `def end(self):` and join in a separate step before it")


def _safe_name(name: str) -> str:
    cleaned = "".join(c if c.isalnum() and c.isascii() else "_" for c in name.lower()).lstrip("_")
    return cleaned or "step"


def _check_parameters(flow: Flow, steps: dict[str, Step], diags: Diagnostics) -> None:
    seen = {}
    for parameter in flow.parameters:
        if parameter.name in seen:
            diags.error("FLC203", f"two parameters are named {parameter.name!r}", parameter.span,
                        help="give each parameter its own name",
                        labels=(Label(seen[parameter.name].span, "first declared here"),))
        seen.setdefault(parameter.name, parameter)
        if parameter.attribute in FLOWSPEC_ATTRIBUTES:
            diags.error("FLC206", f"`{parameter.attribute}` is FlowSpec's own attribute: `self.{parameter.attribute}` "
                                  "would not be this parameter", parameter.span,
                        help=f"give it another attribute name, e.g. `{parameter.attribute}_ = Parameter(...)`")
        _check_scheduled_parameter(flow, parameter, diags)
        for clash in {parameter.attribute, parameter.name} & set(steps):
            diags.error("FLC202", f"parameter {parameter.name!r} clashes with step *{clash}*", parameter.span,
                        help=f"rename the parameter or the step; both would be `self.{clash}`",
                        labels=(Label(steps[clash].span, "step defined here"),))


def _check_scheduled_parameter(flow: Flow, parameter, diags: Diagnostics) -> None:
    """A scheduler starts a scheduled flow with no arguments: a parameter without any default cannot run."""
    schedule = flow.decorator("schedule")
    if schedule is None or not (parameter.required and parameter.default is None):
        return
    if resolve_cron({k: v.value for k, v in schedule.args.items()}) is None:
        return
    diags.error("FLC207", f"parameter {parameter.name!r} is required and has no default, but the flow is "
                          "scheduled: the scheduler starts runs without arguments", parameter.span,
                help=f"give {parameter.name!r} a default, or remove @schedule",
                labels=(Label(schedule.span, "scheduled here"),))


# ---------------------------------------------------------------------------------- edges

def _build(flow: Flow, steps: dict[str, Step], diags: Diagnostics) -> graphs.DiGraph:
    graph = graphs.DiGraph()
    graph.add_nodes_from(steps)
    for step in steps.values():
        transition = step.transition
        if step.is_join and transition.kind in ("branch", "foreach", "switch"):
            diags.error("FLC021", f"Step *{step.name}* is both a join step (it takes an extra argument) and a "
                                  "split step (it transitions to multiple steps). This is not allowed. Add a "
                                  "new step so that split and join become separate steps.", step.span,
                        help=f"join in *{step.name}*, then split in a new step after it")
        seen = set()
        for target, span in zip(transition.targets, transition.target_spans or transition.targets):
            if target in seen and transition.kind != "switch":
                diags.error("FLC011", f"step *{target}* is listed twice in this transition", span,
                            help="list each next step once")
            seen.add(target)
            if target not in steps:
                guess = closest(target, steps)
                diags.error("FLC014", f"Step *{step.name}* specifies a self.next() transition to an unknown "
                                      f"step, *{target}*.", span,
                            help=f"did you mean self.{guess}?" if guess else
                            f"define a step `{target}` (a method decorated with @step)")
                continue
            graph.add_edge(step.name, target)
    return graph


def _check_acyclic(graph: graphs.DiGraph, steps: dict[str, Step], diags: Diagnostics) -> bool:
    ok = True
    order = {name: i for i, name in enumerate(steps)}
    for component in sorted(graphs.strongly_connected_components(graph), key=lambda c: min(order[n] for n in c)):
        first = min(component, key=order.__getitem__)
        if len(component) == 1 and not graph.has_edge(first, first):
            continue
        ok = False
        step = steps[first]
        if graph.has_edge(first, first) and step.transition.kind == "switch":
            diags.error("FLC110", f"Step *{first}* is a recursive switch (one case goes back to itself); "
                                  "flowc does not support loops yet", step.transition.span,
                        help="unroll the loop, or use a foreach over the items it would repeat for")
            continue
        cycle = graphs.find_cycle(graph.subgraph(component), first)
        path = "->".join([cycle[0][0]] + [v for _, v in cycle])
        diags.error("FLC101", f"There is a loop in your flow: *{path}*. Break the loop by fixing self.next() "
                              "transitions.", steps[cycle[-1][0]].transition.span,
                    help=f"this transition goes back to *{cycle[-1][1]}*")
    return ok


def _check_orphans(reachable: set[str], steps: dict[str, Step], diags: Diagnostics) -> None:
    for name, step in steps.items():
        if name not in reachable:
            diags.error("FLC102", f"Step *{name}* is unreachable from the start step. Add self.next(self.{name}) "
                                  f"in another step or remove *{name}*.", step.span,
                        help=f"add self.next(self.{name}) to the step that should run before it")


# ---------------------------------------------------------------------------------- shape

class _Shape:
    """One topological pass that assigns every step its enclosing splits and checks balance."""

    def __init__(self, flow: Flow, steps: dict[str, Step], digraph: graphs.DiGraph, diags: Diagnostics,
                 broken: set[str] = frozenset()):
        self.flow, self.steps, self.g, self.diags = flow, steps, digraph, diags
        # One mistake, one error: steps whose transition is already reported, branches already reported as
        # running into another step (FLC109, per split), and steps of a branch reported as never reaching
        # its join (FLC104), whose edges back into the flow are not judged again.
        self.broken = broken
        self.reported_branches: dict[str, set[str]] = {}
        self.escaped: set[str] = set()
        self.order = {name: i for i, name in enumerate(steps)}
        self.stack: dict[str, tuple[str, ...]] = {}  # open splits at a step (before its own transition)
        self.branch: dict[str, Optional[str]] = {}  # which child of the innermost open split leads here
        self.join_of: dict[str, str] = {}
        self.meets: set[str] = set()

    def graph(self) -> Graph:
        topo = list(graphs.lexicographical_topological_sort(self.g, key=self.order.__getitem__))
        for name in topo:
            self._visit(name)
        switch_meets = self._switch_meets()
        closed_by = {split: join for join, split in self.join_of.items()}
        nodes = {}
        for name in topo:
            step = self.steps[name]
            stack = self.stack[name]
            parents = self._ordered_parents(name)
            nodes[name] = Node(
                name=name,
                kind=_kind(step),
                parents=parents,
                children=tuple(t for t in dict.fromkeys(step.transition.targets) if t in self.g),
                split_parents=stack,
                foreach_depth=sum(1 for s in stack if self.steps[s].transition.kind == "foreach"),
                join_of=self.join_of.get(name),
                closed_by=closed_by.get(name),
                switch_meet=switch_meets.get(name),
                is_switch_meet=name in self.meets,
                input_groups=self._input_groups(name, parents),
            )
        return Graph(flow=self.flow, nodes=nodes)

    def _out(self, parent: str) -> tuple[tuple[str, ...], Optional[str]]:
        """The open splits and branch seen by a child of `parent`."""
        stack = self.stack[parent]
        kind = self.steps[parent].transition.kind
        if kind in SPLIT_KINDS:  # also a join that splits (FLC021): what follows is analysed as meant
            return stack + (parent,), _SPLIT_CHILD
        return stack, self.branch[parent]

    def _visit(self, name: str) -> None:
        step = self.steps[name]
        parents = sorted(self.g.predecessors(name), key=self.order.__getitem__)
        parents = [p for p in parents if p not in self.escaped] or parents
        if not parents:
            self.stack[name], self.branch[name] = (), None
            if step.is_join:  # `def start(self, inputs)`: nothing comes before it
                self._join_without_split(name)
            return
        incoming = {p: self._out(p) for p in parents}
        if step.is_join:
            self._visit_join(name, parents, incoming)
        else:
            self._visit_plain(name, parents, incoming)
        if name == "end" and self.stack.get(name):
            split = self.stack[name][-1]
            transition = self.steps[split].transition
            body = _names(transition.targets)
            what = f"the foreach body ({body})" if transition.kind == "foreach" else f"the branches {body}"
            self.diags.error("FLC103", f"The {transition.kind} split at step *{split}* is never joined: the terminal "
                                       "step *end* is reached before a join step closes it.", transition.span,
                             help=f"add a step `def join(self, inputs):` after {what}, and go from it to *end*",
                             labels=(Label(step.span, "end reached here, inside the split"),))

    def _visit_plain(self, name: str, parents: list[str], incoming: dict) -> None:
        first = incoming[parents[0]]
        self.stack[name] = first[0]
        self.branch[name] = name if first[1] is _SPLIT_CHILD else first[1]
        if len(parents) == 1:
            return
        self.meets.add(name)
        stacks = {incoming[p][0] for p in parents}
        branches = {incoming[p][1] for p in parents}
        if len(stacks) > 1 or len(branches) > 1 or _SPLIT_CHILD in branches:
            step = self.steps[name]
            own = self.branch[name]
            crossing = sorted({incoming[p][1] for p in parents} - {_SPLIT_CHILD, own, None})
            also = f", or end branch {_names(crossing)} at its split's join instead" \
                if len(stacks) == 1 and _SPLIT_CHILD in branches and crossing else ""
            self.diags.error("FLC109", f"Step *{name}* has several incoming paths ({', '.join(parents)}) "
                                       "but is not a join step.", step.span,
                             help=f"make it a join: `def {name}(self, inputs):`{also}")
            if len(stacks) == 1 and next(iter(stacks)):  # branches running into another: not again at the join
                self.reported_branches.setdefault(next(iter(stacks))[-1], set()).update(crossing)
            self._continue_as_join(name, stacks, branches)
            return
        for parent in parents:
            transition = self.steps[parent].transition
            if transition.kind == "switch" and len(parents) > 1:
                case_spans = [span for (_, target), span in zip(transition.cases, transition.target_spans)
                              if target == name]
                self.diags.error("FLC110", f"a case of switch *{parent}* leads directly to *{name}*, where the "
                                           "switch's branches meet", case_spans[0] if case_spans else transition.span,
                                 help=f"add a step on that path between *{parent}* and *{name}*")

    def _continue_as_join(self, name: str, stacks: set, branches: set) -> None:
        """A plain step that every branch of one split reaches is the join the user meant (FLC109 says
        so): analyse what follows it as after that join, so one mistake gives one error, not a second
        "end reached before the split was joined"."""
        stack = next(iter(stacks))
        if len(stacks) != 1 or not stack:
            return
        split = self.steps[stack[-1]].transition
        if split.kind == "branch" and branches == set(split.targets):
            self.stack[name] = stack[:-1]
            self.branch[name] = self._out_of_split(stack[-1])

    def _visit_join(self, name: str, parents: list[str], incoming: dict) -> None:
        step = self.steps[name]
        for parent in parents:
            if self.steps[parent].transition.kind == "switch":
                self.diags.error("FLC108", "A conditional path cannot lead directly to a join step. In your "
                                           f"conditional step *{parent}*, one or more of the possible paths "
                                           f"transition directly to the join step *{name}*.", step.span,
                                 help="introduce an intermediate, unconditional step on that path before joining")
        stacks = {incoming[p][0] for p in parents}
        if len(stacks) > 1:
            common = _common_prefix(stacks)
            unjoined = sorted({s for stack in stacks for s in stack[len(common):]}, key=self.order.__getitem__)
            splits = f"the split at step {_names(unjoined)} is" if len(unjoined) == 1 else \
                f"the splits at steps {_names(unjoined)} are"
            self.diags.error("FLC106", f"Step *{name}* joins steps from unrelated splits: {splits} not joined "
                                       "before it. Ensure that there is a matching join for every split.", step.span,
                             help=f"close the split at {_names(unjoined)} with a join step of its own first, "
                                  f"and go from that join to *{name}*")
            # What follows is analysed as after the join of the splits they share: one error, not a second
            # "end reached before the split was joined".
            self.stack[name], self.branch[name] = common[:-1], self._out_of_split(common[-1]) if common else None
            if common:
                self.join_of[name] = common[-1]
            return
        stack = next(iter(stacks))
        if not stack:
            self._join_without_split(name)
            self.stack[name], self.branch[name] = (), None
            return
        split = stack[-1]
        self.join_of[name] = split
        self.stack[name] = stack[:-1]
        outer = self._out_of_split(split)
        self.branch[name] = outer
        expected = self.steps[split].transition.targets
        arrived = {p if incoming[p][1] is _SPLIT_CHILD else incoming[p][1] for p in parents}
        missing = [branch for branch in dict.fromkeys(expected) if branch not in arrived]
        if self.steps[split].transition.kind == "branch" and missing:
            self._escape(missing, name)
            unreported = [branch for branch in missing if not self._reported(split, branch, name)]
            if unreported:
                these = "its branch" if len(unreported) == 1 else "its branches"
                self.diags.error("FLC104", f"The split at step *{split}* is not joined by *{name}*: {these} "
                                           f"{_names(unreported)} never lead{'s' if len(unreported) == 1 else ''} "
                                           f"to it (a join step must be reached by every branch of its split).",
                                 self.steps[split].transition.span,
                                 help=f"end the last step of {these} {_names(unreported)} with "
                                      f"`self.next(self.{name})`",
                                 labels=(Label(step.span, f"the join, reached only from {_names(sorted(arrived))}"),))
        if self.steps[split].transition.kind == "foreach" and split in parents:
            self.diags.error("FLC107", f"Step *{split}* is a foreach split that has no children: it is followed "
                                       f"immediately by a join step, *{name}*. Add at least one step between the "
                                       "split and the join.", self.steps[split].transition.span,
                             help="add a step that processes one item between the split and the join")

    def _reported(self, split: str, branch: str, join: str) -> bool:
        """Whether a branch that does not reach its join is already explained: it runs into another branch
        (FLC109), or a step on it has a broken transition (FLC010-FLC017), or it is no step at all (FLC014)."""
        if branch not in self.g or branch in self.reported_branches.get(split, ()):
            return True
        return bool(self._reach(branch, join) & self.broken)

    def _escape(self, missing: list[str], join: str) -> None:
        """Mark the steps of these branches that the join does not lead to: where they run back into the
        flow after it (e.g. into *end*), that edge is the mistake already reported, not a second one."""
        region = set().union(*(self._reach(branch, join) for branch in missing if branch in self.g))
        self.escaped |= region - self._reach(join, None)

    def _reach(self, start: str, stop: Optional[str]) -> set[str]:
        """The steps reachable from `start` (included) without passing through `stop`."""
        seen, todo = set(), [start]
        while todo:
            step = todo.pop()
            if step not in seen and step != stop:
                seen.add(step)
                todo.extend(self.g.successors(step))
        return seen

    def _join_without_split(self, name: str) -> None:
        self.diags.error("FLC105", f"Step *{name}* seems like a join step (it takes an extra input argument) "
                                   "but it is not preceded by a split. Ensure that there is a matching split "
                                   "for every join.", self.steps[name].span,
                         help=f"write `def {name}(self):`, or split before it")

    def _out_of_split(self, split: str) -> Optional[str]:
        """The branch a join continues on: the one its split was on."""
        return self.branch.get(split)

    def _ordered_parents(self, name: str) -> tuple[str, ...]:
        parents = sorted(self.g.predecessors(name), key=self.order.__getitem__)
        split = self.join_of.get(name)
        if split is None:
            return tuple(parents)
        targets = self.steps[split].transition.targets
        rank = {t: i for i, t in enumerate(targets)}

        def branch_rank(parent: str) -> tuple[int, int]:
            branch = self.branch.get(parent) if parent not in rank else parent
            return rank.get(branch, len(rank)), self.order[parent]

        return tuple(sorted(parents, key=branch_rank))

    def _input_groups(self, name: str, parents: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
        """Which parents are alternatives. A join of static branches gets one group per branch: where a
        switch inside a branch has its cases end at the join, that branch's group holds every case's last
        step, and the join takes whichever ran (Metaflow's shape: one input per branch)."""
        split = self.join_of.get(name)
        if name in self.meets or (split is not None and self.steps[split].transition.kind == "foreach"):
            return (parents,) if parents else ()
        if split is None:
            return tuple((p,) for p in parents)
        groups: dict[str, list[str]] = {}
        for parent in parents:  # already in split order
            branch = self.branch.get(parent)
            groups.setdefault(parent if branch is _SPLIT_CHILD or branch is None else branch, []).append(parent)
        return tuple(tuple(group) for group in groups.values())

    def _switch_meets(self) -> dict[str, str]:
        """Where each switch's branches meet: its immediate post-dominator."""
        switches = [n for n in self.g if self.steps[n].transition.kind == "switch"]
        if not switches or "end" not in self.g:
            return {}
        try:
            post = graphs.immediate_dominators(self.g.reverse(), "end")
        except KeyError:
            return {}
        return {s: post[s] for s in switches if s in post and post[s] != s}


def _names(names) -> str:
    """*a*, *b*: step names as diagnostics write them."""
    return ", ".join(f"*{name}*" for name in names)


def _common_prefix(stacks) -> tuple[str, ...]:
    """The splits that every one of these stacks of open splits shares, outermost first."""
    common = min(stacks, key=len)
    for stack in stacks:
        while stack[:len(common)] != common:
            common = common[:-1]
    return common


def _kind(step: Step) -> str:
    if step.is_join:
        return "join"
    kind = step.transition.kind
    if kind in ("branch", "foreach", "switch"):
        return kind
    if step.name == "start":
        return "start"
    if step.name == "end":
        return "end"
    return "linear"
