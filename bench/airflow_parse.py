"""How long Airflow takes to parse generated DAG files, against hand-written minimal DAGs with the same
tasks, measured the way Airflow parses them (DagBag) in one warm Airflow process: generated and
hand-written folders alternate (A, B, A, B, ...) and each parse is measured as that process's CPU time
(bench/measure.py), so load on a shared machine falls on both alike. Prints median and best of both.

    python bench/airflow_parse.py          (uses the tests' cached Airflow 3.3.2 virtualenv)
"""

from __future__ import annotations

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

HAND_WRITTEN = '''from airflow.sdk import DAG
from airflow.providers.standard.operators.bash import BashOperator

with DAG(dag_id="hand_{n}", schedule=None, catchup=False) as dag:
    previous = None
    for i in range({n}):
        task = BashOperator(task_id=f"s{{i}}", bash_command="python3 -m flowc.runtime task flow.py s{{i}}")
        if previous is not None:
            previous >> task
        previous = task
'''

MEASURE = '''
import json, sys
from airflow.dag_processing.dagbag import DagBag
from measure import cpu, interleaved
rounds, folders = int(sys.argv[1]), sys.argv[2:]
times = {}
for generated, hand in zip(folders[::2], folders[1::2]):
    times.update(interleaved({generated: lambda: cpu(lambda: DagBag(dag_folder=generated)),
                              hand: lambda: cpu(lambda: DagBag(dag_folder=hand))}, rounds, warm=1))
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
        (hand / f"hand_{n}.py").write_text(HAND_WRITTEN.format(n=n))
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
