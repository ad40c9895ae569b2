"""Flow classes built from other classes of the same file: which classes are flows, the order in which
their bases are searched, and which class is "the flow" when several are.

Metaflow collects a flow's steps and parameters with dir(), so they come from every base: a flow may
extend another flow (`class MyFlow(BaseFlow)`) or take steps from a plain mixin (`class MyFlow(FlowSpec,
Steps)`), and a definition in a class overrides its bases'. flowc reads one file without running it, so a
base must be a class of that file, defined above the class that uses it (as Python needs). A base from
another module is FLC070, unless it is from the standard library, which defines no steps.
"""

from __future__ import annotations

import ast
import sys
from typing import Callable, Optional, Union

from .imports import ApiNames, bound_name, top_level_statements
from .source import Span
from .syntax import FUNCTIONS, Text, dotted, string

Key = Union[int, str]  # a class of this file (its position in Hierarchy.classes), or an outside base's name
FLOWSPEC = "<FlowSpec>"  # the key of flowc's / Metaflow's FlowSpec (a class of another library may share the name)
Report = Callable[[str, str, Union[ast.AST, Span], str], None]  # (code, message, where, help)


class Hierarchy:
    """The file's top-level classes and their bases."""

    def __init__(self, module: ast.Module, api: ApiNames, report: Report, text: Text):
        self.api, self.report, self.text = api, report, text
        self.classes = [s for s in module.body if isinstance(s, ast.ClassDef)]
        self.imported = _imported_modules(module)
        self.broken: set[int] = set()  # classes with a base defined below them (FLC071)
        self.bases: list[list[Key]] = [self._bases(i) for i in range(len(self.classes))]
        is_flow: list[bool] = []
        for keys in self.bases:  # a base is always an earlier class, so one pass in order suffices
            is_flow.append(any(k == FLOWSPEC or (isinstance(k, int) and is_flow[k]) for k in keys))
        self.flows = [c for c, flow in zip(self.classes, is_flow) if flow]
        self._mro: dict[int, Optional[list[Key]]] = {}

    def leaves(self) -> list[ast.ClassDef]:
        """The flows no other flow of the file extends: the candidates for "the flow"."""
        extended = {k for i, keys in enumerate(self.bases) if self.classes[i] in self.flows for k in keys}
        return [c for c in self.flows if self.classes.index(c) not in extended]

    def run_by_main(self, module: ast.Module) -> list[ast.ClassDef]:
        """The flow class that the file's `if __name__ == "__main__":` block instantiates (`MyFlow()`), as a
        one-item list; empty when there is no such block or it names no flow, or several."""
        names = {c.name: c for c in self.flows}
        called: set[str] = set()
        for statement in module.body:
            if isinstance(statement, ast.If) and _is_main_test(statement.test):
                called |= _called_names(statement.body) & set(names)
        return [names[called.pop()]] if len(called) == 1 else []

    def lineage(self, cls: ast.ClassDef) -> Optional[list[ast.ClassDef]]:
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

    def is_flow(self, cls: ast.ClassDef) -> bool:
        return cls in self.flows

    # ------------------------------------------------------------------------------------------ bases

    def _bases(self, index: int) -> list[Key]:
        cls = self.classes[index]
        keys: list[Key] = []
        for base in _written_bases(cls):
            keys.append(self._base(index, base))
        return keys

    def _base(self, index: int, node: ast.expr) -> Key:
        if self.api.resolve(node) == "FlowSpec":
            return FLOWSPEC
        name = dotted(node) or self.text.code(node)
        if isinstance(node, ast.Name):
            earlier = [i for i in range(index) if self.classes[i].name == name]
            if earlier:
                return earlier[-1]
            if any(c.name == name for c in self.classes[index + 1:]):
                self.broken.add(index)
                self.report("FLC071", f"the base class {name} is defined below {self.classes[index].name}",
                            node, f"move `class {name}` above `class {self.classes[index].name}`: Python "
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
        for base, key in zip(_written_bases(cls), self.bases[index]):
            if isinstance(key, str) and key != FLOWSPEC and self._outside_module(key):
                module = self._outside_module(key)
                found = True
                self.report("FLC070", f"{cls.name} extends {key}, which comes from the module {module}: "
                                      "flowc reads only this file and cannot see that class's steps and parameters",
                            base, f"define {key.split('.')[-1]} in this file (above {cls.name}), "
                                       "or copy the steps you need into this flow")
        return found

    def _has_steps(self, cls: ast.ClassDef) -> bool:
        return any(isinstance(s, FUNCTIONS) and any(self.api.resolve(d) == "step" for d in s.decorator_list)
                   for s in cls.body)

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
            self.report("FLC072", f"Python cannot order the bases of {cls.name} (no consistent method "
                                  "resolution order)", self.text.name_span(cls),
                        "list the bases so that every class comes before its own bases")
        self._mro[index] = None if merged is None else [index, *merged]
        return self._mro[index]


def _written_bases(cls: ast.ClassDef) -> list[ast.expr]:
    """The bases a class lists (not `*bases`; `metaclass=...` is a keyword, kept apart by the `ast`)."""
    return [b for b in cls.bases if not isinstance(b, ast.Starred)]


def _is_main_test(test: ast.expr) -> bool:
    """`__name__ == "__main__"`, either way round."""
    if not isinstance(test, ast.Compare) or len(test.ops) != 1 or not isinstance(test.ops[0], ast.Eq):
        return False
    return {_text(test.left), _text(test.comparators[0])} == {"__name__", "__main__"}


def _text(node: ast.expr) -> str:
    return node.id if isinstance(node, ast.Name) else string(node) or ""


def _called_names(body: list[ast.stmt]) -> set[str]:
    """The plain names called anywhere in `body` (`MyFlow()`)."""
    return {node.func.id for statement in body for node in ast.walk(statement)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)}


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


def _imported_modules(module: ast.Module) -> dict[str, str]:
    """Local name -> the module it was imported from (`from m import X`: X -> m; `import m.n`: m -> m.n)."""
    found: dict[str, str] = {}
    for statement in top_level_statements(module.body):
        if isinstance(statement, ast.ImportFrom):
            source = "." * statement.level + (statement.module or "")
            for alias in statement.names:
                if alias.name != "*":
                    found[alias.asname or alias.name] = source
        elif isinstance(statement, ast.Import):
            for alias in statement.names:
                found[bound_name(alias)] = alias.name
    return found


def member_names(statement: ast.stmt) -> frozenset[str]:
    """The class attributes a statement of a class body defines (methods, assignments, nested classes)."""
    if isinstance(statement, (*FUNCTIONS, ast.ClassDef)):
        return frozenset([statement.name])
    targets: list[ast.expr] = []
    if isinstance(statement, ast.Assign):
        targets = statement.targets
    elif isinstance(statement, (ast.AnnAssign, ast.AugAssign)):
        targets = [statement.target]
    return frozenset(t.id for t in targets if isinstance(t, ast.Name))


def merged_body(lineage: list[ast.ClassDef]) -> list[ast.stmt]:
    """The statements that define a class's members, its bases' first: a statement of a more derived class
    replaces its bases' statements defining the same names (as attribute lookup finds the derived one)."""
    effective: list[tuple[frozenset[str], ast.stmt]] = []
    for cls in reversed(lineage):
        own = [(member_names(s), s) for s in cls.body]
        defined = frozenset().union(*(names for names, _ in own))
        effective = [(names, s) for names, s in effective if not names & defined]
        effective += own
    return [s for _, s in effective]
