"""FLC040: `metaflow` names and modules that flowc's stand-in package does not offer.

The same table as the runtime shim (flowc.runtime.metaflow_api) decides, so a flow that checks clean never
fails on a `metaflow` import at run time. Every import in the file counts (a step may import inside its
body), and so does every `metaflow.X` attribute of a module bound by an import. An import inside
`try:` with an `except ImportError` (or a broader handler) is the flow's own fallback and is left alone.
"""

from __future__ import annotations

from typing import Iterator, Optional

import libcst as cst
from libcst.helpers import get_full_name_for_node

from flowc.runtime import metaflow_api as api

from .suggest import closest

ROOT = api.SHIM_ROOT
_GUARDS = {"ImportError", "ModuleNotFoundError", "Exception", "BaseException"}

Finding = tuple[cst.CSTNode, str, str]  # node, message, help


def unprovided(module: cst.Module) -> list[Finding]:
    """Every use of a name or module flowc's `metaflow` does not offer, in source order."""
    imports = list(_imports(module.body, guarded=False))
    bindings = _Bindings()
    for statement, _ in imports:
        statement.visit(bindings)
    checker = _Checker(bindings.modules)
    checker.reported_elsewhere = _decorated_names(module)  # FLC301 reports the flow's decorators flowc lacks
    if bindings.modules:  # `metaflow.X` uses of an imported module can be anywhere: read the whole file
        module.visit(checker)
    else:  # only the import statements can name what is not offered
        for statement, guarded in imports:
            checker.guarded = int(guarded)
            statement.visit(checker)
    return checker.findings


def _imports(statements, guarded: bool) -> Iterator[tuple[cst.CSTNode, bool]]:
    """Every import statement among `statements` and inside their blocks, in source order, and whether a
    `try` that handles ImportError encloses it. Expressions hold no import statement, so the walk stays
    on statements (visiting every node of a file was half of compiling it)."""
    for statement in statements:
        if isinstance(statement, (cst.Import, cst.ImportFrom)):
            yield statement, guarded
        elif isinstance(statement, (cst.SimpleStatementLine, cst.SimpleStatementSuite, cst.IndentedBlock)):
            yield from _imports(statement.body, guarded)
        elif isinstance(statement, (cst.Try, cst.TryStar)):
            yield from _imports([statement.body],
                                guarded or any(_catches_import_errors(h) for h in statement.handlers))
            yield from _imports([h.body for h in statement.handlers], guarded)
            yield from _imports([p.body for p in (statement.orelse, statement.finalbody) if p is not None], guarded)
        elif isinstance(statement, cst.BaseCompoundStatement):
            blocks = [getattr(statement, "body", None), getattr(statement, "orelse", None)]
            blocks += [case.body for case in getattr(statement, "cases", ())]  # match
            for block in blocks:
                if isinstance(block, cst.Else):
                    block = block.body
                if isinstance(block, (cst.BaseSuite, cst.If)):  # an `elif` is an If in `orelse`
                    yield from _imports([block], guarded)


def _decorated_names(module: cst.Module) -> set[str]:
    """Names used as decorators of top-level classes and their methods (the flow's and its steps')."""
    names = set()
    for statement in module.body:
        if isinstance(statement, cst.ClassDef):
            for node in [statement, *(s for s in statement.body.body if isinstance(s, cst.FunctionDef))]:
                for decorator in node.decorators:
                    target = decorator.decorator
                    full = get_full_name_for_node(target.func if isinstance(target, cst.Call) else target)
                    names.add((full or "").rpartition(".")[2])
    return names


def _is_shim(dotted: Optional[str]) -> bool:
    return dotted is not None and (dotted == ROOT or dotted.startswith(ROOT + "."))


class _Bindings(cst.CSTVisitor):
    """Local names bound to an offered `metaflow` module, anywhere in the file."""

    def __init__(self) -> None:
        self.modules: dict[str, str] = {}

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            dotted = get_full_name_for_node(alias.name)
            if not _is_shim(dotted):
                continue
            if alias.asname is None:
                self.modules[ROOT] = ROOT  # `import metaflow.exception` binds `metaflow`
            elif dotted in api.MODULES:
                self.modules[get_full_name_for_node(alias.asname.name)] = dotted

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        dotted = get_full_name_for_node(node.module) if node.module and not node.relative else None
        if dotted not in api.MODULES or isinstance(node.names, cst.ImportStar):
            return
        for alias in node.names:
            name = get_full_name_for_node(alias.name)
            if f"{dotted}.{name}" in api.MODULES:  # from metaflow import exception
                bound = get_full_name_for_node(alias.asname.name) if alias.asname else name
                self.modules[bound] = f"{dotted}.{name}"


