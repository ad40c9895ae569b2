"""Read a task's inputs from the datastore, as its --inputs wiring says (DESIGN section 4).

    ""        start: no inputs
    "a"       parent a at the same index (linear, branch child, after a switch)
    "@s"      first step of a foreach body: split s at the parent index; the item is s's item for
              this task's last index segment
    "a,b"     static join, same index, split order
    "last@s"  foreach join: s at this index lists the children (its control value); inputs are `last`
              at each child index
    "a|b|c"   switch branches meet: exactly one of them committed at this index

A join's entry (a branch, or a foreach body's last step) may itself be "x|y": the branch ends in a
switch whose cases meet at the join, and its input is the one case that committed ("x|y,b", "x|y@s").

An input that has not committed is a contract error (exit 2), unless it was skipped by a switch:
then this task is skipped too (exit 3), so schedulers that run every branch can skip whole branches.
"""

from __future__ import annotations

from collections import namedtuple


from . import layout
from .datastore import Datastore, TaskRef
from .errors import ContractError, SkippedTask


class Wiring(namedtuple("Wiring", "kind steps split", defaults=((), None))):
    """kind: start | linear | foreach_child | join | foreach_join | meet; steps: the input steps (for the
    joins, one tuple of alternatives per entry: ("x", "y") for "x|y"); split: the foreach split of "@s"
    and "last@s"."""

    __slots__ = ()

    @property
    def is_join(self) -> bool:
        return self.kind in ("join", "foreach_join")


def parse_wiring(text: str) -> Wiring:
    def names(parts) -> tuple[str, ...]:
        return tuple(layout.check_name("step", p) for p in parts)

    try:
        if text == "":
            return Wiring("start")
        if "@" in text:
            last, _, split = text.partition("@")
            if last == "":
                return Wiring("foreach_child", (), layout.check_name("step", split))
            return Wiring("foreach_join", (names(last.split("|")),), layout.check_name("step", split))
        if "," in text:
            entries = tuple(names(entry.split("|")) for entry in text.split(","))
            if len(entries) < 2:
                raise ValueError("a join needs at least two steps")
            return Wiring("join", entries)
        if "|" in text:
            steps = names(text.split("|"))
            if len(steps) < 2:
                raise ValueError("a meet needs at least two steps")
            return Wiring("meet", steps)
        return Wiring("linear", names([text]))
    except ValueError as error:
        raise ContractError(f"bad --inputs {text!r}: {error}") from None


class Committed(namedtuple("Committed", "ref done")):
    """A committed input task (TaskRef) and its commit record (done.json)."""

    __slots__ = ()

    @property
    def artifacts(self) -> dict:
        return self.done.artifacts

    @property
    def frames(self) -> list:
        return self.done.foreach_stack


Resolved = namedtuple("Resolved", "parents artifacts frames", defaults=((), {}, []))
Resolved.__doc__ = """What a task starts from: its input tasks (a join's inputs, or the one parent), the
artifacts it inherits (name -> info; a join keeps only the Parameters) and its foreach stack."""


def committed(datastore: Datastore, ref: TaskRef) -> Committed:
    done = datastore.read_done(ref)
    if done is not None:
        return Committed(ref, done)
    skipped = datastore.read_skipped(ref)
    if skipped is not None:
        raise SkippedTask(skipped.switch, skipped.chosen)
    raise ContractError(f"missing input: {ref.pathspec} has not committed (no done.json under {datastore.uri})")


def resolve(datastore: Datastore, me: TaskRef, wiring: Wiring) -> Resolved:
    kind = wiring.kind
    if kind == "start":
        if me.index:
            raise ContractError(f"start runs at index '', not {me.index!r}")
        return Resolved()
    if kind == "linear":
        parent = committed(datastore, me.at(step=wiring.steps[0]))
        _check_switch(parent, me.step)
        return Resolved([parent], parent.artifacts, parent.frames)
    if kind == "foreach_child":
        return _foreach_child(datastore, me, wiring.split)
    if kind == "join":
        parents = [_one_of(datastore, me, entry) for entry in wiring.steps]
        return Resolved(parents, parents[0].artifacts, parents[0].frames)
    if kind == "foreach_join":
        split = committed(datastore, me.at(step=wiring.split))
        control = split.done.control_value
        if not isinstance(control, list):
            raise ContractError(f"{split.ref.pathspec} is not a foreach split (its control value is {control!r})")
        parents = _foreach_inputs(datastore, me, wiring.steps[0], control)
        artifacts = parents[0].artifacts if parents else split.artifacts
        return Resolved(parents, artifacts, split.frames)
    if kind == "meet":
        return _meet(datastore, me, wiring.steps)
    raise ContractError(f"unknown wiring {kind}")


def _one_of(datastore: Datastore, me: TaskRef, entry: tuple[str, ...]) -> Committed:
    """A join's input for one branch: the step itself, or the one of a switch's cases that committed."""
    if len(entry) == 1:
        return committed(datastore, me.at(step=entry[0]))
    return _meet(datastore, me, entry).parents[0]


def _foreach_inputs(datastore: Datastore, me: TaskRef, last: tuple[str, ...], children: list) -> list:
    """The last body step of every child, in index order: one read per child in the common case (its first
    candidate committed); a child whose body ended in another of a switch's cases is looked up case by case."""
    refs = [me.at(step=last[0], index=child) for child in children]
    records = datastore.read_done_many(refs)
    parents = []
    for ref, done in zip(refs, records):
        if done is not None:
            parents.append(Committed(ref, done))
        elif len(last) == 1:
            parents.append(committed(datastore, ref))
        else:
            parents.append(_one_of(datastore, ref, last))
    return parents


def _check_switch(parent: Committed, me: str) -> None:
    """A parent whose control value is a step name is a switch: it must have chosen this step."""
    control = parent.done.control
    if isinstance(control, str) and control != me:
        raise SkippedTask(parent.ref.step, control)


def _foreach_child(datastore: Datastore, me: TaskRef, split_step: str) -> Resolved:
    if not me.index:
        raise ContractError(f"--inputs @{split_step} needs a foreach --index (e.g. '0'), got ''")
    position = layout.index_parts(me.index)[-1]
    split = committed(datastore, me.at(step=split_step, index=layout.parent_index(me.index)))
    foreach = split.done.foreach
    if not foreach:
        raise ContractError(f"{split.ref.pathspec} is not a foreach split")
    if position >= foreach["num_splits"]:
        raise ContractError(f"{split.ref.pathspec} has {foreach['num_splits']} items; there is no item {position}")
    item = datastore.read_foreach_item(split.ref, split.done.attempt, position)
    frame = {"step": split_step, "var": foreach["var"], "index": position,
             "num_splits": foreach["num_splits"], "item": item}
    return Resolved([split], split.artifacts, split.frames + [frame])


def _meet(datastore: Datastore, me: TaskRef, steps: tuple[str, ...]) -> Resolved:
    found, skips, missing = [], [], []
    for step in steps:
        try:
            candidate = committed(datastore, me.at(step=step))
            _check_switch(candidate, me.step)
            found.append(candidate)
        except SkippedTask as skip:
            skips.append(skip)
        except ContractError:
            missing.append(step)
    if len(found) > 1:
        names = ", ".join(c.ref.step for c in found)
        raise ContractError(f"inputs {names} all committed at index {me.index!r}; where switch branches meet "
                            f"exactly one may run")
    if found:
        return Resolved(found, found[0].artifacts, found[0].frames)
    if skips and not missing:
        raise skips[0]
    raise ContractError(f"missing input: none of {', '.join(steps)} has committed for {me.pathspec}")
