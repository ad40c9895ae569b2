"""Flow classes built from other classes of the same file: which classes are flows, the order in which
their bases are searched, and which class is "the flow" when several are.

Metaflow collects a flow's steps and parameters with dir(), so they come from every base: a flow may
extend another flow (`class MyFlow(BaseFlow)`) or take steps from a plain mixin (`class MyFlow(FlowSpec,
Steps)`), and a definition in a class overrides its bases'. flowc reads one file without running it, so a
base must be a class of that file, defined above the class that uses it (as Python needs). A base from
another module is FLC070, unless it is from the standard library, which defines no steps.
"""

from __future__ import annotations

import sys
from typing import Callable, Optional, Union

import libcst as cst
from libcst.helpers import get_full_name_for_node

from .imports import ApiNames, _block, _bound_name, _top_level_statements

Key = Union[int, str]  # a class of this file (its position in Hierarchy.classes), or an outside base's name
FLOWSPEC = "<FlowSpec>"  # the key of flowc's / Metaflow's FlowSpec (a class of another library may share the name)
Report = Callable[[str, str, cst.CSTNode, str], None]  # (code, message, node, help)


class Hierarchy:
    """The file's top-level classes and their bases."""

    def __init__(self, module: cst.Module, api: ApiNames, report: Report):
        self.api, self.report = api, report
        self.classes = [s for s in module.body if isinstance(s, cst.ClassDef)]
        self.imported = _imported_modules(module)
        self.broken: set[int] = set()  # classes with a base defined below them (FLC071)
        self.bases: list[list[Key]] = [self._bases(i) for i in range(len(self.classes))]
        is_flow: list[bool] = []
        for keys in self.bases:  # a base is always an earlier class, so one pass in order suffices
            is_flow.append(any(k == FLOWSPEC or (isinstance(k, int) and is_flow[k]) for k in keys))
        self.flows = [c for c, flow in zip(self.classes, is_flow) if flow]
        self._mro: dict[int, Optional[list[Key]]] = {}

    def leaves(self) -> list[cst.ClassDef]:
        """The flows no other flow of the file extends: the candidates for "the flow"."""
        extended = {k for i, keys in enumerate(self.bases) if self.classes[i] in self.flows for k in keys}
        return [c for c in self.flows if self.classes.index(c) not in extended]

    def run_by_main(self, module: cst.Module) -> list[cst.ClassDef]:
        """The flow class that the file's `if __name__ == "__main__":` block instantiates (`MyFlow()`), as a
        one-item list; empty when there is no such block or it names no flow, or several."""
        names = {c.name.value: c for c in self.flows}
        called: set[str] = set()
        for statement in module.body:
            if isinstance(statement, cst.If) and _is_main_test(statement.test):
                finder = _CalledNames()
                statement.body.visit(finder)
                called |= finder.names & set(names)
        return [names[called.pop()]] if len(called) == 1 else []

    def lineage(self, cls: cst.ClassDef) -> Optional[list[cst.ClassDef]]:
        """`cls` and its bases of this file, in Python's method resolution order (most derived first);
        None when Python could not order them (reported)."""
        order = self._linearize(self.classes.index(cls))
        if order is None:
            return None
        mine = [k for k in order if isinstance(k, int)]
        outside = [self._check_outside_bases(k) for k in mine]
        if any(outside) or self.broken & set(mine):
            return None
        return [self.classes[k] for k in mine]

    def check_step_classes(self) -> None:
        """With no flow in the file: a class of steps built on a class from another module is FLC070."""
        for i, cls in enumerate(self.classes):
            if self._has_steps(cls):
                self._check_outside_bases(i)

    def is_flow(self, cls: cst.ClassDef) -> bool:
        return cls in self.flows

    # ------------------------------------------------------------------------------------------ bases

    def _bases(self, index: int) -> list[Key]:
        cls = self.classes[index]
        keys: list[Key] = []
        for arg in cls.bases:
            if arg.keyword is not None or arg.star:
                continue  # metaclass=..., *bases
            keys.append(self._base(index, arg.value))
        return keys

    def _base(self, index: int, node: cst.BaseExpression) -> Key:
        if self.api.resolve(node) == "FlowSpec":
            return FLOWSPEC
        name = get_full_name_for_node(node) or self._code(node)
        if isinstance(node, cst.Name):
            earlier = [i for i in range(index) if self.classes[i].name.value == name]
            if earlier:
                return earlier[-1]
            if any(c.name.value == name for c in self.classes[index + 1:]):
                self.broken.add(index)
                self.report("FLC071", f"the base class {name} is defined below {self.classes[index].name.value}",
                            node, f"move `class {name}` above `class {self.classes[index].name.value}`: Python "
                                  "needs a base class defined before the classes that extend it")
        return name

    def _outside_module(self, name: str) -> Optional[str]:
        """The module an outside base comes from, when it is not the standard library's."""
        module = self.imported.get(name.split(".")[0])
        if module is None or module.split(".")[0] in sys.stdlib_module_names:
            return None
        return module

    def _check_outside_bases(self, index: int) -> bool:
        """Report the class's bases from other modules (FLC070); True if it has any."""
        cls = self.classes[index]
        found = False
        for arg, key in zip((a for a in cls.bases if a.keyword is None and not a.star), self.bases[index]):
            if isinstance(key, str) and key != FLOWSPEC and self._outside_module(key):
                module = self._outside_module(key)
                found = True
                self.report("FLC070", f"{cls.name.value} extends {key}, which comes from the module {module}: "
                                      "flowc reads only this file and cannot see that class's steps and parameters",
                            arg.value, f"define {key.split('.')[-1]} in this file (above {cls.name.value}), "
                                       "or copy the steps you need into this flow")
        return found

    def _has_steps(self, cls: cst.ClassDef) -> bool:
        return any(isinstance(s, cst.FunctionDef) and any(self.api.resolve(d.decorator) == "step"
                                                           for d in s.decorators)
                   for s in _block(cls.body))

    def _code(self, node: cst.CSTNode) -> str:
        return cst.Module(body=[]).code_for_node(node)

    # ------------------------------------------------------------------------------------------ C3

    def _linearize(self, index: int) -> Optional[list[Key]]:
        if index in self._mro:
            return self._mro[index]
        sequences = []
        for key in self.bases[index]:
            sequences.append(self._linearize(key) if isinstance(key, int) else [key])
        if any(s is None for s in sequences):
            self._mro[index] = None
            return None
        merged = _c3_merge([list(s) for s in sequences] + [list(self.bases[index])])
        if merged is None:
            cls = self.classes[index]
            self.report("FLC072", f"Python cannot order the bases of {cls.name.value} (no consistent method "
                                  "resolution order)", cls.name,
                        "list the bases so that every class comes before its own bases")
        self._mro[index] = None if merged is None else [index, *merged]
        return self._mro[index]


