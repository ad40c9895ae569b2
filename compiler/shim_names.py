"""FLC040: `metaflow` names and modules that flowc's stand-in package does not offer.

The same table as the runtime shim (flowc.runtime.metaflow_api) decides, so a flow that checks clean never
fails on a `metaflow` import at run time. Every import in the file counts (a step may import inside its
body), and so does every `metaflow.X` attribute of a module bound by an import. An import inside
`try:` with an `except ImportError` (or a broader handler) is the flow's own fallback and is left alone.
"""

from __future__ import annotations

import ast
import re
from typing import Iterator, Optional

from flowc.runtime import metaflow_api as api

from .source import Span
from .suggest import closest
from .syntax import FUNCTIONS, TRIES, Text, dotted

ROOT = api.SHIM_ROOT
_GUARDS = {"ImportError", "ModuleNotFoundError", "Exception", "BaseException"}
_FROM = re.compile(r"from(?:[ \t\f]|\\\r?\n)+")

Finding = tuple[Span, str, str]  # where, message, help


def unprovided(module: ast.Module, text: Text) -> list[Finding]:
    """Every use of a name or module flowc's `metaflow` does not offer, in source order."""
    imports = list(_imports(module.body, guarded=False))
    checker = _Checker(_bindings(statement for statement, _ in imports), text)
    checker.reported_elsewhere = _decorated_names(module)  # FLC301 reports the flow's decorators flowc lacks
    if checker.bindings:  # `metaflow.X` uses of an imported module can be anywhere: read the whole file
        checker.walk(module.body, guarded=False)
    else:  # only the import statements can name what is not offered
        for statement, guarded in imports:
            checker.walk([statement], guarded)
    return checker.findings


def _imports(statements: list[ast.stmt], guarded: bool) -> Iterator[tuple[ast.stmt, bool]]:
    """Every import statement among `statements` and inside their blocks, in source order, and whether a
    `try` that handles ImportError encloses it. Expressions hold no import statement, so the walk stays
    on statements."""
    for statement in statements:
        if isinstance(statement, (ast.Import, ast.ImportFrom)):
            yield statement, guarded
        elif isinstance(statement, TRIES):
            yield from _imports(statement.body, guarded or any(map(_catches_import_errors, statement.handlers)))
            for handler in statement.handlers:
                yield from _imports(handler.body, guarded)
            yield from _imports(statement.orelse + statement.finalbody, guarded)
        else:
            for block in (getattr(statement, "body", None), getattr(statement, "orelse", None)):
                if isinstance(block, list):
                    yield from _imports(block, guarded)
            for case in getattr(statement, "cases", ()):  # match
                yield from _imports(case.body, guarded)


def _decorated_names(module: ast.Module) -> set[str]:
    """Names used as decorators of top-level classes and their methods (the flow's and its steps')."""
    names = set()
    for statement in module.body:
        if isinstance(statement, ast.ClassDef):
            for node in [statement, *(s for s in statement.body if isinstance(s, FUNCTIONS))]:
                for decorator in node.decorator_list:
                    names.add((dotted(decorator) or "").rpartition(".")[2])
    return names


def _is_shim(name: Optional[str]) -> bool:
    return name is not None and (name == ROOT or name.startswith(ROOT + "."))


def _bindings(statements) -> dict[str, str]:
    """Local names bound to an offered `metaflow` module by the file's imports."""
    modules: dict[str, str] = {}
    for statement in statements:
        if isinstance(statement, ast.Import):
            for alias in statement.names:
                if not _is_shim(alias.name):
                    continue
                if alias.asname is None:
                    modules[ROOT] = ROOT  # `import metaflow.exception` binds `metaflow`
                elif alias.name in api.MODULES:
                    modules[alias.asname] = alias.name
        elif not statement.level and statement.module in api.MODULES:
            for alias in statement.names:
                if f"{statement.module}.{alias.name}" in api.MODULES:  # from metaflow import exception
                    modules[alias.asname or alias.name] = f"{statement.module}.{alias.name}"
    return modules


