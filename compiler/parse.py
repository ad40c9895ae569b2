"""The static frontend: a flow file's text -> IR `Flow`, reporting every problem it sees.

Nothing of the file is imported or executed: libcst reads it, and only literal expressions are
evaluated (see `literals.py`). Problems become diagnostics; the parser never raises on bad input.
"""

from __future__ import annotations

import ast
import json
import re
import tokenize
from typing import Optional

import libcst as cst

from flowc.runtime.parameters import infer_type_name

from . import decorators as deco
from .configs import NOT_A_REFERENCE, ConfigOptions, ConfigReader
from .diagnostics import Diagnostics
from .gcpause import collector_paused
from .imports import ApiNames, read_imports
from .inheritance import Hierarchy, merged_body
from .shim_names import unprovided
from .ir import Decorator, Flow, Parameter, Step, Transition, Value
from .literals import to_value
from .positions import Positions
from .source import SourceFile, Span
from .statements import assignment
from .suggest import closest

NEXT_KEYWORDS = ("foreach", "condition")
PARAMETER_KEYWORDS = {
    "Parameter": ("name", "default", "type", "help", "required", "show_default", "separator"),
    "IncludeFile": ("name", "default", "help", "required", "is_text", "encoding", "show_default"),
}
PARAMETER_TYPES = {"str": "str", "int": "int", "float": "float", "bool": "bool", "JSONType": "json"}
RESERVED_PARAMETER_NAMES = {
    "params", "with", "tag", "namespace", "obj", "tags", "decospecs", "run-id-file",
    "max-num-splits", "max-workers", "max-log-size", "user-namespace", "run-id", "task-id",
    "runner-attribute-file",
}
PARAMETER_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
RESERVED_PARAMETER_NAMES |= {name.replace("-", "_") for name in RESERVED_PARAMETER_NAMES}


def parse_source(source: SourceFile, diags: Diagnostics, flow_name: Optional[str] = None,
                 configs: Optional[ConfigOptions] = None) -> Optional[Flow]:
    """Parse `source` into a Flow. Returns None when no flow could be read at all. `configs`: where the
    flow's Config files are and the command line's --config / --config-value."""
    tree = _valid_python(source, diags)
    if tree is None:
        return None
    with collector_paused():  # libcst allocates a node per token: see gcpause.py
        return _parse_valid(source, tree, diags, flow_name, configs)


def _parse_valid(source: SourceFile, tree: ast.Module, diags: Diagnostics, flow_name: Optional[str],
                 configs: Optional[ConfigOptions] = None) -> Optional[Flow]:
    try:
        module = cst.parse_module(source.text)
    except cst.ParserSyntaxError as error:
        line, col = max(1, error.raw_line), max(1, error.raw_column + 1)
        diags.error("FLC001", f"the file is not valid Python: {error.message}",
                    Span(line=line, col=col, end_line=line, end_col=col + 1),
                    help="fix the syntax error; flowc reads the file as Python 3 source")
        return None
    except (RecursionError, MemoryError, ValueError, TypeError) as error:
        diags.error("FLC001", f"the file could not be parsed: {type(error).__name__}",
                    _start_span(), help="simplify the file; flowc reads it as Python 3 source")
        return None
    try:
        positions = Positions(module, tree, source.text)
        return _FlowReader(source, module, positions, diags, configs).read(flow_name)
    except (RecursionError, KeyError):
        # Deep expressions exhaust Python's recursion limit inside libcst's tree walks; its position
        # provider re-raises that RecursionError as a KeyError while unwinding.
        diags.error("FLC001", "the file is nested too deeply to analyse", _start_span(),
                    help="simplify deeply nested expressions")
        return None


def _valid_python(source: SourceFile, diags: Diagnostics) -> Optional[ast.Module]:
    """Check the file with CPython's own parser before libcst sees it; its tree if it passes (the
    parser takes positions from it: positions.py).

    CPython bounds nesting (200 brackets, ~3000 expression levels, 100 indents) and fails cleanly;
    libcst's native parser crashes the whole process (stack overflow) on deeper input, so it only
    gets text Python accepts. CPython's messages and positions are also the ones users know.
    Nothing is executed: `ast.parse` only builds a tree.
    """
    try:
        tree = ast.parse(source.text)
        return tree if _utf8_cookie(source, diags) and _shallow_enough(tree, diags) else None
    except SyntaxError as error:
        if error.lineno is None:  # e.g. NUL bytes: no position from the parser
            line = source.text.count("\n", 0, max(0, source.text.find("\0"))) + 1
            col = 1
        else:
            line, col = max(1, error.lineno), max(1, error.offset or 1)
        diags.error("FLC001", f"the file is not valid Python: {error.msg}",
                    Span(line=line, col=col, end_line=line, end_col=col + 1),
                    help="fix the syntax error; flowc reads the file as Python 3 source")
    except (RecursionError, MemoryError, ValueError) as error:
        diags.error("FLC001", f"the file could not be parsed ({type(error).__name__}): it is nested too deeply",
                    _start_span(), help="simplify deeply nested expressions")
    return None


