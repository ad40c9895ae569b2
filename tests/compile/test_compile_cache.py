"""The compile cache: whatever is in it, `flowc compile` writes the bytes an uncached compile writes.

Every test compares against `--no-cache` output of the same flow and options. Where a test shows that an
entry is *not* believed, it first shows that the same planted entry *is* served under its own key, so the
test fails if the cache were never used at all."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support.flows import REPO, flowc

from flowc.compiler import compile_cache

EXAMPLES = REPO / "examples"
OPTIONS = ("-t", "airflow", "--datastore", "s3://bucket/flowc")


@pytest.fixture
def repo(tmp_path: Path, monkeypatch) -> Path:
    """A folder of flows and an empty cache of its own."""
    for name in ("hello.py", "branching.py", "foreach.py"):
        shutil.copy(EXAMPLES / name, tmp_path / name)
    monkeypatch.setenv("FLOWC_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path


def compiled(repo: Path, out: str, *args: str, flows=("hello.py",)) -> dict[str, bytes]:
    done = flowc("compile", *flows, *OPTIONS, "-o", out, *args, cwd=repo)
    assert done.returncode == 0, done.stderr
    return {p.name: p.read_bytes() for p in sorted((repo / out).iterdir())}


def uncached(repo: Path, *args: str, flows=("hello.py",)) -> dict[str, bytes]:
    shutil.rmtree(repo / "dags", ignore_errors=True)
    return compiled(repo, "dags", "--no-cache", *args, flows=flows)


def cached(repo: Path, *args: str, flows=("hello.py",)) -> dict[str, bytes]:
    shutil.rmtree(repo / "dags", ignore_errors=True)
    return compiled(repo, "dags", *args, flows=flows)


def entries(repo: Path) -> list[Path]:
    folder = repo / "cache" / "compile"
    return sorted(folder.glob("*.json")) if folder.is_dir() else []


def plant(entry: Path, text: str) -> None:
    """Rewrite a cache entry into a well-formed one (right key, right hash) whose file says `text`."""
    data = json.loads(entry.read_text(encoding="utf-8"))
    data["files"] = {name: text for name in data["files"]}
    data["sha256"] = compile_cache._files_digest(data["files"])
    entry.write_text(json.dumps(data), encoding="utf-8")


def test_a_hit_gives_the_uncached_bytes_and_writes_one_entry_per_flow(repo):
    first = cached(repo, flows=("hello.py", "branching.py", "foreach.py"))
    assert len(entries(repo)) == 3
    assert cached(repo, flows=("hello.py", "branching.py", "foreach.py")) == first
    assert first == uncached(repo, flows=("hello.py", "branching.py", "foreach.py"))


def test_the_planted_entry_is_served_under_its_own_key(repo):
    """The premise of the tests below: an entry is read back, so a wrong key would be served."""
    cached(repo)
    [entry] = entries(repo)
    plant(entry, "# planted\n")
    assert set(cached(repo).values()) == {b"# planted\n"}


def test_an_edit_of_the_flow_is_compiled_again(repo):
    cached(repo)
    [entry] = entries(repo)
    plant(entry, "# planted\n")
    flow = repo / "hello.py"
    flow.write_text(flow.read_text().replace("self.next(self.end)", "self.next(self.end)  # edited", 1))
    assert cached(repo) == uncached(repo)
    assert b"# planted\n" not in cached(repo).values()


@pytest.mark.parametrize("change", [("--datastore", "s3://other/prefix"), ("--python", "python3.12"),
                                    ("--operator", "kubernetes", "--image", "img:1"), ("-o", "elsewhere")])
def test_an_option_change_is_compiled_again(repo, change):
    cached(repo)
    for entry in entries(repo):
        plant(entry, "# planted\n")
    if change[0] == "-o":
        shutil.rmtree(repo / "elsewhere", ignore_errors=True)
        got = compiled(repo, "elsewhere")
        shutil.rmtree(repo / "elsewhere")
        want = compiled(repo, "elsewhere", "--no-cache")
    else:
        got, want = cached(repo, *change), uncached(repo, *change)
    assert got == want and b"# planted\n" not in got.values()


def test_another_target_is_compiled_again(repo):
    cached(repo)
    plant(entries(repo)[0], "# planted\n")
    done = flowc("compile", "hello.py", "-t", "argo", "--datastore", "s3://bucket/flowc", "--image", "i:1", "-o", "argo",
                 cwd=repo)
    assert done.returncode == 0, done.stderr
    assert b"# planted" not in b"".join(p.read_bytes() for p in (repo / "argo").iterdir())


def test_another_flowc_version_is_compiled_again(repo, monkeypatch):
    cached(repo)
    plant(entries(repo)[0], "# planted\n")
    monkeypatch.setattr("flowc.compiler.__version__", "999.0.0")
    assert cached(repo) == uncached(repo)


def test_a_change_of_flowc_code_changes_the_fingerprint(tmp_path):
    code = tmp_path / "code"
    (code / "templates").mkdir(parents=True)
    (code / "module.py").write_text("A = 1\n")
    (code / "templates" / "dag.j2").write_text("{{ x }}\n")
    before = compile_cache.code_fingerprint(str(code))
    (code / "templates" / "dag.j2").write_text("{{ y }}\n")
    os.utime(code / "templates" / "dag.j2", ns=(1, 1))
    assert compile_cache.code_fingerprint.__wrapped__(str(code)) != before


@pytest.mark.parametrize("damage", ["truncated", "garbage", "files edited, hash kept", "another key",
                                    "not a dict", "empty"])
def test_a_corrupt_entry_is_recomputed_and_repaired(repo, damage):
    want = cached(repo)
    [entry] = entries(repo)
    data = json.loads(entry.read_text(encoding="utf-8"))
    if damage == "truncated":
        entry.write_bytes(entry.read_bytes()[: entry.stat().st_size // 2])
    elif damage == "garbage":
        entry.write_bytes(b"\xff\x00not json")
    elif damage == "files edited, hash kept":
        data["files"] = {name: "# tampered\n" for name in data["files"]}
        entry.write_text(json.dumps(data))
    elif damage == "another key":
        plant(entry, "# planted\n")
        data = json.loads(entry.read_text())
        data["key"] = "0" * 64
        entry.write_text(json.dumps(data))
    elif damage == "not a dict":
        entry.write_text("[1, 2]")
    else:
        entry.write_bytes(b"")
    assert cached(repo) == want == uncached(repo)
    assert compile_cache.load(entry.stem) == {name: text.decode() for name, text in want.items()}  # repaired


def test_no_cache_neither_reads_nor_writes(repo):
    uncached(repo)
    assert entries(repo) == []
    cached(repo)
    plant(entries(repo)[0], "# planted\n")
    assert b"# planted\n" not in uncached(repo).values()


def test_check_uses_the_cache_and_still_sees_a_changed_file(repo):
    cached(repo, flows=("hello.py", "branching.py"))
    check = flowc("compile", "hello.py", "branching.py", *OPTIONS, "-o", "dags", "--check", cwd=repo)
    assert check.returncode == 0, check.stderr
    dag = next((repo / "dags").iterdir())
    dag.write_text(dag.read_text() + "# hand edit\n")
    check = flowc("compile", "hello.py", "branching.py", *OPTIONS, "-o", "dags", "--check", cwd=repo)
    assert check.returncode == 1 and f"would update dags/{dag.name}" in check.stderr


def test_a_flow_with_problems_is_never_cached(repo):
    (repo / "broken.py").write_text((EXAMPLES / "hello.py").read_text().replace("self.next(self.end)", ""))
    for _ in range(2):
        done = flowc("compile", "broken.py", *OPTIONS, "-o", "dags", cwd=repo)
        assert done.returncode == 1 and "error[" in done.stderr
    assert entries(repo) == []


def run_process(repo: Path, out: str, code: str = "pass") -> subprocess.Popen:
    argv = ["compile", "hello.py", "branching.py", "foreach.py", *OPTIONS, "-o", out]
    script = f"import sys; from flowc.compiler.cli import main; status = main({argv!r}); {code}; sys.exit(status)"
    return subprocess.Popen([sys.executable, "-c", script], cwd=repo, env=dict(os.environ),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_two_processes_at_once_write_whole_entries_and_the_uncached_bytes(repo):
    flows = ("hello.py", "branching.py", "foreach.py")
    want = uncached(repo, flows=flows)
    for round_ in range(2):  # an empty cache (both write), then a full one (both read)
        for i in range(2):
            (repo / f"copy{i}").mkdir(exist_ok=True)
            for flow in flows:
                shutil.copy(repo / flow, repo / f"copy{i}" / flow)
        processes = [run_process(repo / f"copy{i}", "dags") for i in range(2)]
        for i, process in enumerate(processes):
            _, err = process.communicate(timeout=300)
            assert process.returncode == 0, err
            assert {p.name: p.read_bytes() for p in (repo / f"copy{i}" / "dags").iterdir()} == want
    assert len(entries(repo)) == 3
    assert not list((repo / "cache" / "compile").glob(".tmp-*"))  # nothing half-written left behind


def test_a_hit_imports_neither_the_compiler_nor_a_backend(repo):
    assert run_process(repo, "dags").wait(timeout=300) == 0  # fills the cache (a fresh process: fresh code)
    heavy = ("pydantic", "networkx", "jinja2", "yaml", "flowc.compiler.plan", "flowc.backends.airflow")
    check = ("loaded = sorted(m for m in sys.modules if m.split('.')[0] in {'pydantic', 'networkx', "
             "'jinja2', 'yaml'} or m in ('flowc.compiler.plan', 'flowc.backends.airflow')); print(loaded)")
    process = run_process(repo, "dags", check)
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err
    assert out.strip() == "[]", f"imported on a cache hit: {out.strip()} (of {heavy})"
    shutil.rmtree(repo / "cache")  # the same command compiles without its cache, and imports them
    process = run_process(repo, "dags", check.replace("print(loaded)", "print(bool(loaded))"))
    assert process.communicate(timeout=300)[0].strip() == "True"