class _Checker:
    def __init__(self, bindings: dict[str, str], text: Text) -> None:
        self.bindings = bindings
        self.text = text
        self.findings: list[Finding] = []
        self.reported_elsewhere: set[str] = set()  # unsupported decorators the flow uses: FLC301 reports them

    def walk(self, nodes: list[ast.AST], guarded: bool) -> None:
        """Check `nodes` and everything in them, in source order; `guarded`: inside the body of a `try`
        that handles ImportError."""
        stack = [(node, guarded) for node in reversed(nodes)]
        while stack:
            node, guarded = stack.pop()
            if isinstance(node, TRIES):
                inner = guarded or any(map(_catches_import_errors, node.handlers))
                parts = [(n, inner) for n in node.body]
                parts += [(n, guarded) for n in (*node.handlers, *node.orelse, *node.finalbody)]
                stack.extend(reversed(parts))
                continue
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if _is_shim(alias.name):
                        self._check_module(self.text.name_at(alias, alias.name), alias.name, guarded)
                continue  # its dotted names are not attribute uses
            if isinstance(node, ast.ImportFrom):
                self._import_from(node, guarded)
                continue
            if isinstance(node, ast.Attribute):
                owner = self._module_of(node.value)
                if owner is not None and f"{owner}.{node.attr}" not in api.MODULES:
                    span = self.text.span(node)
                    attr = Span(line=span.end_line, col=span.end_col - len(node.attr), end_line=span.end_line,
                                end_col=span.end_col)
                    self._check_name(attr, owner, node.attr, guarded)
            stack.extend((child, guarded) for child in reversed(list(ast.iter_child_nodes(node))))

    def _import_from(self, node: ast.ImportFrom, guarded: bool) -> None:
        if node.level or not _is_shim(node.module):
            return
        match = _FROM.match(self.text.text, self.text.offset(node.lineno, node.col_offset))
        start = self.text.span(node)
        col = start.col + (match.end() - match.start() if match else 0)
        where = Span(line=start.line, col=col, end_line=start.line, end_col=col + len(node.module))
        if self._check_module(where, node.module, guarded):
            for alias in node.names:
                if alias.name != "*":
                    self._check_name(self.text.name_at(alias, alias.name), node.module, alias.name, guarded)

    def _module_of(self, node: ast.expr) -> Optional[str]:
        """The offered module `node` names (`metaflow`, `mf.exception`, ...), or None."""
        attributes = []
        while isinstance(node, ast.Attribute):
            attributes.append(node.attr)
            node = node.value
        module = self.bindings.get(node.id) if isinstance(node, ast.Name) else None
        for attribute in reversed(attributes):
            if module is None:
                break
            module = f"{module}.{attribute}"
            module = module if module in api.MODULES else None
        return module

    def _check_module(self, where: Span, name: str, guarded: bool) -> bool:
        """Report the first part of the module `name` that is not an offered module; True if all of it is."""
        parts = name.split(".")
        for end in range(2, len(parts) + 1):
            prefix = ".".join(parts[:end])
            if prefix in api.MODULES:
                continue
            parent, last = ".".join(parts[:end - 1]), parts[end - 1]
            reason = api.missing_module(prefix) or api.MODULES[parent].missing.get(last)
            self._report(where, f"module `{prefix}` is not provided by flowc's metaflow",
                         reason or self._unknown_help(parent, last), guarded)
            return False
        return True

    def _check_name(self, where: Span, module: str, name: str, guarded: bool) -> None:
        if name in api.DUNDERS or name in api.offered(module):
            return
        if module == ROOT and name in self.reported_elsewhere:
            return
        reason = api.MODULES[module].missing.get(name)
        self._report(where, f"`{name}` is not provided by flowc's {module}",
                     reason or self._unknown_help(module, name), guarded)

    def _unknown_help(self, module: str, name: str) -> str:
        offered = ", ".join(sorted(api.offered(module)))
        guess = closest(name, api.offered(module))
        if guess:
            return f"did you mean `{guess}`?"
        return f"flowc's {module} offers: {offered}; remove the import, or run this flow where Metaflow is installed"

    def _report(self, where: Span, message: str, help: str, guarded: bool) -> None:
        if not guarded:
            self.findings.append((where, message, help))


def _catches_import_errors(handler: ast.ExceptHandler) -> bool:
    if handler.type is None:
        return True
    kinds = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any((dotted(kind) or "").rpartition(".")[2] in _GUARDS for kind in kinds)
