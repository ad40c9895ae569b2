"""Parameters and IncludeFile: declared on the flow class, resolved once in the start task.

Values come from --params-json (a string from a trigger form or an already-typed JSON value) or the
default, and are converted per the parameter's type (str, int, float, bool, JSONType; inferred from
the default when not given, as Metaflow does). A default that is a callable is evaluated at run time
(called with a context when it takes an argument, like Metaflow's deploy-time functions). IncludeFile
reads the file named by its value (relative to the current directory) and its contents become the
artifact. In every step a parameter reads as its value; assigning to it is an error.
"""

from __future__ import annotations

from collections import namedtuple

from collections.abc import Callable

import json
import os
import sys
from pathlib import Path

from .decorators import positional_arity


class _JSONType:
    """Marker type: the value is JSON text (or an already-decoded JSON value)."""

    name = "JSON"

    def __repr__(self) -> str:
        return "JSONType"


JSONType = _JSONType()

_TRUE = {"true", "t", "1", "yes", "y", "on"}
_FALSE = {"false", "f", "0", "no", "n", "off"}


class ParameterError(ValueError):
    """A parameter value is missing or cannot be converted (the start task exits 2)."""


class ParameterContext(namedtuple("ParameterContext", "flow_name parameter_name user_name")):
    """What a callable default receives when it takes an argument."""

    __slots__ = ()

    def logger(self, *args: object) -> None:
        print(*args, file=sys.stderr)


class Parameter:
    """A run parameter: `alpha = Parameter("alpha", default=0.5, type=float, help=..., required=False)`."""

    IS_FILE = False

    def __init__(self, name: str, default: object = None, type: object = None, help: str | None = None,
                 required: bool = False, show_default: bool = True, separator: str | None = None,
                 **kwargs: object):
        if not isinstance(name, str) or not name:
            raise TypeError("Parameter needs a name: Parameter('alpha', default=...)")
        self.name = name
        self.default = default
        self.type = type if type is not None else _infer_type(_typed_default(default))
        self.help = help
        self.required = required
        self.show_default = show_default
        self.separator = separator
        self.kwargs = kwargs
        self.attribute: str | None = None

    def __set_name__(self, owner: type, attribute: str) -> None:
        self.attribute = attribute

    def __get__(self, obj: object, owner: type = None) -> object:
        if obj is None:
            return self
        reader = obj.__dict__.get("_flowc")
        if reader is None:
            return self
        return reader.parameter_value(self.attribute)

    def __set__(self, obj: object, value: object) -> None:
        raise AttributeError(f"Flow level attributes and Parameters are not modifiable: parameter {self.attribute!r} "
                             f"is read-only (use another artifact name)")  # Metaflow's words first

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"

    def evaluate_default(self, flow_name: str) -> object:
        default = self.default
        if callable(default) and not isinstance(default, type):
            context = ParameterContext(flow_name, self.name, _user())
            default = default(context) if _takes_argument(default) else default()
        return default

    def convert(self, value: object) -> object:
        """Convert a given or default value to the parameter's type."""
        if value is None:
            return None
        if self.separator and isinstance(value, str):
            return [_convert(self.name, self.type, v) for v in value.split(self.separator)]
        return _convert(self.name, self.type, value)


class IncludeFile(Parameter):
    """A parameter whose value is a path; the file's contents (text or bytes) become the artifact."""

    IS_FILE = True

    def __init__(self, name: str, required: bool = False, is_text: bool = True, encoding: str = "utf-8",
                 help: str | None = None, default: object = None, **kwargs: object):
        super().__init__(name, default=default, type=str, help=help, required=required, **kwargs)
        self.is_text = is_text
        self.encoding = encoding

    def convert(self, value: object) -> object:
        if value is None:
            return None
        path = Path(str(value))
        try:
            data = path.read_bytes()
        except OSError as error:
            raise ParameterError(f"IncludeFile {self.name!r}: cannot read {str(value)!r} "
                                 f"({error.strerror or error}); paths are relative to the current directory")
        if not self.is_text:
            return data
        try:
            return data.decode(self.encoding)
        except UnicodeDecodeError as error:
            raise ParameterError(f"IncludeFile {self.name!r}: {value!r} is not {self.encoding} text ({error})")


def flow_parameters(cls: type) -> list[Parameter]:
    """The parameters declared on a flow class (and its bases), in a stable order (by attribute)."""
    seen: dict[str, Parameter] = {}
    for klass in reversed(cls.__mro__):
        for attribute, value in vars(klass).items():
            if isinstance(value, Parameter):
                seen[attribute] = value
            else:  # a subclass's plain attribute hides its base's parameter, as in Metaflow
                seen.pop(attribute, None)
    return [seen[a] for a in sorted(seen)]


