"""How long Airflow takes to parse generated DAG files, against hand-written DAGs running the same task
commands (`hand_written`), measured the way Airflow parses them (DagBag) in one warm Airflow process:
generated and hand-written folders alternate (A, B, A, B, ...) and each parse is measured as that process's
CPU time (bench/measure.py), so load on a shared machine falls on both alike. Prints median and best of both.

    python bench/airflow_parse.py          (uses the tests' cached Airflow 3.3.2 virtualenv)
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
from support.venvs import airflow_venv  # noqa: E402

sys.path.insert(0, str(REPO / "bench"))
from measure import load, median, ratio  # noqa: E402

SIZES = (10, 100, 500)


def hand_written(n: int, flow: Path, sha256: str) -> str:
    """What a person would write to run the same chain on Airflow: one BashOperator statement per step (the
    flow's steps differ, so no loop), each running the same task command (docs/task-contract.md) with the
    run's values from Airflow templates and the user's strings kept from Jinja by literal(), all through one
    shared environment (as flowc does: nothing templated is spliced into the shell). Left out as this chain does not need them: flowc's contract-error class and the trigger
    rule for switches. (It used to be a 3-line loop with a 5-argument command: that measured compiling a
    tiny file and building no environment, not the same DAG.)"""
    steps = ["start", *(f"s{i}" for i in range(n - 2)), "end"]
    lines = ["from airflow.sdk import DAG, literal",
             "from airflow.providers.standard.operators.bash import BashOperator", "",
             f'ENV = {{"FLOW_FILE": literal({str(flow)!r}), "DATASTORE": literal("s3://bucket/flowc"),',
             '       "RUN_ID": "{{ run_id }}", "ATTEMPT": "{{ ti.try_number - 1 }}", "PARAMS": "{{ params | tojson }}"}',
             "",
             f'with DAG(dag_id="hand_{n}", schedule=None, catchup=False) as dag:']
    for previous, step in zip([None, *steps], steps):
        command = (f'exec python3 -m flowc.runtime task "$FLOW_FILE" {step} --run-id "$RUN_ID" --index "" '
                   f'--attempt "$ATTEMPT" --datastore "$DATASTORE" --source-sha256 {sha256} '
                   f"--inputs {previous or repr('')}" + (' --params-json "$PARAMS"' if step == "start" else ""))
        lines.append(f"    {step} = BashOperator(task_id={step!r}, bash_command={command!r}, env=ENV, "
                     "append_env=True, skip_on_exit_code=3)")
        if previous:
            lines.append(f"    {previous} >> {step}")
    return "\n".join(lines) + "\n"


MEASURE = '''
import gc, json, sys
from airflow.dag_processing.dagbag import DagBag
from measure import cpu, interleaved
rounds, folders = int(sys.argv[1]), sys.argv[2:]
for folder in folders:  # a DAG that failed to load would parse fast: both must load, one DAG each
    bag = DagBag(dag_folder=folder)
    assert len(bag.dags) == 1 and not bag.import_errors, (folder, bag.import_errors)


def parse(folder):
    gc.collect()  # earlier parses' garbage is collected here, not charged to whichever parse triggers it
    return cpu(lambda: DagBag(dag_folder=folder))


times = {}
for generated, hand in zip(folders[::2], folders[1::2]):
    times.update(interleaved({generated: lambda: parse(generated), hand: lambda: parse(hand)}, rounds, warm=1))
print(json.dumps(times))
'''
ROUNDS = 9


def main() -> None:
    from targets import chain_source

    python = airflow_venv("3.3.2")
    work = Path(tempfile.mkdtemp())
    folders = {}
    for n in SIZES:
        flow = work / f"flow_{n}.py"
        flow.write_text(chain_source(n - 2))
        generated, hand = work / f"generated_{n}", work / f"hand_{n}"
        hand.mkdir()
        sha256 = hashlib.sha256(flow.read_bytes()).hexdigest()
        (hand / f"hand_{n}.py").write_text(hand_written(n, flow, sha256))
        subprocess.run([sys.executable, "-m", "flowc.compiler.cli", "compile", str(flow), "--target", "airflow",
                        "-o", str(generated), "--datastore", "s3://bucket/flowc", "--dag-id", f"gen_{n}"],
                       check=True, capture_output=True)
        folders[n] = (generated, hand)
    env = dict(os.environ, AIRFLOW_HOME=str(work / "home"), AIRFLOW__CORE__LOAD_EXAMPLES="False",
               PYTHONPATH=str(REPO / "bench"))
    args = [str(p) for pair in folders.values() for p in pair]
    out = subprocess.run([str(python), "-c", MEASURE, str(ROUNDS), *args], env=env, capture_output=True, text=True,
                         check=True)
    times = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"DagBag parse, CPU time of the Airflow process, {ROUNDS} interleaved rounds; {load()}")
    print(f"{'tasks':>6} {'generated (median/best)':>24} {'hand-written (median/best)':>27}  ratio generated/hand")
    for n, (generated, hand) in folders.items():
        g, h = times[str(generated)], times[str(hand)]
        print(f"{n:>6} {median(g) * 1000:>10.1f} /{min(g) * 1000:>7.1f} ms {median(h) * 1000:>13.1f} /{min(h) * 1000:>7.1f} ms"
              f"  {ratio(g, h)}")


if __name__ == "__main__":
    main()
