"""Configs: Metaflow's `Config(...)` and `config_expr(...)`, resolved by the compiler, read by every task.

A config is static data (a JSON, TOML or YAML file, or an inline default) that the compiler reads when it
compiles the flow, so decorator arguments and Parameter defaults may come from it
(`@resources(cpu=config.cpu)`, `Parameter("alpha", default=config_expr("config.alpha"))`). The compiler
puts the resolved values into every task's command (`--configs`, base64url of a JSON object, so no
scheduler's template syntax can touch it); in a step `self.<config>` is a read-only ConfigValue
(attribute and item access), and the start task stores each config as an artifact (a plain dict), as
Metaflow does.

One rule for config expressions, used by the compiler and the task alike (`evaluate`): a config name
followed by attribute and item accesses with literal keys (`config.model["layers"][0]`). Nothing else is
evaluated: the compiler cannot run code, and the task must compute what the compiler did.
"""

from __future__ import annotations

import base64
import collections.abc
import json

from .errors import ContractError

_VALUES: dict[str, object] = {}  # config name -> value, set by the task command from --configs


class ConfigError(ContractError):
    """A config expression that cannot be evaluated, or a --configs payload that does not read (exit 2)."""


class NotAConfigPath(ConfigError):
    """The expression is more than a config name with .key / [literal] accesses."""


