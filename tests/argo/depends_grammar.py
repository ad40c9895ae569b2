"""A checker of Argo's `depends` grammar, written from expr-lang's (Argo evaluates `depends` with
github.com/expr-lang/expr after replacing `-` with `_` in task names): operands `TASK` or
`TASK.Result`, operators `&&`, `||`, `!`, parentheses. A task name that expr-lang lexes as a keyword,
operator or literal (`matches`, `contains`, `in`, `not`, `and`, `or`, `let`, `true`, `false`, `nil`, ...)
is not an operand: the expression fails when Argo evaluates it, at run time.
"""

from __future__ import annotations

import re

EXPR_KEYWORDS = {"in", "not", "and", "or", "matches", "contains", "startsWith", "endsWith", "let", "if", "else",
                 "true", "false", "nil"}
RESULTS = {"Succeeded", "Failed", "Errored", "Skipped", "Omitted", "Daemoned", "AnySucceeded", "AllFailed"}
TOKEN = re.compile(r"\s*(?:(?P<op>&&|\|\||!|\(|\))|(?P<operand>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z]+)?))")


def depends_problem(expression: str) -> str | None:
    """Why Argo could not evaluate `expression`, or None."""
    text = expression.replace("-", "_")
    position, tokens = 0, []
    while position < len(text.rstrip()):
        match = TOKEN.match(text, position)
        if not match:
            return f"unexpected text at {text[position:]!r}"
        position = match.end()
        if match.group("operand"):
            name, _, result = match.group("operand").partition(".")
            if name in EXPR_KEYWORDS:
                return f"task {name!r} is an expr-lang keyword: unexpected token {name!r}"
            if result and result not in RESULTS:
                return f"unknown result {result!r}"
            tokens.append("operand")
        else:
            tokens.append(match.group("op"))
    return _shape_problem(tokens)


def _shape_problem(tokens: list[str]) -> str | None:
    """operand ((&&|||) operand)*, with `!` prefixes and balanced parentheses."""
    depth, expect_operand = 0, True
    for token in tokens:
        if expect_operand:
            if token == "operand":
                expect_operand = False
            elif token == "(":
                depth += 1
            elif token != "!":
                return f"expected a task, got {token!r}"
        elif token in ("&&", "||"):
            expect_operand = True
        elif token == ")" and depth:
            depth -= 1
        else:
            return f"expected && or ||, got {token!r}"
    return "incomplete expression" if expect_operand or depth else None