def resolve(cls: type, given: dict[str, object], flow_name: str) -> tuple[dict[str, object], dict[str, object]]:
    """(attribute -> converted value, parameter name -> value to record in run.json) for every
    parameter of `cls` (an IncludeFile records its path, not its contents). `given` is keyed by
    parameter name (the attribute name is accepted too). Raises ParameterError on unknown, missing or
    bad values."""
    params = flow_parameters(cls)
    by_name = {p.name: p for p in params}
    by_attribute = {p.attribute: p for p in params}
    values: dict[str, object] = {}
    shown: dict[str, object] = {}
    unknown = []
    chosen: dict[str, object] = {}
    for key, value in given.items():
        param = by_name.get(key) or by_attribute.get(key)
        if param is None:
            unknown.append(key)
        else:
            chosen[param.attribute] = value
    if unknown:
        known = ", ".join(sorted(by_name)) or "none"
        raise ParameterError(f"unknown parameter(s) {', '.join(sorted(unknown))}; the flow's parameters: {known}")
    for param in params:
        if param.attribute in chosen:
            raw = chosen[param.attribute]
        else:
            raw = param.evaluate_default(flow_name)
            if raw is None and param.required:
                raise ParameterError(f"parameter {param.name!r} is required: give it a value")
        values[param.attribute] = param.convert(raw)
        shown[param.name] = raw if param.IS_FILE else values[param.attribute]
    return values, shown


def computed_defaults(path: Path, cls: type) -> set[str]:
    """Names (and attribute names) of `cls`'s parameters whose default, as written in the source, is not a literal (an
    expression or a function, evaluated at run time). Read statically with ast, only when needed."""
    import ast

    try:
        tree = ast.parse(path.read_bytes())
    except (OSError, SyntaxError, ValueError):
        return set()
    by_attribute = {p.attribute: p.name for p in flow_parameters(cls)}
    found: set[str] = set()
    for node in ast.walk(tree):
        if not (isinstance(node, ast.ClassDef) and node.name == cls.__name__):
            continue
        for statement in node.body:
            if not (isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Call)):
                continue
            call = statement.value
            default = next((k.value for k in call.keywords if k.arg == "default"), None)
            if default is None and len(call.args) > 1:
                default = call.args[1]
            if default is None:
                continue
            try:
                ast.literal_eval(default)
            except (ValueError, TypeError, SyntaxError, RecursionError):
                for target in statement.targets:
                    if isinstance(target, ast.Name) and target.id in by_attribute:
                        found.update((target.id, by_attribute[target.id]))
    return found


TYPE_NAMES = ("str", "int", "float", "bool", "json")


def infer_type_name(default: object) -> str:
    """A parameter's type when `type=` is not given, from its default, as Metaflow infers it; a list or
    dict default means JSON. The one rule: the compiler imports it, so `flowc check`, every target and
    the running task agree."""
    if isinstance(default, bool):
        return "bool"
    if isinstance(default, int):
        return "int"
    if isinstance(default, float):
        return "float"
    if isinstance(default, (list, dict)):
        return "json"
    return "str"


def _typed_default(default: object) -> object:
    """The default whose type is inferred: a config expression's value (the task installs the configs
    before it imports the flow), as the compiler inferred it from the resolved value."""
    from .configs import ConfigExpr

    return default.peek() if isinstance(default, ConfigExpr) else default


def _infer_type(default: object) -> object:
    return {"bool": bool, "int": int, "float": float, "json": JSONType, "str": str}[infer_type_name(default)]


def _convert(name: str, kind: object, value: object) -> object:
    def bad(expected: str) -> ParameterError:
        return ParameterError(f"parameter {name!r}: {value!r} is not a valid {expected}")

    if kind is JSONType or isinstance(kind, _JSONType):
        if isinstance(value, (str, bytes)):
            try:
                return json.loads(value)
            except ValueError as error:
                raise ParameterError(f"parameter {name!r}: {value!r} is not valid JSON ({error})") from None
        return value
    if kind is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        raise bad("bool (true/false)")
    if kind is int:
        if isinstance(value, bool):
            raise bad("int")
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str):
            try:
                return int(value.strip())
            except ValueError:
                raise bad("int") from None
        raise bad("int")
    if kind is float:
        if isinstance(value, bool):
            raise bad("float")
        if isinstance(value, (int, float)):
            return float(value)
        if isinstance(value, str):
            try:
                return float(value.strip())
            except ValueError:
                raise bad("float") from None
        raise bad("float")
    if kind is str:
        if isinstance(value, str):
            return value
        if isinstance(value, (int, float, bool)):
            return str(value)
        raise bad("string")
    if callable(kind):  # a user conversion function or class
        try:
            return kind(value)
        except Exception as error:
            raise ParameterError(f"parameter {name!r}: {value!r} cannot be converted by {kind!r} ({error})")
    raise ParameterError(f"parameter {name!r}: unsupported type {kind!r}")


def _takes_argument(func: Callable) -> bool:
    """Does a callable default want the context? (a function of one argument, like Metaflow's)"""
    arity = positional_arity(func)
    if arity is None:
        return True
    defaults = len(getattr(func, "__defaults__", None) or ())
    return arity - defaults >= 1


def _user() -> str | None:
    """ParameterContext.user_name: Metaflow's user rule, the same as current.username (flowc.runtime.tags)."""
    from .tags import username

    return username()
