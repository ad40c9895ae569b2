"""Deterministic YAML: keys in the order the backend wrote them (apiVersion, kind, metadata, spec, ...),
no line folding, unicode kept, multi-line strings as literal blocks."""

from __future__ import annotations

import yaml


class _Dumper(yaml.SafeDumper):
    pass


def _string(dumper: yaml.SafeDumper, value: str):
    style = "|" if "\n" in value and value == value.strip() and all(c.isprintable() for c in value.replace(
        "\n", "")) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _string)


def dump(document: dict) -> str:
    return yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=2**31 - 1,
                     default_flow_style=False)
