"""The hostile-string corpus in every field of a flow and every string option, compiled for Airflow
(KubernetesPodOperator): each value is refused at compile time, or arrives unchanged in the operators as
Airflow's own DagBag loads them, one process for every value class; loading runs nothing of the values
(see tests/support/hostile_fields.py)."""

from __future__ import annotations

from support.hostile_fields import GROUPS, VALUES, compile_hostile, missing

# @batch has no effect on Airflow; a step's docstring is not a DAG field.
NOT_IN_OUTPUT = set(GROUPS["batch"]) | {"step docstring"}


def test_hostile_values_arrive_unchanged_or_are_refused(airflow_driver, tmp_path):
    dags = tmp_path / "dags"
    dags.mkdir()
    outcomes = {}
    for number, name in enumerate(VALUES):
        outcome = compile_hostile(tmp_path / name, "airflow", name)
        (dag,) = outcome.folder.glob("*.py")
        dag_id = f"hostile_{number}"
        assert "--dag-id" not in outcome.expected  # refused for every class: not a valid key
        (dags / f"{dag_id}.py").write_text(dag.read_text(encoding="utf-8").replace(
            "HostileFieldsFlow", dag_id), encoding="utf-8")
        outcomes[dag_id] = (name, outcome)
    pwned = tmp_path / "pwned"
    pwned.mkdir()
    result = airflow_driver(dags, env={"PWNED_DIR": str(pwned)})
    assert result["import_errors"] == {}
    assert sorted(result["dags"]) == sorted(outcomes)
    for dag_id, (name, outcome) in outcomes.items():
        assert missing(outcome, result["dags"][dag_id], NOT_IN_OUTPUT) == [], (name, outcome.refused)
    assert list(pwned.iterdir()) == []