# libcst's native parser overflows its stack (killing the process) on constructs CPython keeps flat but
# libcst nests: `a and b and ...` (a binary tree) and dotted names (`import a.a.a...`, an Attribute chain).
# Both parse fine at 3,000 levels and crash by 10,000; CPython's own nesting limit is about 3,000.
MAX_CST_DEPTH = 2_000


def _shallow_enough(tree: ast.AST, diags: Diagnostics) -> bool:
    """Refuse a file whose libcst tree would be deeper than MAX_CST_DEPTH, before libcst reads it."""
    stack = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        depth += _cst_levels(node)
        if depth > MAX_CST_DEPTH:
            line = getattr(node, "lineno", 1)
            col = getattr(node, "col_offset", 0) + 1
            diags.error("FLC001", f"the file is nested too deeply to analyse (more than {MAX_CST_DEPTH:,} levels "
                                  "of operators, dotted names or brackets)",
                        Span(line=line, col=col, end_line=line, end_col=col + 1),
                        help="split long `and`/`or` chains and dotted names into smaller expressions")
            return False
        for name in node._fields:  # ast.iter_child_nodes, inlined: this walk sees every node of the file
            value = getattr(node, name, None)
            if isinstance(value, list):
                stack.extend((item, depth) for item in value if isinstance(item, ast.AST) and not
                             isinstance(item, ast.expr_context))
            elif isinstance(value, ast.AST) and not isinstance(value, ast.expr_context):
                stack.append((value, depth))  # (Load/Store/Del leaves have no libcst counterpart)
    return True


def _cst_levels(node: ast.AST) -> int:
    """How many levels `node` becomes in libcst's tree (where it is deeper than in CPython's)."""
    if isinstance(node, ast.BoolOp):
        return len(node.values)
    if isinstance(node, ast.alias):
        return node.name.count(".") + 1
    if isinstance(node, ast.ImportFrom):
        return (node.module or "").count(".") + node.level + 1
    return 1


def _utf8_cookie(source: SourceFile, diags: Diagnostics) -> bool:
    """Refuse a PEP 263 coding cookie other than UTF-8: flowc reads the file as UTF-8, but Python (every
    task) would decode it with the cookie's codec, so the two could see different programs (`# coding:
    utf-7` turns a comment into code). `tokenize.detect_encoding` finds the cookie exactly as Python does."""
    lines = iter(source.text.encode("utf-8", errors="surrogatepass").splitlines(keepends=True)[:2])
    try:
        encoding, _ = tokenize.detect_encoding(lambda: next(lines, b""))
    except SyntaxError as error:  # an unknown codec, or a cookie that disagrees with a BOM
        encoding = str(error)
    if encoding in ("utf-8", "utf-8-sig"):
        return True
    number, line = next(((i + 1, text) for i, text in enumerate(source.lines[:2]) if "coding" in text),
                        (1, source.line(1)))
    col = line.find("coding") + 1 or 1
    diags.error("FLC001", f"the file declares a source encoding other than UTF-8 ({encoding})",
                Span(line=number, col=col, end_line=number, end_col=len(line) + 1),
                help="save the file as UTF-8 and remove the coding comment (or write `# coding: utf-8`); "
                     "flowc reads flow files as UTF-8")
    return False


def _start_span() -> Span:
    return Span(line=1, col=1, end_line=1, end_col=2)


