"""flowc's compiler: flow source -> IR -> analysed graph -> plan; diagnostics; the CLI."""

__version__ = "0.1.0"
