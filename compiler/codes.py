"""Every diagnostic code flowc emits, with its title: the index of docs/diagnostics.md.

Codes are grouped by hundreds: 0xx reading the file and its steps, 1xx the graph's shape, 2xx
parameters, 3xx decorators, 4xx what a target cannot run (FLC402 is a warning: the files are still
written). A code is never reused for another meaning; a test checks that every code used in the
compiler is listed here and documented.
"""

from __future__ import annotations

CODES: dict[str, str] = {
    # reading the file
    "FLC001": "the file cannot be read as Python",
    "FLC002": "no flow class in the file",
    "FLC003": "several flow classes in the file",
    "FLC004": "no flow class with the --flow name",
    # steps and transitions
    "FLC010": "step has no self.next() transition",
    "FLC011": "malformed self.next() transition",
    "FLC012": "self.next() is not the last statement of the step",
    "FLC013": "unknown self.next() keyword argument",
    "FLC014": "transition to an unknown step",
    "FLC015": "the end step has a transition",
    "FLC016": "foreach= or condition= is not an artifact name",
    "FLC017": "malformed switch",
    "FLC018": "@parallel steps (num_parallel) are not supported",
    "FLC020": "step has the wrong arguments",
    "FLC021": "step is both a join and a split",
    "FLC022": "the end step is a join",
    "FLC030": "reserved step name",
    "FLC031": "invalid step name",
    "FLC032": "missing start or end step",
    "FLC033": "step defined twice",
    "FLC040": "name not provided by flowc's metaflow",
    # configs
    "FLC050": "malformed Config",
    "FLC051": "config file cannot be read",
    "FLC052": "config value cannot be parsed",
    "FLC053": "config reference names no value of the config",
    "FLC054": "config expression is not a config path",
    "FLC055": "required config has no value",
    "FLC056": "two configs, or a config and a parameter, with the same name",
    "FLC057": "config parser flowc cannot run",
    "FLC058": "--config or --config-value names no config of the flow",
    "FLC060": "two @card decorators on a step with the same id",
    # flows built from other classes of the file
    "FLC070": "flow class extends a class from another module",
    "FLC071": "base class defined below the class that extends it",
    "FLC072": "no consistent order of a flow's base classes",
    # the graph's shape
    "FLC101": "loop in the flow",
    "FLC102": "unreachable step",
    "FLC103": "end reached before a split was joined",
    "FLC104": "join does not receive every branch of its split",
    "FLC105": "join step without a split",
    "FLC106": "join of unrelated splits",
    "FLC107": "foreach followed directly by its join",
    "FLC108": "switch case leads directly to a join",
    "FLC109": "several incoming paths into a step that is not a join",
    "FLC110": "unsupported switch shape",
    # parameters
    "FLC201": "reserved parameter name",
    "FLC202": "parameter clashes with a step",
    "FLC203": "two parameters with the same name",
    "FLC204": "malformed Parameter or IncludeFile",
    "FLC205": "parameter default does not match its type",
    "FLC206": "parameter attribute shadows FlowSpec's own",
    "FLC207": "scheduled flow has a required parameter without a default",
    # decorators
    "FLC301": "unsupported decorator",
    "FLC302": "unknown decorator argument",
    "FLC303": "invalid decorator argument value",
    "FLC304": "decorator argument is not a literal",
    "FLC305": "decorator in the wrong place",
    "FLC306": "decorator given twice",
    # targets
    "FLC401": "the target cannot run this flow",
    "FLC402": "has no effect on the target (warning)",
}

# Codes no longer emitted, kept so their numbers are never given another meaning: code -> why it went.
RETIRED: dict[str, str] = {
    "FLC111": "switch cases that meet at a join step run now, as in Metaflow",
}


def title(code: str) -> str:
    return CODES[code]
