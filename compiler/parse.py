"""The static frontend: a flow file's text -> IR `Flow`, reporting every problem it sees.

Nothing of the file is imported or executed: CPython's own parser (`ast`) reads it, and only literal
expressions are evaluated (see `literals.py`). Problems become diagnostics; the parser never raises on bad
input.
"""

from __future__ import annotations

import ast
import json
import re
import tokenize
from typing import Optional, Union

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
from .source import SourceFile, Span
from .statements import assignment
from .suggest import closest
from .syntax import FUNCTIONS, Arg, Text, arguments

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
    try:
        with collector_paused():  # a tree is many objects and no garbage: see gcpause.py
            return _FlowReader(source, tree, diags, configs).read(flow_name)
    except RecursionError:  # a literal nested deeper than Python's recursion limit (CPython parsed it)
        diags.error("FLC001", "the file is nested too deeply to analyse", _start_span(),
                    help="simplify deeply nested expressions")
        return None


def python_text(source: SourceFile) -> str:
    """The text Python reads: without a leading byte order mark (Python skips it when it reads the file;
    `ast.parse` of a string refuses it), so columns on the first line are Python's too."""
    return source.text.removeprefix("\ufeff")


def _valid_python(source: SourceFile, diags: Diagnostics) -> Optional[ast.Module]:
    """The file's tree from CPython's own parser, the one every task runs the flow with: its messages and
    positions are the ones users know, and it bounds nesting (200 brackets, ~3000 expression levels, 100
    indents) and fails cleanly. Nothing is executed: `ast.parse` only builds a tree."""
    try:
        with collector_paused():
            tree = ast.parse(python_text(source))
        return tree if _utf8_cookie(source, diags) else None
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

    def __init__(self, source: SourceFile, module: ast.Module, diags: Diagnostics,
                 configs: Optional[ConfigOptions] = None):
        self.source = source
        self.module = module
        self.text = Text(python_text(source))
        self.diags = diags
        self.api: ApiNames = read_imports(module)
        self.configs = ConfigReader(self, configs)
        self.flow_span = _start_span()

    # ------------------------------------------------------------------------------ helpers

    def span(self, node: Union[ast.AST, Span]) -> Span:
        return self.text.span(node)

    def code(self, node: ast.AST) -> str:
        return self.text.code(node)

    def error(self, code: str, message: str, where: Union[ast.AST, Span], help: Optional[str] = None) -> None:
        self.diags.error(code, message, self.span(where), help=help)

    def keyword_or_argument(self, arg: Arg) -> Union[ast.AST, Span]:
        """Where to point at an argument's keyword: its name, or the whole argument when it has none."""
        return self.text.name_at(arg.node, arg.keyword) if arg.keyword else arg.node

    def value(self, node: ast.expr, in_step: bool = False) -> Optional[Value]:
        """A literal, a config reference resolved to its value, or else a run-time value. None: a config
        reference that does not resolve (reported)."""
        value = to_value(self.code(node))
        if value.kind == "literal":
            return value
        resolved = self.configs.resolve(node, in_step)
        return value if resolved is NOT_A_REFERENCE else resolved

    # ------------------------------------------------------------------------------ flow class

    def read(self, flow_name: Optional[str]) -> Optional[Flow]:
        for where, message, help in unprovided(self.module, self.text):  # FLC040: before anything runs
            self.error("FLC040", message, where, help=help)
        self.hierarchy = Hierarchy(self.module, self.api, self.error, self.text)
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
                names = ", ".join(c.name for c in classes)
                self.error("FLC003", f"this file defines several flows ({names})", self.text.name_span(classes[1]),
                           help=f"choose one with --flow, e.g. --flow {classes[0].name}")
                return None
        else:
            chosen = [c for c in classes if c.name == flow_name]
            if not chosen:
                names = ", ".join(c.name for c in classes)
                guess = closest(flow_name, [c.name for c in classes])
                self.diags.error("FLC004", f"no flow named {flow_name!r} in this file (it has: {names})",
                                 _start_span(), help=f"did you mean --flow {guess}?" if guess else None)
                return None
            classes = chosen
        return self._flow(classes[0])

    def _flow(self, node: ast.ClassDef) -> Optional[Flow]:
        lineage = self.hierarchy.lineage(node)  # the class, then its bases of this file (FLC070-FLC072)
        if lineage is None:
            return None
        body = merged_body(lineage)
        parameters, steps = [], []
        self.flow_span = self.text.name_span(node)
        configs = self.configs.read(body)
        for statement in body:
            if isinstance(statement, FUNCTIONS):
                step = self._step(statement)
                if step is not None:
                    steps.append(step)
            else:
                parameter = self._parameter(statement)
                if parameter is not None:
                    parameters.append(parameter)
        for parameter in parameters:  # a config is a parameter to Metaflow: their names share one space
            clash = next((c for c in configs if parameter.name == c.name or parameter.attribute == c.attribute), None)
            if clash is not None:
                self.diags.error("FLC056", f"parameter {parameter.name!r} and config {clash.name!r} share a name",
                                 parameter.span, help="rename the parameter or the config")
        return Flow(
            name=node.name,
            source_path=self.source.display_path,
            source_sha256=self.source.sha256,
            docstring=ast.get_docstring(node, clean=True),
            parameters=tuple(parameters),
            configs=configs,
            decorators=self._decorators([d for c in lineage if self.hierarchy.is_flow(c) for d in c.decorator_list],
                                        "flow"),
            steps=tuple(steps),
            span=self.flow_span,
            names_class=len(self.hierarchy.flows) > 1,
        )

    # ------------------------------------------------------------------------------ steps

    def _step(self, node: ast.FunctionDef) -> Optional[Step]:
        step_decorators = [d for d in node.decorator_list if self.api.resolve(d) == "step"]
        if not step_decorators:
            return None  # a helper method, not a step
        marker = step_decorators[0]
        if isinstance(marker, ast.Call) and (marker.args or marker.keywords):
            self.error("FLC305", "@step takes no arguments in flowc", marker,
                       help="name the steps `start` and `end` and write plain @step")
        name_span = self.text.name_span(node)
        is_join = self._check_signature(node, name_span)
        return Step(
            name=node.name,
            is_join=is_join,
            docstring=ast.get_docstring(node, clean=True),
            decorators=self._decorators([d for d in node.decorator_list if d not in step_decorators], "step"),
            transition=self._transition(node, name_span),
            span=name_span,
        )

    def _check_signature(self, node: ast.FunctionDef, name_span: Span) -> bool:
        """Validate `(self)` / `(self, inputs)`; True for a join."""
        params = node.args
        positional = params.posonlyargs + params.args
        name = node.name
        extra = [p for p in (params.vararg, params.kwarg) if p is not None] + params.kwonlyargs
        if not positional:
            self.error("FLC020", f"Step *{name}* is missing the 'self' argument.", name_span,
                       help=f"write `def {name}(self):`")
            return False
        if len(positional) > 2 or extra:
            self.error("FLC020",
                       f"Step {name} has too many arguments. Normal steps take only 'self' as an "
                       "argument. Join steps take 'self' and 'inputs'.", name_span,
                       help=f"write `def {name}(self):` or, for a join, `def {name}(self, inputs):`")
            return len(positional) == 2
        return len(positional) == 2

    # ------------------------------------------------------------------------------ transitions

    def _transition(self, node: ast.FunctionDef, name_span: Span) -> Transition:
        last = node.body[-1]
        call = _next_call(last)
        other_calls = [c for c in self._next_calls(node, call) if c is not call]
        for stray in other_calls:
            self.error("FLC012", f"self.next() must be the last statement of step *{node.name}*",
                       stray, help="move the transition to the end of the step; flowc reads transitions "
                                   "statically, so they cannot depend on `if`, loops or `return`")
        if call is None:
            misspelled = _misspelled_next(last)
            if misspelled is not None and not other_calls:
                self.error("FLC010", f"Step *{node.name}* is missing a self.next() transition: "
                           f"self.{misspelled.func.attr}() is not one", misspelled,
                           help="did you mean `self.next`?")
            elif node.name != "end" and not other_calls:
                self.error("FLC010",
                           f"Step *{node.name}* is missing a self.next() transition to the next "
                           "step. Add a self.next() as the last line in the function.", name_span,
                           help="end the step with e.g. `self.next(self.end)`")
            return Transition(kind="end", span=name_span)
        return self._next(call)

    def _next_calls(self, node: ast.FunctionDef, last: Optional[ast.Call]) -> list[ast.Call]:
        """Every `self.next(...)` call the step makes itself. Most steps mention `next` once, in the
        transition that ends them: their bodies need no walk."""
        lines = self.text.lines[node.lineno - 1:node.end_lineno]
        mentions = sum(line.count("next") for line in lines)
        if mentions == 0 or (mentions == 1 and last is not None):
            return [last] if last is not None else []
        calls, stack = [], list(reversed(node.body))
        while stack:
            child = stack.pop()
            if isinstance(child, (*FUNCTIONS, ast.ClassDef)):
                continue  # a nested function's self.next is its own business
            if _is_next_call(child):
                calls.append(child)
            stack.extend(reversed(list(ast.iter_child_nodes(child))))
        return calls

    def _next(self, call: ast.Call) -> Transition:
        span = self.span(call)
        written = arguments(call)
        positional = [a for a in written if a.keyword is None and not a.star]
        keywords: dict[str, Arg] = {}
        parallel = False
        for arg in written:
            if arg.star:
                self.error("FLC011", "self.next() cannot take *args or **kwargs", arg.node,
                           help="list the next steps explicitly: self.next(self.a, self.b)")
            elif arg.keyword is not None:
                keyword = arg.keyword
                if keyword == "num_parallel":
                    self.error("FLC018", "@parallel steps (self.next(..., num_parallel=N)) are not supported",
                               arg.node, help="use a foreach: self.next(self.step, foreach='items')")
                    parallel = True
                elif keyword not in NEXT_KEYWORDS:
                    guess = closest(keyword, NEXT_KEYWORDS)
                    self.error("FLC013", f"self.next() has no argument {keyword!r}", self.keyword_or_argument(arg),
                               help=f"did you mean {guess}=?" if guess else
                               "self.next() takes steps, foreach='artifact' or condition='artifact'")
                else:
                    keywords[keyword] = arg
        if not positional:
            self.error("FLC011", "self.next() needs at least one step to go to", call,
                       help="e.g. self.next(self.end)")
            return Transition(kind="end", span=span)
        if isinstance(positional[0].value, ast.Dict):
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
                       keywords["condition"].node, help='e.g. self.next({"a": self.a, "b": self.b}, condition="choice")')
        if "foreach" in keywords or parallel:  # a @parallel split is a foreach over N copies: its join matches it
            foreach = self._artifact_name(keywords["foreach"], "foreach") if "foreach" in keywords else None
            if len(targets) != 1:
                self.error("FLC011", "a foreach transition goes to exactly one step", call,
                           help="e.g. self.next(self.process, foreach='items')")
            return Transition(kind="foreach", targets=tuple(targets[:1]), foreach=foreach, span=span,
                              target_spans=tuple(target_spans[:1]))
        kind = "branch" if len(targets) > 1 else "linear"
        return Transition(kind=kind, targets=tuple(targets), span=span, target_spans=tuple(target_spans))

    def _switch(self, call: ast.Call, positional: list[Arg], keywords: dict[str, Arg]) -> Transition:
        span = self.span(call)
        cases, spans = [], []
        written: ast.Dict = positional[0].value
        for key_node, value_node in zip(written.keys, written.values):
            if key_node is None:  # `**other`
                self.error("FLC017", "switch cases must be written out literally", self._unpacked(value_node),
                           help='e.g. {"a": self.a, "b": self.b}')
                continue
            key = self.value(key_node, in_step=True)
            if key is None:
                continue
            target = _self_attribute(value_node)
            if key.kind != "literal" or not isinstance(key.value, (str, int, bool)) or _int_problem(key.value):
                self.error("FLC017", "a switch case must be a literal string", key_node,
                           help="use literal case values, e.g. \"high\"")
                continue
            if target is None:
                self.error("FLC011", "a switch case must name a step as `self.<step>`", value_node,
                           help='e.g. {"high": self.high_path}')
                continue
            cases.append((_case_text(key.value), target))
            spans.append(self.span(value_node))
        if len(positional) > 1:
            self.error("FLC017", "a switch takes one dict of cases", positional[1].value,
                       help='put every case in the dict: {"a": self.a, "b": self.b}')
        if "foreach" in keywords:
            self.error("FLC017", "a switch cannot also be a foreach", keywords["foreach"].node,
                       help="add a step between them")
        condition = self._artifact_name(keywords["condition"], "condition") if "condition" in keywords else None
        if "condition" not in keywords:
            self.error("FLC017", "Step is a switch split but has no condition variable.", call,
                       help='add condition="<artifact>" naming the artifact whose value picks the case')
        if len(cases) < 2 and len(cases) == len(written.keys):
            self.error("FLC017", f"a switch split defines {len(cases)} transitions; switch splits must "
                                 "define at least 2 transitions.", written,
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

    def _unpacked(self, value: ast.expr) -> Span:
        """`**value` in a dict (the `ast` has no node for it): from the `**` to the value's end."""
        span = self.span(value)
        stars = self.text.lines[span.line - 1].rfind("**", 0, span.col - 1)
        return span.model_copy(update={"col": stars + 1}) if stars >= 0 else span

    def _artifact_name(self, arg: Arg, keyword: str) -> Optional[str]:
        value = to_value(self.code(arg.value))
        if value.kind == "literal" and isinstance(value.value, str) and value.value.isidentifier():
            return value.value
        self.error("FLC016", f"{keyword}= must be the name of an artifact, as a string literal", arg.value,
                   help=f'e.g. {keyword}="items" for self.items')
        return None

    # ------------------------------------------------------------------------------ decorators

    def _decorators(self, nodes, target: str) -> tuple[Decorator, ...]:
        result: list[Decorator] = []
        for expr in nodes:
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

    def _check_card_id(self, card: Decorator, expr: ast.expr, earlier) -> bool:
        """Two @card on a step with one id (or neither with an id): current.card[ID] could not tell them apart.
        False when the card's id was invalid (already reported): it is left out of the comparison."""
        written = isinstance(expr, ast.Call) and any(k.arg == "id" for k in expr.keywords)
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

    def _decorator(self, name: str, spec: deco.DecoratorSpec, expr: ast.expr) -> Optional[Decorator]:
        given: dict[str, Value] = {}
        written: set[str] = set()
        args = arguments(expr) if isinstance(expr, ast.Call) else ()
        valid = ", ".join(spec.args)

        def take(keyword: str, node: ast.AST, value: Optional[Value], keyword_node: Union[ast.AST, Span]) -> None:
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
                    take(str(keyword), arg.node, Value(kind="literal", value=item, source=unpacked.source), arg.node)
                continue
            if arg.star:
                self.error("FLC304", f"@{name} arguments must be written out literally", arg.node,
                           help=f"valid arguments: {valid}; `**` takes a config mapping (**config.key)")
                continue
            if arg.keyword is None:
                if index == 0 and spec.positional:
                    keyword = spec.positional
                else:
                    self.error("FLC302", f"@{name} takes keyword arguments only", arg.node,
                               help=f"e.g. @{name}({next(iter(spec.args))}=...); valid arguments: {valid}")
                    continue
            else:
                keyword = arg.keyword
            take(keyword, arg.value, self.value(arg.value), self.keyword_or_argument(arg))
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

    def _check_schedule(self, args: dict[str, Value], explicit: set[str], expr: ast.expr) -> bool:
        chosen = [k for k in ("cron", "hourly", "daily", "weekly") if k in args and args[k].value]
        if len(chosen) > 1:
            self.error("FLC303", f"@schedule takes one of cron, hourly, daily, weekly (got {', '.join(chosen)})",
                       expr, help="keep one of them")
            return False
        if not chosen and "daily" not in explicit:  # Metaflow's default; daily=False alone: no schedule
            args["daily"] = Value(kind="literal", value=True, source="True")
        return True

    # ------------------------------------------------------------------------------ parameters

    def _parameter(self, statement: ast.stmt) -> Optional[Parameter]:
        assigned = assignment(statement)
        if assigned is None:
            return None
        target, value = assigned
        kind = self.api.resolve(value) if isinstance(value, ast.Call) else None
        if kind not in PARAMETER_KEYWORDS or not isinstance(target, ast.Name):
            return None
        call: ast.Call = value  # type: ignore[assignment]
        fields: dict[str, Arg] = {}
        allowed = PARAMETER_KEYWORDS[kind]
        for index, arg in enumerate(arguments(call)):
            if arg.star:
                self.error("FLC204", f"{kind}(...) arguments must be written out", arg.node)
                continue
            keyword = arg.keyword or (allowed[index] if index < 2 else None)
            if keyword is None or keyword not in allowed:
                guess = closest(keyword or "", allowed)
                self.error("FLC204", f"{kind}() has no argument {keyword!r}" if keyword else
                           f"{kind}() takes the name and default positionally, the rest by keyword",
                           self.keyword_or_argument(arg),
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
        return self._parameter_decl(kind, target.id, name.value, fields, call)

    def _parameter_decl(self, kind: str, attribute: str, name: str, fields: dict[str, Arg],
                        call: ast.Call) -> Parameter:
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

    def _parameter_type(self, arg: Optional[Arg]) -> Optional[str]:
        if arg is None:
            return None
        expr = arg.value
        name = self.api.resolve(expr)
        if name == "JSONType":
            return "json"
        if isinstance(expr, ast.Name) and expr.id in ("str", "int", "float", "bool"):
            return expr.id
        self.error("FLC204", "type= must be str, int, float, bool or JSONType", expr,
                   help="flowc knows parameter types statically; use one of str, int, float, bool, JSONType")
        return None


# ---------------------------------------------------------------------------------- small helpers

def _is_next_call(node: ast.AST) -> bool:
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "next"
            and isinstance(node.func.value, ast.Name) and node.func.value.id == "self")


def _next_call(statement: ast.stmt) -> Optional[ast.Call]:
    """The `self.next(...)` call if `statement` is exactly that expression statement."""
    if isinstance(statement, ast.Expr) and _is_next_call(statement.value):
        return statement.value
    return None


def _misspelled_next(statement: ast.stmt) -> Optional[ast.Call]:
    """`nxt` in a last statement `self.nxt(...)`: a call of a `self` method named much like `next`."""
    if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
        name = _self_attribute(statement.value.func)
        if name is not None and name != "next" and closest(name, ["next"]):
            return statement.value
    return None


def _self_attribute(node: ast.AST) -> Optional[str]:
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self":
        return node.attr
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