class _Checker(cst.CSTVisitor):
    def __init__(self, bindings: dict[str, str]) -> None:
        self.bindings = bindings
        self.findings: list[Finding] = []
        self.guarded = 0  # inside the body of a try that handles ImportError
        self.reported_elsewhere: set[str] = set()  # unsupported decorators the flow uses: FLC301 reports them

    def visit_Try(self, node: cst.Try) -> bool:
        guards = any(_catches_import_errors(handler) for handler in node.handlers)
        self.guarded += guards
        node.body.visit(self)
        self.guarded -= guards
        for part in (*node.handlers, node.orelse, node.finalbody):
            if part is not None:
                part.visit(self)
        return False

    def visit_Import(self, node: cst.Import) -> bool:
        for alias in node.names:
            dotted = get_full_name_for_node(alias.name)
            if _is_shim(dotted):
                self._check_module(alias.name, dotted)
        return False  # its dotted names are not attribute uses

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        dotted = get_full_name_for_node(node.module) if node.module and not node.relative else None
        if _is_shim(dotted) and self._check_module(node.module, dotted) and not isinstance(node.names, cst.ImportStar):
            for alias in node.names:
                self._check_name(alias.name, dotted, get_full_name_for_node(alias.name))
        return False

    def visit_Attribute(self, node: cst.Attribute) -> None:
        owner = self._module_of(node.value)
        if owner is not None and f"{owner}.{node.attr.value}" not in api.MODULES:
            self._check_name(node.attr, owner, node.attr.value)

    def _module_of(self, node: cst.BaseExpression) -> Optional[str]:
        """The offered module `node` names (`metaflow`, `mf.exception`, ...), or None."""
        if isinstance(node, cst.Name):
            return self.bindings.get(node.value)
        if isinstance(node, cst.Attribute):
            owner = self._module_of(node.value)
            dotted = f"{owner}.{node.attr.value}" if owner else None
            return dotted if dotted in api.MODULES else None
        return None

    def _check_module(self, node: cst.CSTNode, dotted: str) -> bool:
        """Report the first part of `dotted` that is not an offered module; True if all of it is."""
        parts = dotted.split(".")
        for end in range(2, len(parts) + 1):
            prefix = ".".join(parts[:end])
            if prefix in api.MODULES:
                continue
            parent, name = ".".join(parts[:end - 1]), parts[end - 1]
            reason = api.missing_module(prefix) or api.MODULES[parent].missing.get(name)
            self._report(node, f"module `{prefix}` is not provided by flowc's metaflow",
                         reason or self._unknown_help(parent, name))
            return False
        return True

    def _check_name(self, node: cst.CSTNode, module: str, name: Optional[str]) -> None:
        if name is None or name in api.DUNDERS or name in api.offered(module):
            return
        if module == ROOT and name in self.reported_elsewhere:
            return
        reason = api.MODULES[module].missing.get(name)
        self._report(node, f"`{name}` is not provided by flowc's {module}",
                     reason or self._unknown_help(module, name))

    def _unknown_help(self, module: str, name: str) -> str:
        offered = ", ".join(sorted(api.offered(module)))
        guess = closest(name, api.offered(module))
        if guess:
            return f"did you mean `{guess}`?"
        return f"flowc's {module} offers: {offered}; remove the import, or run this flow where Metaflow is installed"

    def _report(self, node: cst.CSTNode, message: str, help: str) -> None:
        if not self.guarded:
            self.findings.append((node, message, help))


def _catches_import_errors(handler: cst.ExceptHandler) -> bool:
    if handler.type is None:
        return True
    kinds = handler.type.elements if isinstance(handler.type, cst.Tuple) else [handler.type]
    names = [get_full_name_for_node(k.value if isinstance(k, cst.Element) else k) for k in kinds]
    return any(name and name.rpartition(".")[2] in _GUARDS for name in names)