class _FlowReader:
    """Reads one module; one instance per parse."""

    def __init__(self, source: SourceFile, module: cst.Module, positions, diags: Diagnostics,
                 configs: Optional[ConfigOptions] = None):
        self.source = source
        self.module = module
        self.positions = positions
        self.diags = diags
        self.api: ApiNames = read_imports(module)
        self.configs = ConfigReader(self, configs)
        self.flow_span = _start_span()

    # ------------------------------------------------------------------------------ helpers

    def span(self, node: cst.CSTNode) -> Span:
        return self.positions.span(node)

    def code(self, node: cst.CSTNode) -> str:
        return self.module.code_for_node(node)

    def error(self, code: str, message: str, node: cst.CSTNode, help: Optional[str] = None) -> None:
        self.diags.error(code, message, self.span(node), help=help)

    def value(self, node: cst.BaseExpression, in_step: bool = False) -> Optional[Value]:
        """A literal, a config reference resolved to its value, or else a run-time value. None: a config
        reference that does not resolve (reported)."""
        value = to_value(self.code(node))
        if value.kind == "literal":
            return value
        resolved = self.configs.resolve(node, in_step)
        return value if resolved is NOT_A_REFERENCE else resolved

    # ------------------------------------------------------------------------------ flow class

    def read(self, flow_name: Optional[str]) -> Optional[Flow]:
        for node, message, help in unprovided(self.module):  # FLC040: before anything runs, not at run time
            self.error("FLC040", message, node, help=help)
        self.hierarchy = Hierarchy(self.module, self.api, self.error)
        if self.hierarchy.broken:  # a base defined below its class (FLC071): the file cannot even import
            return None
        classes = self.hierarchy.flows
        if not classes:
            self.hierarchy.check_step_classes()
            if "FLC070" not in self.diags.codes:  # else: a flow built on a class from elsewhere, already said
                self.diags.error(
                    "FLC002", "no flow found: no class in this file subclasses FlowSpec", _start_span(),
                    help="define `class MyFlow(FlowSpec):` with FlowSpec imported from metaflow or flowc.runtime")
            return None
        if flow_name is None:
            # the class the file's `if __name__ == "__main__":` block runs, as under Metaflow; else the one
            # flow no other flow of the file extends (the others are its bases)
            classes = self.hierarchy.run_by_main(self.module) or self.hierarchy.leaves()
            if len(classes) > 1:
                names = ", ".join(c.name.value for c in classes)
                self.error("FLC003", f"this file defines several flows ({names})", classes[1].name,
                           help=f"choose one with --flow, e.g. --flow {classes[0].name.value}")
                return None
        else:
            chosen = [c for c in classes if c.name.value == flow_name]
            if not chosen:
                names = ", ".join(c.name.value for c in classes)
                guess = closest(flow_name, [c.name.value for c in classes])
                self.diags.error("FLC004", f"no flow named {flow_name!r} in this file (it has: {names})",
                                 _start_span(), help=f"did you mean --flow {guess}?" if guess else None)
                return None
            classes = chosen
        return self._flow(classes[0])

    def _flow(self, node: cst.ClassDef) -> Optional[Flow]:
        lineage = self.hierarchy.lineage(node)  # the class, then its bases of this file (FLC070-FLC072)
        if lineage is None:
            return None
        body = merged_body(lineage)
        parameters, steps = [], []
        self.flow_span = self.span(node.name)
        configs = self.configs.read(body)
        for statement in body:
            if isinstance(statement, cst.FunctionDef):
                step = self._step(statement)
                if step is not None:
                    steps.append(step)
            elif isinstance(statement, cst.SimpleStatementLine):
                for small in statement.body:
                    parameter = self._parameter(small)
                    if parameter is not None:
                        parameters.append(parameter)
        for parameter in parameters:  # a config is a parameter to Metaflow: their names share one space
            clash = next((c for c in configs if parameter.name == c.name or parameter.attribute == c.attribute), None)
            if clash is not None:
                self.diags.error("FLC056", f"parameter {parameter.name!r} and config {clash.name!r} share a name",
                                 parameter.span, help="rename the parameter or the config")
        return Flow(
            name=node.name.value,
            source_path=self.source.display_path,
            source_sha256=self.source.sha256,
            docstring=node.get_docstring(clean=True),
            parameters=tuple(parameters),
            configs=configs,
            decorators=self._decorators([d for c in lineage if self.hierarchy.is_flow(c) for d in c.decorators],
                                        "flow"),
            steps=tuple(steps),
            span=self.span(node.name),
            names_class=len(self.hierarchy.flows) > 1,
        )

    # ------------------------------------------------------------------------------ steps

    def _step(self, node: cst.FunctionDef) -> Optional[Step]:
        step_decorators = [d for d in node.decorators if self.api.resolve(d.decorator) == "step"]
        if not step_decorators:
            return None  # a helper method, not a step
        marker = step_decorators[0].decorator
        if isinstance(marker, cst.Call) and marker.args:
            self.error("FLC305", "@step takes no arguments in flowc", marker,
                       help="name the steps `start` and `end` and write plain @step")
        name = node.name.value
        is_join = self._check_signature(node)
        return Step(
            name=name,
            is_join=is_join,
            docstring=node.get_docstring(clean=True),
            decorators=self._decorators([d for d in node.decorators if d not in step_decorators], "step"),
            transition=self._transition(node),
            span=self.span(node.name),
        )

    def _check_signature(self, node: cst.FunctionDef) -> bool:
        """Validate `(self)` / `(self, inputs)`; True for a join."""
        params = node.params
        positional = list(params.posonly_params) + list(params.params)
        name = node.name.value
        extra = [p for p in (params.star_arg, params.star_kwarg) if isinstance(p, cst.Param)]
        extra += list(params.kwonly_params)
        if not positional:
            self.error("FLC020", f"Step *{name}* is missing the 'self' argument.", node.name,
                       help=f"write `def {name}(self):`")
            return False
        if len(positional) > 2 or extra:
            self.error("FLC020",
                       f"Step {name} has too many arguments. Normal steps take only 'self' as an "
                       "argument. Join steps take 'self' and 'inputs'.", node.name,
                       help=f"write `def {name}(self):` or, for a join, `def {name}(self, inputs):`")
            return len(positional) == 2
        return len(positional) == 2

    # ------------------------------------------------------------------------------ transitions

    def _transition(self, node: cst.FunctionDef) -> Transition:
        body = _statements(node.body)
        last = body[-1] if body else None
        call = _next_call(last)
        # the ast's count of self.next calls says whether there is a stray one to look for (rarely)
        strays = self.positions.next_calls.get(node) != (0 if call is None else 1)
        other_calls = [c for c in _all_next_calls(node.body) if c is not call] if strays else []
        for stray in other_calls:
            self.error("FLC012", f"self.next() must be the last statement of step *{node.name.value}*",
                       stray, help="move the transition to the end of the step; flowc reads transitions "
                                   "statically, so they cannot depend on `if`, loops or `return`")
        if call is None:
            misspelled = _misspelled_next(last)
            if misspelled is not None and not other_calls:
                self.error("FLC010", f"Step *{node.name.value}* is missing a self.next() transition: "
                           f"self.{misspelled.func.attr.value}() is not one", misspelled,
                           help="did you mean `self.next`?")
            elif node.name.value != "end" and not other_calls:
                self.error("FLC010",
                           f"Step *{node.name.value}* is missing a self.next() transition to the next "
                           "step. Add a self.next() as the last line in the function.", node.name,
                           help="end the step with e.g. `self.next(self.end)`")
            return Transition(kind="end", span=self.span(node.name))
        return self._next(call)

    def _next(self, call: cst.Call) -> Transition:
        span = self.span(call)
        positional = [a for a in call.args if a.keyword is None and not a.star]
        keywords: dict[str, cst.Arg] = {}
        parallel = False
        for arg in call.args:
            if arg.star:
                self.error("FLC011", "self.next() cannot take *args or **kwargs", arg,
                           help="list the next steps explicitly: self.next(self.a, self.b)")
            elif arg.keyword is not None:
                keyword = arg.keyword.value
                if keyword == "num_parallel":
                    self.error("FLC018", "@parallel steps (self.next(..., num_parallel=N)) are not supported",
                               arg, help="use a foreach: self.next(self.step, foreach='items')")
                    parallel = True
                elif keyword not in NEXT_KEYWORDS:
                    guess = closest(keyword, NEXT_KEYWORDS)
                    self.error("FLC013", f"self.next() has no argument {keyword!r}", arg.keyword,
                               help=f"did you mean {guess}=?" if guess else
                               "self.next() takes steps, foreach='artifact' or condition='artifact'")
                else:
                    keywords[keyword] = arg
        if not positional:
            self.error("FLC011", "self.next() needs at least one step to go to", call,
                       help="e.g. self.next(self.end)")
            return Transition(kind="end", span=span)
        if isinstance(positional[0].value, cst.Dict):
            return self._switch(call, positional, keywords)
        targets, target_spans = [], []
        for arg in positional:
            target = _self_attribute(arg.value)
            if target is None:
                self.error("FLC011", "a transition must name a step as `self.<step>`", arg.value,
                           help="computed transitions cannot be compiled statically; write e.g. self.next(self.train)")
                continue
            targets.append(target)
            target_spans.append(self.span(arg.value))
        if "condition" in keywords:
            self.error("FLC017", "condition= is only for switches, whose first argument is a dict of cases",
                       keywords["condition"], help='e.g. self.next({"a": self.a, "b": self.b}, condition="choice")')
        if "foreach" in keywords or parallel:  # a @parallel split is a foreach over N copies: its join matches it
            foreach = self._artifact_name(keywords["foreach"], "foreach") if "foreach" in keywords else None
            if len(targets) != 1:
                self.error("FLC011", "a foreach transition goes to exactly one step", call,
                           help="e.g. self.next(self.process, foreach='items')")
            return Transition(kind="foreach", targets=tuple(targets[:1]), foreach=foreach, span=span,
                              target_spans=tuple(target_spans[:1]))
        kind = "branch" if len(targets) > 1 else "linear"
        return Transition(kind=kind, targets=tuple(targets), span=span, target_spans=tuple(target_spans))

    def _switch(self, call: cst.Call, positional: list[cst.Arg], keywords: dict[str, cst.Arg]) -> Transition:
        span = self.span(call)
        cases, spans = [], []
        for element in positional[0].value.elements:
            if not isinstance(element, cst.DictElement):
                self.error("FLC017", "switch cases must be written out literally", element,
                           help='e.g. {"a": self.a, "b": self.b}')
                continue
            key = self.value(element.key, in_step=True)
            if key is None:
                continue
            target = _self_attribute(element.value)
            if key.kind != "literal" or not isinstance(key.value, (str, int, bool)) or _int_problem(key.value):
                self.error("FLC017", "a switch case must be a literal string", element.key,
                           help="use literal case values, e.g. \"high\"")
                continue
            if target is None:
                self.error("FLC011", "a switch case must name a step as `self.<step>`", element.value,
                           help='e.g. {"high": self.high_path}')
                continue
            cases.append((_case_text(key.value), target))
            spans.append(self.span(element.value))
        if len(positional) > 1:
            self.error("FLC017", "a switch takes one dict of cases", positional[1].value,
                       help='put every case in the dict: {"a": self.a, "b": self.b}')
        if "foreach" in keywords:
            self.error("FLC017", "a switch cannot also be a foreach", keywords["foreach"],
                       help="add a step between them")
        condition = self._artifact_name(keywords["condition"], "condition") if "condition" in keywords else None
        if "condition" not in keywords:
            self.error("FLC017", "Step is a switch split but has no condition variable.", call,
                       help='add condition="<artifact>" naming the artifact whose value picks the case')
        if len(cases) < 2 and len(cases) == len(positional[0].value.elements):
            self.error("FLC017", f"a switch split defines {len(cases)} transitions; switch splits must "
                                 "define at least 2 transitions.", positional[0].value,
                       help="add another case, or use a plain self.next(self.step)")
        seen: set[str] = set()
        for (case, _), case_span in zip(cases, spans):
            if case in seen:
                self.diags.error("FLC017", f"switch case {case!r} is listed twice", case_span,
                                 help="each case value may appear once")
            seen.add(case)
        targets = tuple(dict.fromkeys(target for _, target in cases))
        return Transition(kind="switch", targets=targets, condition=condition, cases=tuple(cases),
                          span=span, target_spans=tuple(spans))

    def _artifact_name(self, arg: cst.Arg, keyword: str) -> Optional[str]:
        value = to_value(self.code(arg.value))
        if value.kind == "literal" and isinstance(value.value, str) and value.value.isidentifier():
            return value.value
        self.error("FLC016", f"{keyword}= must be the name of an artifact, as a string literal", arg.value,
                   help=f'e.g. {keyword}="items" for self.items')
        return None

    # ------------------------------------------------------------------------------ decorators

    def _decorators(self, nodes, target: str) -> tuple[Decorator, ...]:
        result: list[Decorator] = []
        for node in nodes:
            expr = node.decorator
            name = self.api.resolve(expr)
            if name is None:
                continue  # the user's own decorator: it wraps the function at run time only
            if name in deco.UNSUPPORTED:
                self.error("FLC301", f"@{name} is not supported by flowc", expr, help=deco.UNSUPPORTED[name])
                continue
            spec = deco.SUPPORTED.get(name)
            if spec is None:
                if name == "step" and target == "flow":
                    self.error("FLC305", "@step belongs on a method, not on the flow class", expr)
                elif name != "step":
                    self.error("FLC301", f"@{name} is not a decorator flowc knows", expr,
                               help="remove it, or use one of: " + ", ".join(sorted(deco.SUPPORTED)))
                continue
            if spec.target != target:
                where = "the flow class" if spec.target == "flow" else "a step"
                self.error("FLC305", f"@{name} belongs on {where}", expr,
                           help=f"move @{name} onto {where}")
                continue
            if any(d.name == name for d in result) and not spec.repeatable:
                self.error("FLC306", f"@{name} is given twice", expr, help=f"keep one @{name}")
                continue
            decorator = self._decorator(name, spec, expr)
            if decorator is not None:
                if name == "card" and not self._check_card_id(decorator, expr, result):
                    continue
                result.append(decorator)
        return tuple(result)

    def _check_card_id(self, card: Decorator, expr: cst.BaseExpression, earlier) -> bool:
        """Two @card on a step with one id (or neither with an id): current.card[ID] could not tell them apart.
        False when the card's id was invalid (already reported): it is left out of the comparison."""
        written = isinstance(expr, cst.Call) and any(a.keyword and a.keyword.value == "id" for a in expr.args)
        if written and "id" not in card.args:
            return False
        card_id = card.args["id"].value if "id" in card.args else None
        for other in earlier:
            if other.name == "card" and (other.args["id"].value if "id" in other.args else None) == card_id:
                what = f"id {card_id!r}" if card_id is not None else "no id"
                self.diags.error("FLC060", f"two @card decorators on this step have {what}", card.span,
                                 help="give each @card its own id=..., e.g. @card(type='blank', id='summary'); "
                                      "current.card[ID] picks the card to add to")
                break
        return True

    def _decorator(self, name: str, spec: deco.DecoratorSpec, expr: cst.BaseExpression) -> Optional[Decorator]:
        given: dict[str, Value] = {}
        written: set[str] = set()
        args = expr.args if isinstance(expr, cst.Call) else ()
        valid = ", ".join(spec.args)

        def take(keyword: str, node: cst.CSTNode, value: Optional[Value], keyword_node: cst.CSTNode) -> None:
            written.add(keyword)
            if keyword not in spec.args:
                guess = closest(keyword, spec.args)
                hint = f"did you mean {guess}=? " if guess else ""
                self.error("FLC302", f"@{name} has no argument {keyword!r}", keyword_node,
                           help=f"{hint}valid arguments: {valid}")
                return
            if value is None:
                return
            if value.kind != "literal" and spec.args[keyword].runtime:
                given[keyword] = value  # evaluated by the running flow (the task reads it there)
                return
            if value.kind != "literal":
                self.error("FLC304", f"@{name}({keyword}=...) must be a literal value", node,
                           help="flowc reads decorators without running your code; write the value itself, "
                                "e.g. a number, string, list or dict, or a config path (config.key)")
                return
            problem = spec.args[keyword].check(value.value)
            if problem:
                self.error("FLC303", f"@{name}({keyword}=...) {problem}", node, help=spec.args[keyword].help)
                return
            given[keyword] = value

        for index, arg in enumerate(args):
            unpacked = self.configs.resolve(arg.value) if arg.star == "**" else NOT_A_REFERENCE
            if unpacked is None:
                continue
            if unpacked is not NOT_A_REFERENCE and isinstance(unpacked.value, dict):  # @resources(**config.res)
                for keyword, item in unpacked.value.items():
                    take(str(keyword), arg, Value(kind="literal", value=item, source=unpacked.source), arg)
                continue
            if arg.star:
                self.error("FLC304", f"@{name} arguments must be written out literally", arg,
                           help=f"valid arguments: {valid}; `**` takes a config mapping (**config.key)")
                continue
            if arg.keyword is None:
                if index == 0 and spec.positional:
                    keyword = spec.positional
                else:
                    self.error("FLC302", f"@{name} takes keyword arguments only", arg,
                               help=f"e.g. @{name}({next(iter(spec.args))}=...); valid arguments: {valid}")
                    continue
            else:
                keyword = arg.keyword.value
            take(keyword, arg.value, self.value(arg.value), arg.keyword or arg)
        explicit = set(given)
        missing = [k for k, a in spec.args.items() if a.required and k not in written]
        if missing:
            example = ", ".join(f"{k}=..." for k in missing)
            self.error("FLC303", f"@{name} needs {' and '.join(missing)}", expr, help=f"write @{name}({example})")
            return None
        for keyword, arg_spec in spec.args.items():
            if keyword not in given and arg_spec.default is not None:
                given[keyword] = Value(kind="literal", value=arg_spec.default, source=repr(arg_spec.default))
        if name == "schedule" and not self._check_schedule(given, explicit, expr):
            return None
        return Decorator(name=name, args=given, span=self.span(expr))

    def _check_schedule(self, args: dict[str, Value], explicit: set[str], expr: cst.BaseExpression) -> bool:
        chosen = [k for k in ("cron", "hourly", "daily", "weekly") if k in args and args[k].value]
        if len(chosen) > 1:
            self.error("FLC303", f"@schedule takes one of cron, hourly, daily, weekly (got {', '.join(chosen)})",
                       expr, help="keep one of them")
            return False
        if not chosen and "daily" not in explicit:  # Metaflow's default; daily=False alone: no schedule
            args["daily"] = Value(kind="literal", value=True, source="True")
        return True

    # ------------------------------------------------------------------------------ parameters

    def _parameter(self, small: cst.BaseSmallStatement) -> Optional[Parameter]:
        assigned = assignment(small)
        if assigned is None:
            return None
        target, value = assigned
        kind = self.api.resolve(value) if isinstance(value, cst.Call) else None
        if kind not in PARAMETER_KEYWORDS or not isinstance(target, cst.Name):
            return None
        call: cst.Call = value  # type: ignore[assignment]
        fields: dict[str, cst.Arg] = {}
        allowed = PARAMETER_KEYWORDS[kind]
        for index, arg in enumerate(call.args):
            if arg.star:
                self.error("FLC204", f"{kind}(...) arguments must be written out", arg)
                continue
            keyword = arg.keyword.value if arg.keyword else (allowed[index] if index < 2 else None)
            if keyword is None or keyword not in allowed:
                guess = closest(keyword or "", allowed)
                self.error("FLC204", f"{kind}() has no argument {keyword!r}" if keyword else
                           f"{kind}() takes the name and default positionally, the rest by keyword",
                           arg.keyword or arg,
                           help=(f"did you mean {guess}=? " if guess else "") + "valid arguments: " + ", ".join(allowed))
                continue
            fields[keyword] = arg
        if "name" not in fields:
            self.error("FLC204", f"{kind}() needs a name", call, help=f'e.g. {kind}("alpha", default=0.5)')
            return None
        name = to_value(self.code(fields["name"].value))
        if name.kind != "literal" or not isinstance(name.value, str) or not name.value:
            self.error("FLC204", f"the name of a {kind} must be a string literal", fields["name"].value,
                       help=f'e.g. {kind}("alpha", ...)')
            return None
        return self._parameter_decl(kind, target.value, name.value, fields, call)

    def _parameter_decl(self, kind: str, attribute: str, name: str, fields: dict[str, cst.Arg],
                        call: cst.Call) -> Parameter:
        default = self.value(fields["default"].value) if "default" in fields else None
        if default is not None and default.kind == "literal" and default.value is None:
            default = None
        declared = self._parameter_type(fields.get("type"))
        if kind == "IncludeFile":
            ptype = "str"
        elif declared is not None:
            ptype = declared
        else:
            ptype = _infer_type(default)
        if default is not None and default.kind == "literal" and kind == "Parameter":
            problem = _type_problem(ptype, default.value) or _int_problem(default.value)
            if problem:
                self.error("FLC205", f"the default of parameter {name!r} {problem}", fields["default"].value,
                           help=f"change the default or the type (type={_type_source(ptype)})")
        texts = {}
        for key in ("help",):
            if key in fields:
                value = to_value(self.code(fields[key].value))
                texts[key] = value.value if value.kind == "literal" and isinstance(value.value, str) else None
                if texts[key] is None:
                    self.error("FLC204", f"help= of parameter {name!r} must be a string literal", fields[key].value)
        flags = {}
        for key in ("required", "is_text"):
            if key in fields:
                value = to_value(self.code(fields[key].value))
                if value.kind == "literal" and isinstance(value.value, bool):
                    flags[key] = value.value
                else:
                    self.error("FLC204", f"{key}= of parameter {name!r} must be True or False", fields[key].value)
        if not PARAMETER_NAME.match(name):
            self.error("FLC204", f"the parameter name {name!r} is not a plain name", fields["name"].value,
                       help="use letters, digits, '_' and '-' (it becomes `--param NAME=VALUE` and a field "
                            "name in every scheduler), starting with a letter")
        if name in RESERVED_PARAMETER_NAMES:
            self.error("FLC201", f"Parameter name '{name}' is a reserved word. Please use a different name "
                                 "for your parameter.", fields["name"].value,
                       help=f'rename it, e.g. Parameter("{name}_value", ...)')
        return Parameter(
            attribute=attribute, name=name,
            kind="include_file" if kind == "IncludeFile" else "parameter",
            type=ptype, default=default, help=texts.get("help"),
            required=flags.get("required", False),
            is_text=flags.get("is_text", True) if kind == "IncludeFile" else None,
            span=self.span(call),
        )

    def _parameter_type(self, arg: Optional[cst.Arg]) -> Optional[str]:
        if arg is None:
            return None
        expr = arg.value
        name = self.api.resolve(expr)
        if name == "JSONType":
            return "json"
        if isinstance(expr, cst.Name) and expr.value in ("str", "int", "float", "bool"):
            return expr.value
        self.error("FLC204", "type= must be str, int, float, bool or JSONType", expr,
                   help="flowc knows parameter types statically; use one of str, int, float, bool, JSONType")
        return None


