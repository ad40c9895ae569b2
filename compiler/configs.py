"""Configs at compile time: read each `Config(...)` of the flow class, resolve its value, and replace config
references (`config.cpu`, `config_expr("config.a.b")`, `self.config.mode`) by the values they name.

A config is static data, so the compiler reads it exactly as a task would see it: `--config-value NAME TEXT`,
else `--config NAME PATH` (relative to where flowc runs), else `default=` (a file, relative to the flow
file's folder), else `default_value=` (inline). The text is parsed as JSON (Metaflow's default), TOML or
YAML (the parsers flowc can run without running the user's code). Expressions follow the runtime's one
rule (flowc.runtime.configs.evaluate), so the compiler and every task compute the same values.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Optional, Union

import ast

from flowc.runtime.configs import ConfigError, NotAConfigPath, evaluate

from .config_options import ConfigOptions
from .ir import Config, Value
from .literals import _as_json, to_value
from .statements import assignment
from .syntax import Arg, arguments
from .suggest import closest

CONFIG_KEYWORDS = ("name", "default", "default_value", "help", "required", "parser", "plain", "show_default")
MAX_CONFIG_BYTES = 10_000_000

# parser= spellings flowc can honour statically -> the format it reads
PARSERS = {
    "json.loads": "json", "tomllib.loads": "toml", "tomli.loads": "toml", "toml.loads": "toml",
    "yaml.safe_load": "yaml", "yaml_parser": "yaml", "metaflow.yaml_parser": "yaml", ".yaml_parser": "yaml",
    "metaflow.plugins.parsers.yaml_parser": "yaml", ".plugins.parsers.yaml_parser": "yaml",
}
PARSER_HELP = ("flowc reads configs when it compiles, without running your code: use JSON (the default), "
               "parser=\"tomllib.loads\" for TOML or parser=\"metaflow.yaml_parser\" (or yaml_parser from "
               "metaflow) for YAML, or convert the file to one of those")


def depends(configs, flow_file: Path) -> dict:
    """The config files a compile read: absolute path -> sha256 (for the caches to check)."""
    return {str((flow_file.parent / c.path).resolve()): c.sha256 for c in configs if c.origin == "file"}


NOT_A_REFERENCE = object()
Resolved = Union[Value, None, object]  # a literal Value, None (an error was reported), NOT_A_REFERENCE


class ConfigReader:
    """The configs of one flow class, for the parser (`reader` is parse.py's _FlowReader)."""

    def __init__(self, reader, options: Optional[ConfigOptions]):
        self.reader = reader
        self.options = options or ConfigOptions()
        self.configs: list[Config] = []
        self.broken: dict[str, str] = {}  # attribute -> name of configs whose declaration was reported

    @property
    def values(self) -> dict:
        return {c.name: c.value for c in self.configs}

    # -- declarations ------------------------------------------------------------------------------
    def read(self, statements) -> tuple[Config, ...]:
        for statement in statements:
            config = self._declaration(statement)
            if config is not None:
                self.configs.append(config)
            elif self._declared_name(statement) is not None:
                self.broken.update([self._declared_name(statement)])
        self._check_options()
        return tuple(self.configs)

    def _declaration(self, statement: ast.stmt) -> Optional[Config]:
        assigned = assignment(statement)
        if assigned is None:
            return None
        target, value = assigned
        if not (isinstance(value, ast.Call) and self.reader.api.resolve(value) == "Config"
                and isinstance(target, ast.Name)):
            return None
        fields = self._fields(value)
        if fields is None:
            return None
        name = self._literal(fields.get("name"))
        if not isinstance(name, str) or not name:
            self.reader.error("FLC050", "the name of a Config must be a string literal",
                              fields["name"].value if "name" in fields else value,
                              help='e.g. config = Config("config", default="config.json")')
            return None
        if any(c.name == name or c.attribute == target.id for c in self.configs):
            self.reader.error("FLC056", f"two configs are named {name!r}", value,
                              help="give each Config its own name and attribute")
            return None
        return self._resolve(target.id, name, fields, value)

    def _declared_name(self, statement: ast.stmt) -> Optional[tuple[str, str]]:
        """(attribute, name) of a Config assignment, whatever its arguments."""
        target, value = assignment(statement) or (None, None)
        if not (isinstance(target, ast.Name) and isinstance(value, ast.Call)
                and self.reader.api.resolve(value) == "Config"):
            return None
        attribute = target.id
        named = [a for i, a in enumerate(arguments(value))
                 if (a.keyword is None and i == 0 and not a.star) or a.keyword == "name"]
        name = self._literal(named[0]) if named else None
        return attribute, name if isinstance(name, str) else attribute

    def _fields(self, call: ast.Call) -> Optional[dict]:
        fields: dict[str, Arg] = {}
        for index, arg in enumerate(arguments(call)):
            keyword = arg.keyword or (CONFIG_KEYWORDS[index] if index < 2 and not arg.star else None)
            if keyword not in CONFIG_KEYWORDS:
                guess = closest(keyword or "", CONFIG_KEYWORDS)
                self.reader.error("FLC050", f"Config() has no argument {keyword!r}" if keyword else
                                  "Config() takes the name and default positionally, the rest by keyword",
                                  self.reader.keyword_or_argument(arg), help=(f"did you mean {guess}=? " if guess else "")
                                  + "valid arguments: " + ", ".join(CONFIG_KEYWORDS))
                return None
            fields[keyword] = arg
        if "default" in fields and "default_value" in fields:
            self.reader.error("FLC050", "Config() takes default (a file) or default_value (a value), not both",
                              fields["default_value"].node, help="keep one of them")
            return None
        return fields

    def _resolve(self, attribute: str, name: str, fields: dict, call: ast.Call) -> Optional[Config]:
        plain = self._flag(fields, "plain", name)
        required = self._flag(fields, "required", name)
        parser = self._parser(fields.get("parser"), plain)
        if parser is None or plain is None or required is None:
            return None
        span = self.reader.span(call)
        given_values, given_files = dict(self.options.values), dict(self.options.files)
        where: ast.AST = call
        if name in given_values:
            text, origin, path, digest = given_values[name], "value", None, None
        elif name in given_files:
            file = Path(given_files[name])
            text, digest = self._read_file(file, name, call, f"--config {name}")
            if text is None:
                return None
            origin, path = "file", self._shown(file)
        elif "default" in fields:
            where = fields["default"].value
            written = self._literal(fields["default"])
            if not isinstance(written, str) or not written:
                self.reader.error("FLC050", f"default= of config {name!r} must be a file path as a string literal",
                                  where, help="flowc reads the file when it compiles; for a value write "
                                              "default_value={...}")
                return None
            file = self._flow_relative(written)
            text, digest = self._read_file(file, name, where, f"the default file {written!r}")
            if text is None:
                return None
            origin, path = "file", self._shown(file)
        elif "default_value" in fields:
            where = fields["default_value"].value
            written = to_value(self.reader.code(where))
            if written.kind != "literal":
                self.reader.error("FLC050", f"default_value= of config {name!r} must be a literal (a dict or a "
                                            "string in the config's format)", where,
                                  help="flowc reads configs without running your code; write the value itself")
                return None
            if not isinstance(written.value, str):
                return self._made(attribute, name, "value", None, None, parser, plain, written.value, where, span)
            text, origin, path, digest = written.value, "value", None, None
        else:
            if required:
                self.reader.error("FLC055", f"config {name!r} is required and has no value", call,
                                  help=f"give it one: --config {name} PATH or --config-value {name} JSON, "
                                       "or a default= file")
                return None
            return Config(attribute=attribute, name=name, origin="none", parser=parser, plain=plain, span=span)
        value = self._parse(text, parser, plain, name, where)
        if value is NOT_A_REFERENCE:
            return None
        return self._made(attribute, name, origin, path, digest, parser, plain, value, where, span)

    def _made(self, attribute, name, origin, path, digest, parser, plain, value, where, span) -> Optional[Config]:
        if not plain and not isinstance(value, dict):
            self.reader.error("FLC052", f"config {name!r} is not a mapping (it is a {type(value).__name__})", where,
                              help="a config holds keys and values, e.g. {\"cpu\": 2}; use plain=True for "
                                   "any other value")
            return None
        return Config(attribute=attribute, name=name, origin=origin, path=path, sha256=digest, parser=parser,
                      plain=plain, value=value, span=span)

    def _parse(self, text: str, parser: str, plain: bool, name: str, where) -> object:
        """The parsed value, or NOT_A_REFERENCE after reporting why it does not parse."""
        if plain and parser == "json" and not self._has_parser:
            return text  # Metaflow: a plain config without a parser is the text itself
        try:
            if parser == "json":
                value = json.loads(text)
            elif parser == "toml":
                from .config import tomllib  # tomli on Python 3.10

                value = tomllib.loads(text)
            else:
                import yaml

                value = yaml.safe_load(text)
        except Exception as error:  # each parser's own error type; the message says where
            self.reader.error("FLC052", f"config {name!r} is not valid {parser.upper()}: {_one_line(error)}", where,
                              help=f"fix the config's text; it is read as {parser.upper()}")
            return NOT_A_REFERENCE
        exact, ok = _as_json(value)
        if not ok:
            self.reader.error("FLC052", f"config {name!r} holds a value JSON cannot carry (a date, a set or a "
                                        "non-string key)", where,
                              help="flowc passes configs to tasks as JSON: write dates as strings")
            return NOT_A_REFERENCE
        return exact

    def _read_file(self, file: Path, name: str, where, what: str) -> tuple[Optional[str], Optional[str]]:
        try:
            with open(file, "rb") as handle:
                data = handle.read(MAX_CONFIG_BYTES + 1)
        except OSError as error:
            self.reader.error("FLC051", f"config {name!r}: cannot read {what} ({self._shown(file)}: "
                                        f"{error.strerror or error})", where,
                              help="default= paths are relative to the flow file's folder, --config paths to "
                                   "the working directory")
            return None, None
        if len(data) > MAX_CONFIG_BYTES:
            self.reader.error("FLC051", f"config {name!r}: {what} is larger than {MAX_CONFIG_BYTES:,} bytes", where,
                              help="configs travel in every task's command; keep them small")
            return None, None
        try:
            return data.decode("utf-8"), hashlib.sha256(data).hexdigest()
        except UnicodeDecodeError:
            self.reader.error("FLC052", f"config {name!r}: {what} is not UTF-8 text", where,
                              help="save the config file as UTF-8")
            return None, None

    def _flow_relative(self, written: str) -> Path:
        path = Path(written)
        return path if path.is_absolute() or self.options.base_dir is None else self.options.base_dir / path

    def _shown(self, file: Path) -> str:
        """The file relative to the flow's folder: the same text whatever the working directory."""
        base = self.options.base_dir or Path.cwd()
        try:
            return Path(os.path.relpath(file.resolve(), base.resolve())).as_posix()
        except ValueError:
            return file.name

    def _parser(self, arg: Optional[Arg], plain) -> Optional[str]:
        self._has_parser = arg is not None
        if arg is None:
            return "json"
        node = arg.value
        written = self._literal(arg)
        if isinstance(written, str):
            spelled = written
        else:
            resolved = self.reader.api.resolve(node)
            spelled = resolved if resolved == "yaml_parser" else self.reader.code(node).strip()
        kind = PARSERS.get(spelled)
        if kind is None:
            self.reader.error("FLC057", f"flowc cannot run the config parser {spelled!r} when it compiles", node,
                              help=PARSER_HELP)
        return kind

    def _flag(self, fields: dict, key: str, name: str) -> Optional[bool]:
        if key not in fields:
            return False
        value = self._literal(fields[key])
        if value is None:
            return False
        if isinstance(value, bool):
            return value
        self.reader.error("FLC050", f"{key}= of config {name!r} must be True or False", fields[key].value)
        return None

    def _literal(self, arg: Optional[Arg]):
        if arg is None:
            return None
        value = to_value(self.reader.code(arg.value))
        return value.value if value.kind == "literal" else NOT_A_REFERENCE

    def _check_options(self) -> None:
        names = {c.name for c in self.configs} | set(self.broken.values())
        given = [*(n for n, _ in self.options.files), *(n for n, _ in self.options.values)]
        for option, name in [("--config", n) for n, _ in self.options.files] + \
                            [("--config-value", n) for n, _ in self.options.values]:
            if name not in names:
                guess = closest(name, sorted(names))
                self.reader.diags.error(
                    "FLC058", f"{option} {name}: the flow has no config named {name!r}", self.reader.flow_span,
                    help=(f"did you mean {guess}? " if guess else "") + "its configs: " + (", ".join(sorted(names)) or "none"))
        for name in {n for n in given if given.count(n) > 1}:
            self.reader.diags.error("FLC058", f"config {name!r} is given more than once on the command line",
                                    self.reader.flow_span, help="give each config one --config or --config-value")

    # -- references ----------------------------------------------------------------------------------
    def reference(self, node: ast.expr, in_step: bool = False) -> Resolved:
        """The value `node` names when it is a config reference: a literal Value, or None after reporting
        why it cannot be resolved. NOT_A_REFERENCE for any other expression. In a step body a config is
        `self.<attribute>`; in the class body it is the attribute's bare name or `config_expr("...")`."""
        if not self.configs and not self.broken:
            return NOT_A_REFERENCE
        access: list = []
        current = node
        while True:
            if isinstance(current, ast.Attribute):
                if in_step and isinstance(current.value, ast.Name) and current.value.id == "self":
                    base = self._name_of(current.attr)
                    break
                access.append(current.attr)
                current = current.value
            elif isinstance(current, ast.Subscript):
                key = self._subscript_key(current)
                if key is NOT_A_REFERENCE:
                    return NOT_A_REFERENCE
                access.append(key)
                current = current.value
            elif isinstance(current, ast.Name) and not in_step:
                base = self._name_of(current.id)
                break
            elif isinstance(current, ast.Call) and self.reader.api.resolve(current) == "config_expr":
                base = self._config_expr_text(current)
                if base is None:
                    return None
                base = f"({base})" if access else base
                break
            else:
                return NOT_A_REFERENCE
        if base is None:
            return NOT_A_REFERENCE
        text = base + "".join(f".{a}" if isinstance(a, str) and a.isidentifier() else f"[{a!r}]"
                              for a in reversed(access))
        if any(name in text for name in self.broken.values()):
            return None  # that config's own problem is reported; its references would only repeat it
        try:
            value = evaluate(text, self.values)
        except NotAConfigPath as error:
            self.reader.error("FLC054", str(error), node, help="write a path into the config, e.g. "
                              'config.model.layers or config_expr("config.model")["layers"]; compute other '
                              "values inside a step")
            return None
        except ConfigError as error:
            self.reader.error("FLC053", str(error), node,
                              help="use a key the config has, or add it to the config")
            return None
        return Value(kind="literal", value=value, source=self.reader.code(node))

    def resolve(self, node: ast.expr, in_step: bool = False) -> Resolved:
        """`reference`, also inside list, tuple and dict literals (`vars={"MODEL": config.model}`)."""
        found = self.reference(node, in_step)
        if found is not NOT_A_REFERENCE:
            return found
        if isinstance(node, (ast.List, ast.Tuple)):
            items = [NOT_A_REFERENCE if isinstance(e, ast.Starred) else self._item(e, in_step) for e in node.elts]
            return self._combine(node, items, lambda values: list(values))
        if isinstance(node, ast.Dict):
            keys, items = [], []
            for key_node, value_node in zip(node.keys, node.values):
                key = to_value(self.reader.code(key_node)) if key_node is not None else None  # None: `**x`
                if key is None or key.kind != "literal" or not isinstance(key.value, str):
                    return NOT_A_REFERENCE
                keys.append(key.value)
                items.append(self._item(value_node, in_step))
            return self._combine(node, items, lambda values: dict(zip(keys, values)))
        return NOT_A_REFERENCE

    def _item(self, node: ast.expr, in_step: bool) -> Resolved:
        value = to_value(self.reader.code(node))
        return value if value.kind == "literal" else self.resolve(node, in_step)

    def _combine(self, node, items: list, build) -> Resolved:
        if any(item is NOT_A_REFERENCE for item in items):
            return NOT_A_REFERENCE
        if any(item is None for item in items):
            return None
        return Value(kind="literal", value=build(item.value for item in items), source=self.reader.code(node))

    def _name_of(self, attribute: str) -> Optional[str]:
        return next((c.name for c in self.configs if c.attribute == attribute), self.broken.get(attribute))

    def _subscript_key(self, node: ast.Subscript):
        key = to_value(self.reader.code(node.slice))
        if key.kind != "literal" or not isinstance(key.value, (str, int)) or isinstance(key.value, bool):
            return NOT_A_REFERENCE
        return key.value

    def _config_expr_text(self, call: ast.Call) -> Optional[str]:
        args = arguments(call)
        written = self._literal(args[0]) if len(args) == 1 and args[0].keyword is None and not args[0].star else None
        if not isinstance(written, str):
            self.reader.error("FLC054", "config_expr() takes one string literal", call,
                              help='e.g. config_expr("config.model.name")')
            return None
        return written


def _one_line(error: Exception) -> str:
    return " ".join(str(error).split())
