"""The top of every generated DAG file: imports, where the flow file is, and the helpers that build tasks.

Plain Python string building (it was a Jinja template: importing and compiling Jinja took a tenth of a whole
`flowc compile`). Only what a DAG uses is imported: Airflow re-parses the file often (see the field notes).
"""

from __future__ import annotations


def preamble(*, bash: bool, relative_flow: bool, sdk: list[str], decorators: list[str], params: bool,
             schedule: bool, flatten: bool, skip: int, contract: int, flow_file: str, datastore: str,
             python: str) -> str:
    """The preamble's text; `flow_file`, `datastore` and `python` are Python literals already."""
    out = ["from __future__ import annotations\n\nimport datetime\n"]
    out.append("import json\n" if bash else "")
    out.append("import os\n" if relative_flow else "")
    out.append(f"\ntry:  # Airflow 3\n    from airflow.sdk import {', '.join(sdk)}\n"
               "except ImportError:  # Airflow 2.11\n")
    out.append(f"    from airflow.decorators import {', '.join(decorators)}\n" if decorators else "")
    out.append("    from airflow.models.dag import DAG\n")
    out.append("    from airflow.models.param import Param\n" if params else "")
    out.append("    from airflow.utils.template import literal\n")
    out.append(_BASH_IMPORTS if bash else _POD_IMPORTS)
    out.append("from airflow.timetables.trigger import CronTriggerTimetable\n" if schedule else "")
    out.append("\n\n")
    if relative_flow:
        out.append("# The flow file, found relative to this DAG file (deploy them together; or compile with "
                   "--flow-path).\nFLOW_FILE = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath("
                   f"__file__)), {flow_file}))\n")
    elif bash:
        out.append(f"FLOW_FILE = {flow_file}\n")
    else:
        out.append("# The flow file inside the image (relative to its working directory; or compile with "
                   f"--flow-path).\nFLOW_FILE = {flow_file}\n")
    out.append(f"DATASTORE = {datastore}\nPYTHON = {python}\n")
    template = _BASH_HELPERS if bash else _POD_HELPERS
    out.append(template.replace("<<skip>>", str(skip)).replace("<<contract>>", str(contract)))
    out.append("\n")
    out.append(_FLATTEN if flatten else "")
    out.append("\n")
    return "".join(out)


_BASH_IMPORTS = '''try:
    from airflow.sdk.exceptions import AirflowFailException
except ImportError:  # Airflow 2.11
    from airflow.exceptions import AirflowFailException
try:
    from airflow.providers.standard.operators.bash import BashOperator
except ImportError:  # Airflow 2 without the standard provider
    from airflow.operators.bash import BashOperator
'''

_POD_IMPORTS = '''from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
from kubernetes.client import models as k8s
'''

_BASH_HELPERS = '''

def env(index, extra=None):
    """Run-time values for the task command; literal() keeps Jinja away from user strings."""
    values = {
        "FLOWC_PYTHON": literal(PYTHON),
        "FLOWC_FLOW_FILE": literal(FLOW_FILE),
        "FLOWC_DATASTORE": literal(DATASTORE),
        "FLOWC_RUN_ID": "{{ run_id }}",
        "FLOWC_ATTEMPT": "{{ ti.try_number - 1 }}",
        "FLOWC_INDEX": index,
        "FLOWC_PARAMS": "{{ params | tojson }}",
    }
    values.update({name: literal(value) for name, value in (extra or {}).items()})
    return values


# Shared by every top-level task without an environment of its own: one dict built per parse, not one per
# task (Airflow renders a templated field into a new value, it never changes this one).
TOP_LEVEL_ENV = env("")


class FlowcBashOperator(BashOperator):
    """A BashOperator whose task command's exit code <<contract>> (a contract error: bad parameters, a flow file
    that does not match this DAG) fails the task at once: retrying cannot succeed."""

    def execute(self, context):
        try:
            return super().execute(context)
        except Exception:
            process = getattr(self.subprocess_hook, "sub_process", None)
            if getattr(process, "returncode", None) == <<contract>>:
                raise AirflowFailException("flowc's task command exited <<contract>> (a contract error, see the "
                                           "log above): not retried, another try cannot succeed") from None
            raise


def flowc_task(step, command, index=None, control=False, environment=None, **settings):
    """One step as a BashOperator running flowc's task command, whose values all come from the environment
    (never spliced in). Exit code <<skip>>: its switch chose another branch (skipped)."""
    if control:  # a foreach split hands Airflow its child index paths: the last line of output goes to XCom
        command = f'out="$(mktemp)" && {command} >&2 && cat "$out" && rm -f "$out"'
        settings["output_processor"] = json.loads
    else:
        command = "exec " + command
    shared = index is None and not environment  # index: a mapped task group's index path
    return FlowcBashOperator(task_id=step, bash_command=command,
                             env=TOP_LEVEL_ENV if shared else env("" if index is None else index, environment),
                             append_env=True, do_xcom_push=control, skip_on_exit_code=<<skip>>, **settings)
'''

_POD_HELPERS = '''RUN_ID = "{{ run_id }}"
ATTEMPT = "{{ ti.try_number - 1 }}"
PARAMS = "{{ params | tojson }}"


def flowc_pod(step, command, control=False, environment=None, **settings):
    """One step as a pod running flowc's task command (an argument list, no shell). Exit code <<skip>>:
    its switch chose another branch (skipped)."""
    if environment:
        settings["env_vars"] = {name: literal(value) for name, value in environment.items()}
    return KubernetesPodOperator(task_id=step, name=step.replace("_", "-"), cmds=command[:1],
                                 arguments=command[1:], do_xcom_push=control,
                                 skip_on_exit_code=<<skip>>, get_logs=True, **settings)
'''

_FLATTEN = '''

def flatten(lists):
    """Nested foreach: one flat list of child index paths (Airflow cannot map inside a map)."""
    return [path for paths in lists if paths for path in paths]
'''