# ---------------------------------------------------------------------------------- small helpers

def _statements(block) -> list:
    if isinstance(block, cst.SimpleStatementSuite):
        return [cst.SimpleStatementLine(body=block.body)]
    return list(block.body)


def _is_next_call(node) -> bool:
    return (isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute)
            and node.func.attr.value == "next" and isinstance(node.func.value, cst.Name)
            and node.func.value.value == "self")


def _next_call(statement) -> Optional[cst.Call]:
    """The `self.next(...)` call if `statement` is exactly that expression statement."""
    if isinstance(statement, cst.SimpleStatementLine) and len(statement.body) >= 1:
        last = statement.body[-1]
        if isinstance(last, cst.Expr) and _is_next_call(last.value):
            return last.value
    return None


def _misspelled_next(statement) -> Optional[cst.Call]:
    """`nxt` in a last statement `self.nxt(...)`: a call of a `self` method named much like `next`."""
    if isinstance(statement, cst.SimpleStatementLine) and statement.body:
        last = statement.body[-1]
        if isinstance(last, cst.Expr) and isinstance(last.value, cst.Call):
            name = _self_attribute(last.value.func)
            if name is not None and name != "next" and closest(name, ["next"]):
                return last.value
    return None


class _NextCalls(cst.CSTVisitor):
    def __init__(self) -> None:
        self.calls: list[cst.Call] = []

    def visit_Call(self, node: cst.Call) -> None:
        if _is_next_call(node):
            self.calls.append(node)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False  # a nested function's self.next is its own business

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False


