"""`flowc compile --target airflow` lists flow files deployed inside the DAGs folder in its `.airflowignore`
(Airflow's own discovery honouring it is checked in test_airflow_runs.py)."""

from __future__ import annotations

import shutil

from support.flows import EXAMPLES, flowc

HELLO = next(p for p in EXAMPLES if p.stem == "hello")


def compile_into(dags, flow, *extra: str):
    return flowc("compile", str(flow), "--target", "airflow", "-o", str(dags), "--datastore", "s3://b/p", *extra,
                 cwd=dags.parent)


def test_a_flow_outside_the_dags_folder_writes_no_airflowignore(tmp_path):
    assert compile_into(tmp_path / "dags", HELLO).returncode == 0
    assert not (tmp_path / "dags" / ".airflowignore").exists()


def test_flow_files_inside_the_dags_folder_are_added_once_and_other_lines_kept(tmp_path):
    dags = tmp_path / "dags"
    (dags / "flows").mkdir(parents=True)
    (dags / ".airflowignore").write_text("old_stuff/\n")
    for name in ("hello.py", "hello [copy].py"):
        shutil.copyfile(HELLO, dags / "flows" / name)
    assert compile_into(dags, dags / "flows" / "hello.py").returncode == 0
    assert compile_into(dags, dags / "flows" / "hello [copy].py", "--dag-id", "Copy").returncode == 0
    assert compile_into(dags, dags / "flows" / "hello.py").returncode == 0  # no second line for it
    lines = (dags / ".airflowignore").read_text().splitlines()
    assert lines[0] == "old_stuff/"
    assert [line for line in lines if not line.startswith("#")] == [
        "old_stuff/", "/flows/hello.py", "/flows/hello \\[copy\\].py"]
    checked = compile_into(dags, dags / "flows" / "hello.py", "--check")
    assert checked.returncode == 0, checked.stderr
