"""How long Airflow takes to parse generated DAG files, against hand-written minimal DAGs with the same
tasks, measured the way Airflow parses them (DagBag, warm, best of several) in the same process.

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
import json, sys, time
from airflow.dag_processing.dagbag import DagBag
results = {}
for folder in sys.argv[1:]:
    DagBag(dag_folder=folder)  # warm
    best = min(_time for _time in (
        (lambda t0: (DagBag(dag_folder=folder), time.perf_counter() - t0)[1])(time.perf_counter())
        for _ in range(5)))
    results[folder] = best
print(json.dumps(results))
'''


def main() -> None:
    sys.path.insert(0, str(REPO / "bench"))
    from targets import flow_source

    python = airflow_venv("3.3.2")
    work = Path(tempfile.mkdtemp())
    folders = {}
    for n in SIZES:
        flow = work / f"flow_{n}.py"
        flow.write_text(flow_source(n - 2))
        generated, hand = work / f"generated_{n}", work / f"hand_{n}"
        hand.mkdir()
        (hand / f"hand_{n}.py").write_text(HAND_WRITTEN.format(n=n))
        subprocess.run([sys.executable, "-m", "flowc.compiler.cli", "compile", str(flow), "--target", "airflow",
                        "-o", str(generated), "--datastore", "s3://bucket/flowc", "--dag-id", f"gen_{n}"],
                       check=True, capture_output=True)
        folders[n] = (generated, hand)
    env = dict(os.environ, AIRFLOW_HOME=str(work / "home"), AIRFLOW__CORE__LOAD_EXAMPLES="False")
    args = [str(p) for pair in folders.values() for p in pair]
    out = subprocess.run([str(python), "-c", MEASURE, *args], env=env, capture_output=True, text=True, check=True)
    times = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"{'tasks':>6} {'generated':>11} {'hand-written':>13} {'ratio':>7}")
    for n, (generated, hand) in folders.items():
        g, h = times[str(generated)], times[str(hand)]
        print(f"{n:>6} {g * 1000:>8.1f} ms {h * 1000:>10.1f} ms {g / h:>7.2f}x")


if __name__ == "__main__":
    main()