def _all_next_calls(body) -> list[cst.Call]:
    visitor = _NextCalls()
    body.visit(visitor)
    return visitor.calls


def _self_attribute(node) -> Optional[str]:
    if (isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name)
            and node.value.value == "self"):
        return node.attr.value
    return None


def _case_text(value) -> str:
    """Switch cases compare with str(value) at run time, so record them that way."""
    return str(value)


def _infer_type(default: Optional[Value]) -> str:
    """Metaflow infers a parameter's type from its default when type= is not given (the runtime's rule)."""
    return infer_type_name(default.value if default is not None and default.kind == "literal" else None)


def _type_problem(ptype: str, value) -> Optional[str]:
    if ptype == "json":
        if isinstance(value, str):
            try:
                json.loads(value)
            except ValueError:
                return "is not valid JSON"
        return None
    ok = {
        "str": isinstance(value, str),
        "int": isinstance(value, int) and not isinstance(value, bool),
        "float": isinstance(value, (int, float)) and not isinstance(value, bool),
        "bool": isinstance(value, bool),
    }[ptype]
    return None if ok else f"does not match its type {ptype} (got {json.dumps(value)})"


INT64 = 2**63 - 1  # schedulers store integers in 64 bits (and Python refuses str() of 4,300+ digits)


def _int_problem(value) -> Optional[str]:
    """An integer anywhere in `value` that no scheduler stores."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return None if -INT64 - 1 <= value <= INT64 else "has an integer beyond the 64-bit range"
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    return next(filter(None, map(_int_problem, items)), None)


def _type_source(ptype: str) -> str:
    return "JSONType" if ptype == "json" else ptype
