"""Deterministic YAML: keys in the order the backend wrote them (apiVersion, kind, metadata, spec, ...),
no line folding, unicode kept, multi-line strings as literal blocks.

A string is quoted whenever any YAML reader could type it: PyYAML follows YAML 1.1, but Go's reader
(sigs.k8s.io/yaml, used by kubectl and the API server) also reads `1e-05`, `08`, `0o17`, `+.5` as numbers
and `y`, `n`, `on` as booleans, and a YAML 1.2 reader reads `08` as 8. A plain scalar that a reader
re-types silently changes a parameter value or makes the object invalid.
"""

from __future__ import annotations

import re

import yaml

# booleans and nulls in YAML 1.1 or 1.2 (1.1 also has y/n, yes/no, on/off)
_WORDS = {w for base in ("y", "yes", "n", "no", "true", "false", "on", "off", "null")
          for w in (base, base.capitalize(), base.upper())} | {"~", ""}
# anything that starts like a number: decimal, exponent, octal (08, 0o17), hex, binary, `_` separators,
# sexagesimal (1:30), signs and leading dots (+.5), and the special floats (.inf, -.Inf, .NaN)
_NUMBERISH = re.compile(r"^[-+]?(\.?[0-9][0-9A-Za-z_.:+-]*|\.(inf|Inf|INF|nan|NaN|NAN))$")


def needs_quotes(value: str) -> bool:
    """True if some YAML reader (1.1, 1.2 or Go's) would read `value` written plain as a non-string."""
    return value in _WORDS or bool(_NUMBERISH.match(value))


# libyaml's emitter when PyYAML has it (PyYAML's wheels bundle it; the pure-Python one was ~98% of an Argo or
# Kubeflow compile). The representers below decide every scalar's style, so both write the same bytes, except
# that libyaml escapes characters beyond U+FFFF (`"\U0001F600"`) where the pure-Python one writes them raw:
# either reads back the same.
_Base = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_LINE_BREAKS = ("\x85", "\u2028", "\u2029")  # line breaks to YAML 1.1 readers: only escaped in double quotes


class _Dumper(_Base):
    pass


def _string(dumper, value: str):
    if any(c in value for c in _LINE_BREAKS):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"')
    if needs_quotes(value):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="'")
    style = "|" if "\n" in value and value == value.strip() and all(c.isprintable() for c in value.replace(
        "\n", "")) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _string)


def dump(document: dict) -> str:
    return yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=2**31 - 1,
                     default_flow_style=False)
