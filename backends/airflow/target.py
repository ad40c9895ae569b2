"""The Airflow target's declaration: its options (read by `flowc compile --help` without importing the backend)."""

from flowc.compiler.targets import Option, Target

TARGET = Target("airflow", "an Airflow DAG file (Airflow 3.x and 2.11+)", "flowc.backends.airflow", (
    Option("operator", "run tasks with BashOperator (on the workers) or KubernetesPodOperator (a pod each)",
           ("bash", "kubernetes"), default="bash"),
    Option("dag_id", "the DAG id (default: the flow's class name)"),
    Option("namespace", "the Kubernetes namespace of each pod (--operator kubernetes)"),
), folder_files="flowc.backends.airflow.ignore", flow_lookup="flowc.backends.airflow.lookup")
