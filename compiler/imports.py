"""Which local names refer to the Metaflow / flowc API, read from the file's import statements.

`from metaflow import FlowSpec as FS`, `import metaflow as mf` (then `mf.FlowSpec`),
`from flowc.runtime import step`, `import flowc.runtime` and `from metaflow import *` all work.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Iterator, Optional

from .decorators import API_NAMES, KNOWN
from .syntax import TRIES, dotted

API_MODULES = ("metaflow", "flowc.runtime")


@dataclass
class ApiNames:
    names: dict[str, str] = field(default_factory=dict)  # local name -> API name
    modules: set[str] = field(default_factory=set)  # dotted local names bound to an API module
    star: bool = False

    def resolve(self, node: ast.expr) -> Optional[str]:
        """The API name `node` refers to (`'FlowSpec'`, `'retry'`, ...), or None if it is not ours."""
        if isinstance(node, ast.Call):
            node = node.func
        if isinstance(node, ast.Name):
            if node.id in self.names:
                return self.names[node.id]
            if self.star and node.id in KNOWN | API_NAMES:
                return node.id
            return None
        if isinstance(node, ast.Attribute) and dotted(node.value) in self.modules:
            return node.attr
        return None


def read_imports(module: ast.Module) -> ApiNames:
    """Collect API bindings from top-level imports, including those inside `try`/`if` blocks."""
    api = ApiNames()
    for statement in top_level_statements(module.body):
        if isinstance(statement, ast.ImportFrom) and not statement.level:
            _from_import(api, statement)
        elif isinstance(statement, ast.Import):
            _plain_import(api, statement)
    return api


def top_level_statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """The statements of a module body, also inside its `try` and `if` blocks (not functions or classes)."""
    for statement in body:
        yield statement
        if isinstance(statement, (*TRIES, ast.If)):
            yield from top_level_statements(statement.body)
            for handler in getattr(statement, "handlers", ()):
                yield from top_level_statements(handler.body)
            yield from top_level_statements(statement.orelse)  # an `elif` is an If there


def bound_name(alias: ast.alias) -> str:
    """The local name an import binds: `import a.b` binds `a`, `import a.b as c` binds `c`."""
    return alias.asname or alias.name.split(".")[0]


def _from_import(api: ApiNames, node: ast.ImportFrom) -> None:
    if node.module == "flowc":  # from flowc import runtime [as rt]
        for alias in node.names:
            if alias.name == "runtime":
                api.modules.add(alias.asname or "runtime")
        return
    if node.module not in API_MODULES:
        return
    for alias in node.names:
        if alias.name == "*":
            api.star = True
        else:
            api.names[alias.asname or alias.name] = alias.name


def _plain_import(api: ApiNames, node: ast.Import) -> None:
    for alias in node.names:
        if alias.name in API_MODULES:
            api.modules.add(alias.asname or alias.name)