class ConfigValue(collections.abc.Mapping, dict):
    """A read-only nested mapping: `cfg.a.b` and `cfg["a"]["b"]` are the same. A dict too (isinstance,
    json.dumps), as Metaflow's is; every change raises TypeError."""

    def __init__(self, data: collections.abc.Mapping):
        items = {k: _wrap(v) for k, v in data.items()}
        object.__setattr__(self, "_data", items)
        dict.__init__(self, items)

    def __getattr__(self, key: str) -> object:
        if key.startswith("__") or key == "_data":
            raise AttributeError(key)
        try:
            return self._data[key]
        except KeyError:
            raise AttributeError(f"config has no key {key!r}") from None

    def __getitem__(self, key: object) -> object:
        return self._data[key]

    def __iter__(self):
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __eq__(self, other: object) -> bool:
        return isinstance(other, dict) and dict(self._data) == dict(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(self._data)

    def keys(self):
        return self._data.keys()

    def to_dict(self) -> dict:
        """A plain (mutable) copy, nested mappings included."""
        return _plain(self)

    def __reduce__(self):
        return (type(self), (self.to_dict(),))

    def _immutable(self, *args: object, **kwargs: object):
        raise TypeError("ConfigValue is immutable: configs are fixed when the flow is compiled")

    __setattr__ = __setitem__ = __delattr__ = __delitem__ = _immutable
    clear = update = setdefault = pop = popitem = _immutable


def _wrap(value: object) -> object:
    if isinstance(value, ConfigValue):
        return value
    if isinstance(value, collections.abc.Mapping):
        return ConfigValue(value)
    if isinstance(value, list):
        return [_wrap(v) for v in value]
    return value


def _plain(value: object) -> object:
    if isinstance(value, collections.abc.Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


class ConfigExpr:
    """A config reference written in the class body (`config.cpu`, `config_expr("config.a")["b"]`):
    kept as an expression and evaluated against the task's config values when a decorator or a
    Parameter default is read."""

    def __init__(self, expr: str, access: tuple = ()):
        object.__setattr__(self, "_expr", expr)
        object.__setattr__(self, "_access", tuple(access))

    def __getattr__(self, name: str) -> "ConfigExpr":
        if name.startswith("__"):
            raise AttributeError(name)
        return ConfigExpr(self._expr, self._access + (name,))

    def __getitem__(self, key: object) -> "ConfigExpr":
        return ConfigExpr(self._expr, self._access + (key,))

    def __repr__(self) -> str:
        return f"config_expr({self.text!r})"

    def keys(self):
        """For `**config.resources` in a decorator's arguments: the keys of the value in this task."""
        return _plain(self()).keys()

    @property
    def text(self) -> str:
        return self._expr + "".join(f".{a}" if isinstance(a, str) and a.isidentifier() else f"[{a!r}]"
                                    for a in self._access)

    def __call__(self, *args: object) -> object:
        """Evaluated with the task's values (also when a Parameter default calls it)."""
        return _plain(evaluate(self.text, _VALUES))

    def peek(self) -> object:
        """The value when the task's configs are known and the expression evaluates, else None."""
        try:
            return self() if _VALUES else None
        except ConfigError:
            return None


def config_expr(expr: str) -> ConfigExpr:
    """Metaflow's config_expr: a config expression, e.g. `@project(name=config_expr("config.project"))`."""
    if not isinstance(expr, str):
        raise TypeError("config_expr takes the expression as a string: config_expr('config.a.b')")
    return ConfigExpr(expr)


class Config:
    """A config: `config = Config("config", default="config.json")` (a file, relative to the flow file),
    or `default_value={...}` (inline); `parser=` for TOML or YAML; `required=`, `plain=`, `help=`."""

    def __init__(self, name: str, default: object = None, default_value: object = None, help: str | None = None,
                 required: bool | None = None, parser: object = None, plain: bool = False, **kwargs: object):
        if not isinstance(name, str) or not name:
            raise TypeError("Config needs a name: Config('config', default='config.json')")
        if default is not None and default_value is not None:
            raise TypeError(f"Config {name!r}: give default (a file) or default_value, not both")
        object.__setattr__(self, "_name", name)
        object.__setattr__(self, "_plain", bool(plain))
        object.__setattr__(self, "_attribute", None)

    def __set_name__(self, owner: type, attribute: str) -> None:
        object.__setattr__(self, "_attribute", attribute)

    def __get__(self, obj: object, owner: type = None) -> object:
        if obj is None or "_flowc" not in getattr(obj, "__dict__", {}):
            return self  # in the class body: `config.cpu` builds an expression
        return self.value()

    def __set__(self, obj: object, value: object) -> None:
        raise AttributeError(f"config {self._attribute!r} cannot be assigned: configs are read-only")

    def value(self) -> object:
        """This config's value in the running task (a ConfigValue, or the parsed value when plain)."""
        if self._name not in _VALUES:
            raise ConfigError(f"config {self._name!r} has no value in this task: recompile the flow with "
                                 f"flowc (the task command carries every config's value)")
        value = _VALUES[self._name]
        return value if self._plain or value is None or not isinstance(value, dict) else ConfigValue(value)

    def __getattr__(self, name: str) -> ConfigExpr:
        if name.startswith("__"):
            raise AttributeError(name)
        return ConfigExpr(self._name, (name,))

    def __getitem__(self, key: object) -> ConfigExpr:
        return ConfigExpr(self._name, (key,))

    def keys(self):
        """For `**config` in a decorator's arguments."""
        return ConfigExpr(self._name).keys()

    def __repr__(self) -> str:
        return f"Config({self._name!r})"


def flow_configs(cls: type) -> dict[str, Config]:
    """attribute -> Config declared on a flow class (and its bases)."""
    found: dict[str, Config] = {}
    for klass in reversed(cls.__mro__):
        for attribute, value in vars(klass).items():
            if isinstance(value, Config):
                found[attribute] = value
    return found


def resolve(value: object) -> object:
    """`value` (a decorator's argument) with every ConfigExpr in it evaluated against the task's values."""
    if isinstance(value, (ConfigExpr, Config)):
        return value() if isinstance(value, ConfigExpr) else _plain(value.value())
    if isinstance(value, dict):
        return {resolve(k): resolve(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(resolve(v) for v in value)
    return value


# -- the payload in the task command ---------------------------------------------------------------------
def encode(values: dict[str, object]) -> str:
    """The --configs argument: base64url (no padding) of the JSON object name -> value. Its alphabet has
    nothing a scheduler templates or a shell interprets."""
    text = json.dumps(values, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return base64.urlsafe_b64encode(text.encode("utf-8")).decode("ascii").rstrip("=")


def decode(payload: str) -> dict[str, object]:
    try:
        data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        raise ConfigError(f"--configs is not base64url of a JSON object: {error}") from None
    if not isinstance(data, dict):
        raise ConfigError("--configs must hold a JSON object: {\"config name\": value, ...}")
    return data


def install(values: dict[str, object]) -> None:
    """Make `values` (config name -> value) what every Config and config expression reads in this task."""
    _VALUES.clear()
    _VALUES.update(values)


# -- the one rule for config expressions -----------------------------------------------------------------
def evaluate(expr: str, values: dict[str, object]) -> object:
    """The value of `expr`: a config name, then `.key` and `[literal]` accesses. Raises ConfigError
    saying what is wrong (the compiler turns it into a diagnostic; the task into a contract error)."""
    import ast

    try:
        tree = ast.parse(expr.strip(), mode="eval")
    except SyntaxError as error:
        raise NotAConfigPath(f"config expression {expr!r} is not valid Python: {error.msg}") from None
    return _evaluate(tree.body, values, expr)


def _evaluate(node, values: dict[str, object], expr: str) -> object:
    import ast

    if isinstance(node, ast.Name):
        if node.id not in values:
            known = ", ".join(sorted(values)) or "none"
            raise ConfigError(f"{node.id!r} is not a config of this flow (its configs: {known})")
        return values[node.id]
    if isinstance(node, ast.Attribute):
        return _access(_evaluate(node.value, values, expr), node.attr, expr)
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
        return _access(_evaluate(node.value, values, expr), node.slice.value, expr)
    if (isinstance(node, ast.Subscript) and isinstance(node.slice, ast.UnaryOp)
            and isinstance(node.slice.op, ast.USub) and isinstance(node.slice.operand, ast.Constant)
            and type(node.slice.operand.value) is int):  # [-1]
        return _access(_evaluate(node.value, values, expr), -node.slice.operand.value, expr)
    raise NotAConfigPath(f"config expression {expr!r} is not a config path: flowc evaluates only a config name "
                      "followed by .key and [\"key\"] / [0] accesses")


def _access(container: object, key: object, expr: str) -> object:
    if isinstance(container, dict) and isinstance(key, str):
        if key in container:
            return container[key]
        raise ConfigError(f"{expr}: no key {key!r} (keys here: {', '.join(map(str, container)) or 'none'})")
    if isinstance(container, list) and isinstance(key, int) and not isinstance(key, bool):
        if -len(container) <= key < len(container):
            return container[key]
        raise ConfigError(f"{expr}: index {key} is out of range (the list has {len(container)} items)")
    raise ConfigError(f"{expr}: cannot take {key!r} of a {type(container).__name__}")


def yaml_parser(content: str) -> dict:
    """Metaflow's YAML config parser (`parser=yaml_parser`). The compiler reads YAML configs itself; a task
    never parses config text (it gets the values), so this runs only when called directly (needs PyYAML)."""
    import yaml

    return yaml.safe_load(content)
