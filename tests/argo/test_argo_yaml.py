"""Every emitted YAML document reads the same in every YAML reader: PyYAML (YAML 1.1), ruamel.yaml in
YAML 1.2 mode (numbers like `08`, `0o17`, `+.5`) and in YAML 1.1 mode (booleans `y`, `n`). Go's reader
(kubectl, the API server) types plain scalars by both sets of rules. And every Argo document, as the
YAML 1.2 reader types it, passes Argo's own schema."""

from __future__ import annotations

import io
import warnings

import pytest
import yaml
from argo_schema import schema_problems
from ruamel.yaml import YAML
from support.flows import REPO, TEST_FLOWS, compile_for_tests

from flowc.backends.yamltext import dump

GOLDEN_YAML = sorted(p for p in (REPO / "golden").glob("*/*/*.yaml"))
PROBES = ["1e-05", "1e+16", "1e3", "08", "0o17", "0x1F", "1_000", "+.5", ".5", "-.inf", ".NaN", "1:30",
          "y", "n", "Y", "N", "yes", "no", "on", "off", "On", "OFF", "true", "False", "null", "Null", "~", "",
          "2001-12-14", "0.25", "-3", "3"]


def ruamel_load_all(text: str, version: tuple[int, int]) -> list:
    reader = YAML(typ="safe", pure=True)
    reader.version = version
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return list(reader.load_all(io.StringIO(text)))


def readings(text: str) -> dict[str, list]:
    return {"PyYAML": list(yaml.safe_load_all(text)), "YAML 1.2": ruamel_load_all(text, (1, 2)),
            "YAML 1.1": ruamel_load_all(text, (1, 1))}


def disagreements(text: str) -> list[str]:
    read = readings(text)
    return [f"{name} reads {data!r}" for name, data in read.items() if data != read["PyYAML"]]


@pytest.fixture(scope="module")
def test_flow_documents(tmp_path_factory):
    out = tmp_path_factory.mktemp("yaml")
    flows = sorted(TEST_FLOWS.glob("*.py"))
    compile_for_tests("argo", flows, out, "--datastore", "s3://b/p", "--image", "i:1")
    return {p.name: p.read_text() for p in sorted(out.glob("*.yaml"))}


@pytest.mark.parametrize("path", GOLDEN_YAML, ids=lambda p: str(p.relative_to(REPO / "golden")))
def test_golden_yaml_reads_the_same_in_every_reader(path):
    assert disagreements(path.read_text()) == []


def test_test_flows_read_the_same_in_every_reader(test_flow_documents):
    assert test_flow_documents
    for name, text in test_flow_documents.items():
        assert disagreements(text) == [], name


def test_the_reader_check_catches_an_unquoted_exponent():
    assert disagreements("value: '1e-05'\n") == []
    assert disagreements("value: 1e-05\n") != []  # PyYAML: a string; YAML 1.2: a float
    assert disagreements("value: y\n") != []  # YAML 1.1 (and Go): a boolean


@pytest.mark.parametrize("probe", PROBES)
def test_every_probe_string_stays_a_string(probe):
    text = dump({"value": probe, probe: "key"})
    for name, data in readings(text).items():
        assert data == [{"value": probe, probe: "key"}], (name, text)


def argo_documents(texts) -> list[dict]:
    """The documents as a YAML 1.2 reader types them (what kubectl sends is typed at least as eagerly)."""
    return [doc for text in texts for doc in ruamel_load_all(text, (1, 2))]


def test_every_argo_document_passes_argos_schema(test_flow_documents):
    texts = [p.read_text() for p in GOLDEN_YAML if p.parent.name == "argo"] + list(test_flow_documents.values())
    documents = argo_documents(texts)
    problems = schema_problems(documents)
    assert [(d["metadata"]["name"], d["kind"], p) for d, p in zip(documents, problems) if p] == []


def test_the_schema_check_catches_a_number_value_and_a_bad_parameter_name():
    text = (REPO / "golden" / "switch" / "argo" / "switch-flow.yaml").read_text()
    text = text.replace("value: '250'", "value: 1e-05").replace("name: amount", "name: an amount", 1)
    assert "value: 1e-05" in text and "name: an amount" in text
    [problems] = schema_problems(argo_documents([text]))
    assert any(p.endswith("/value must be string") for p in problems), problems
    assert any("/name must match pattern" in p for p in problems), problems


NUMBERS_FLOW = '''
from metaflow import FlowSpec, Parameter, environment, kubernetes, step


class NumbersFlow(FlowSpec):
    lr = Parameter("lr", default=1e-5)
    big = Parameter("big", default=1e16)
    code = Parameter("code", default="08")
    octal = Parameter("octal", default="0o17")
    half = Parameter("half", default="+.5")
    yes = Parameter("yes", default="y")
    no = Parameter("no", default="n")

    @environment(vars={"CODE": "08", "ANSWER": "y", "SIZE": "1e3"})
    @kubernetes(labels={"tier": "08"}, node_selector={"zone": "1e3"}, annotations={"switch": "on"})
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
'''


def test_number_and_boolean_lookalikes_stay_strings_for_every_reader_and_argo(tmp_path):
    flow = tmp_path / "numbers.py"
    flow.write_text(NUMBERS_FLOW)
    compile_for_tests("argo", [flow], tmp_path / "out", "--datastore", "s3://b/p", "--image", "i:1")
    text = (tmp_path / "out" / "numbers-flow.yaml").read_text()
    assert disagreements(text) == []
    [template] = argo_documents([text])
    values = {p["name"]: p["value"] for p in template["spec"]["arguments"]["parameters"]}
    assert values == {"lr": "1e-05", "big": "1e+16", "code": "08", "octal": "0o17", "half": "+.5", "yes": "y",
                      "no": "n"}
    assert schema_problems([template]) == [[]]


def test_both_yaml_emitters_write_the_same_bytes():
    """flowc writes YAML with libyaml's emitter where PyYAML has it, else PyYAML's own: the bytes must not
    depend on which one a machine has (line separators are escaped in double quotes by both)."""
    import yaml as pyyaml

    from flowc.backends import yamltext

    strings = ["a'b\"c {{ ds }}\n✓", "\u2028x\u2029y\x85z", "tab\there", "\x00nul", "bidi\u202e", "zw\u200b",
               "a: b", "line\n  indented\n", "08", "y", "x" * 300]
    document = {"k": strings, "m": {s: s for s in strings[:4]}}

    class PurePython(pyyaml.SafeDumper):
        pass

    PurePython.add_representer(str, yamltext._string)
    pure = pyyaml.dump(document, Dumper=PurePython, sort_keys=False, allow_unicode=True, width=2**31 - 1,
                       default_flow_style=False)
    assert yamltext.dump(document) == pure
    assert pyyaml.safe_load(pure) == document
