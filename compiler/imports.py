"""Which local names refer to the Metaflow / flowc API, read from the file's import statements.

`from metaflow import FlowSpec as FS`, `import metaflow as mf` (then `mf.FlowSpec`),
`from flowc.runtime import step`, `import flowc.runtime` and `from metaflow import *` all work.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import libcst as cst
from libcst.helpers import get_full_name_for_node

from .decorators import API_NAMES, KNOWN

API_MODULES = ("metaflow", "flowc.runtime")


@dataclass
class ApiNames:
    names: dict[str, str] = field(default_factory=dict)  # local name -> API name
    modules: set[str] = field(default_factory=set)  # dotted local names bound to an API module
    star: bool = False

    def resolve(self, node: cst.BaseExpression) -> Optional[str]:
        """The API name `node` refers to (`'FlowSpec'`, `'retry'`, ...), or None if it is not ours."""
        if isinstance(node, cst.Call):
            node = node.func
        if isinstance(node, cst.Name):
            if node.value in self.names:
                return self.names[node.value]
            if self.star and node.value in KNOWN | API_NAMES:
                return node.value
            return None
        if isinstance(node, cst.Attribute):
            owner = get_full_name_for_node(node.value)
            if owner in self.modules:
                return node.attr.value
        return None


def read_imports(module: cst.Module) -> ApiNames:
    """Collect API bindings from top-level imports, including those inside `try`/`if` blocks."""
    api = ApiNames()
    for statement in _top_level_statements(module.body):
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.ImportFrom) and not small.relative:
                _from_import(api, small)
            elif isinstance(small, cst.Import):
                _plain_import(api, small)
    return api


def _top_level_statements(body):
    for statement in body:
        yield statement
        if isinstance(statement, (cst.Try, cst.If)):
            yield from _top_level_statements(_block(statement.body))
            for handler in getattr(statement, "handlers", ()):
                yield from _top_level_statements(_block(handler.body))
            orelse = statement.orelse
            if isinstance(orelse, cst.If):
                yield from _top_level_statements([orelse])
            elif orelse is not None:
                yield from _top_level_statements(_block(orelse.body))


def _block(block) -> list:
    """The statements of an indented block, or of a one-line suite (`if x: import y`)."""
    if isinstance(block, cst.SimpleStatementSuite):
        return [cst.SimpleStatementLine(body=block.body)]
    return list(block.body)


def _from_import(api: ApiNames, node: cst.ImportFrom) -> None:
    module = get_full_name_for_node(node.module) if node.module else None
    if module == "flowc":  # from flowc import runtime [as rt]
        if not isinstance(node.names, cst.ImportStar):
            for alias in node.names:
                if get_full_name_for_node(alias.name) == "runtime":
                    api.modules.add(_bound_name(alias) or "runtime")
        return
    if module not in API_MODULES:
        return
    if isinstance(node.names, cst.ImportStar):
        api.star = True
        return
    for alias in node.names:
        imported = get_full_name_for_node(alias.name)
        api.names[_bound_name(alias) or imported] = imported


def _plain_import(api: ApiNames, node: cst.Import) -> None:
    for alias in node.names:
        imported = get_full_name_for_node(alias.name)
        if imported in API_MODULES:
            api.modules.add(_bound_name(alias) or imported)


def _bound_name(alias: cst.ImportAlias) -> Optional[str]:
    if alias.asname is None:
        return None
    return get_full_name_for_node(alias.asname.name)