def _is_main_test(test: cst.BaseExpression) -> bool:
    """`__name__ == "__main__"`, either way round."""
    if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
        return False
    target = test.comparisons[0]
    if not isinstance(target.operator, cst.Equal):
        return False
    return {_text(test.left), _text(target.comparator)} == {"__name__", "__main__"}


def _text(node: cst.BaseExpression) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else ""
    return ""


class _CalledNames(cst.CSTVisitor):
    def __init__(self) -> None:
        self.names: set[str] = set()

    def visit_Call(self, node: cst.Call) -> None:
        if isinstance(node.func, cst.Name):
            self.names.add(node.func.value)


def _c3_merge(sequences: list[list[Key]]) -> Optional[list[Key]]:
    """Python's C3 merge; None when there is no consistent order."""
    result: list[Key] = []
    sequences = [s for s in sequences if s]
    while sequences:
        for sequence in sequences:
            head = sequence[0]
            if not any(head in s[1:] for s in sequences):
                break
        else:
            return None
        result.append(head)
        sequences = [s[1:] if s[0] == head else s for s in sequences]
        sequences = [s for s in sequences if s]
    return result


def _imported_modules(module: cst.Module) -> dict[str, str]:
    """Local name -> the module it was imported from (`from m import X`: X -> m; `import m.n`: m -> m.n)."""
    found: dict[str, str] = {}
    for statement in _top_level_statements(module.body):
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar):
                source = "." * len(small.relative) + (get_full_name_for_node(small.module) or "") if small.module \
                    else "." * len(small.relative)
                for alias in small.names:
                    imported = get_full_name_for_node(alias.name)
                    found[_bound_name(alias) or imported] = source
            elif isinstance(small, cst.Import):
                for alias in small.names:
                    imported = get_full_name_for_node(alias.name)
                    found[_bound_name(alias) or imported.split(".")[0]] = imported
    return found


def member_names(statement) -> frozenset[str]:
    """The class attributes a statement of a class body defines (methods, assignments, nested classes)."""
    if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
        return frozenset([statement.name.value])
    names = set()
    if isinstance(statement, cst.SimpleStatementLine):
        for small in statement.body:
            targets = []
            if isinstance(small, cst.Assign):
                targets = [t.target for t in small.targets]
            elif isinstance(small, (cst.AnnAssign, cst.AugAssign)):
                targets = [small.target]
            names.update(t.value for t in targets if isinstance(t, cst.Name))
    return frozenset(names)


def merged_body(lineage: list[cst.ClassDef]) -> list:
    """The statements that define a class's members, its bases' first: a statement of a more derived class
    replaces its bases' statements defining the same names (as attribute lookup finds the derived one)."""
    effective: list[tuple[frozenset[str], object]] = []
    for cls in reversed(lineage):
        own = [(member_names(s), s) for s in _block(cls.body)]
        defined = frozenset().union(*(names for names, _ in own))
        effective = [(names, s) for names, s in effective if not names & defined]
        effective += own
    return [s for _, s in effective]
