"""Names and keys of the datastore layout (DESIGN section 5), in one place.

Keys are '/'-separated and relative to the datastore root:

    <Flow>/objects/<sha[:2]>/<sha>
    <Flow>/runs/<run>/run.json
    <Flow>/runs/<run>/.tags/<n>.json                (the n-th change of the run's user tags: flowc.runtime.tags)
    <Flow>/runs/<run>/<step>/<index>/attempt-<n>/{artifacts.json,meta.json,stdout.log,stderr.log,foreach-items.txt}
    <Flow>/runs/<run>/<step>/<index>/attempt-<n>/{cards.json,card-<k>.html}   (@card: the k-th card's page)
    <Flow>/runs/<run>/<step>/<index>/done.json       (the commit record, written last)
    <Flow>/runs/<run>/<step>/<index>/skipped.json    (a switch chose another branch; not a commit)
    <Flow>/runs/<run>/<step>/<index>/control.json    (a split's or switch's control value, for schedulers
                                                      that read it from the datastore: Step Functions)

An index is a foreach position, outer first: "" (none), "3", "3/0". On disk it is "_", "3", "3.0".
"""

from __future__ import annotations

import re

NO_INDEX = "_"
_INDEX = re.compile(r"^(0|[1-9][0-9]*)(/(0|[1-9][0-9]*))*$")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# Run ids: what every scheduler's run names use (Airflow's `manual__2026-01-01T00:00:00+00:00`, Argo's
# lowercase names, UUIDs, flowc's own), safe as one path segment and one S3 key segment, never hidden
# (a leading '.'), never an option (a leading '-'), printable ASCII only.
RUN_ID = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.~:+=@-]{0,249}$")
RUN_ID_RULE = "1-250 characters among letters, digits and _ . ~ : + = @ -, the first a letter, digit or _"
SHA_HEX = re.compile(r"^[0-9a-f]{64}$")


def check_index(index: str) -> str:
    """Return `index` if it is "" or digits separated by '/', else raise ValueError."""
    if index == "" or _INDEX.fullmatch(index):
        return index
    raise ValueError(f"bad --index {index!r}: expected '', '3' or '3/0' (foreach positions, outer first)")


def check_name(kind: str, name: str) -> str:
    if not _NAME.fullmatch(name):
        raise ValueError(f"bad {kind} name {name!r}: expected a Python identifier")
    return name


def check_flow_name(name: str) -> str:
    """The one rule for flow names (a Python class name), wherever one names a datastore folder."""
    return check_name("flow", name)


def check_run_id(run_id: str) -> str:
    """The one rule for run ids: the task command, `flowc run`/`resume`/`show` and the client all use it."""
    if not isinstance(run_id, str) or not RUN_ID.fullmatch(run_id):
        raise ValueError(f"bad run id {run_id!r}: use {RUN_ID_RULE}")
    return run_id


def valid_run_id(run_id: str) -> bool:
    return isinstance(run_id, str) and bool(RUN_ID.fullmatch(run_id))


def valid_name(name: str) -> bool:
    return bool(_NAME.fullmatch(name))


def valid_index_segment(segment: str) -> bool:
    """A task folder's name: "_", "3" or "3.0"."""
    return segment == NO_INDEX or bool(_INDEX.fullmatch(segment.replace(".", "/"))) and "/" not in segment


def index_to_disk(index: str) -> str:
    return index.replace("/", ".") if index else NO_INDEX


def index_from_disk(segment: str) -> str:
    return "" if segment == NO_INDEX else segment.replace(".", "/")


def index_parts(index: str) -> list[int]:
    return [int(p) for p in index.split("/")] if index else []


def parent_index(index: str) -> str:
    """The index of the enclosing foreach level ("3/0" -> "3", "3" -> "")."""
    return index.rpartition("/")[0]


def child_index(index: str, position: int) -> str:
    return f"{index}/{position}" if index else str(position)


def object_key(flow: str, sha: str) -> str:
    return f"{flow}/objects/{sha[:2]}/{sha}"


def runs_key(flow: str) -> str:
    return f"{check_flow_name(flow)}/runs"


def run_key(flow: str, run_id: str) -> str:
    """Every key of a run is built here: a flow name or run id that breaks the rules never reaches storage."""
    return f"{runs_key(flow)}/{check_run_id(run_id)}"


def run_record_key(flow: str, run_id: str) -> str:
    return f"{run_key(flow, run_id)}/run.json"


def run_tags_dir(flow: str, run_id: str) -> str:
    """Changes of a run's user tags, `.tags/<n>.json` (hidden: never taken for a step folder)."""
    return f"{run_key(flow, run_id)}/.tags"


def run_tags_key(flow: str, run_id: str, version: int) -> str:
    return f"{run_tags_dir(flow, run_id)}/{version}.json"


def task_key(flow: str, run_id: str, step: str, index: str) -> str:
    return f"{run_key(flow, run_id)}/{step}/{index_to_disk(index)}"


def attempt_key(flow: str, run_id: str, step: str, index: str, attempt: int) -> str:
    return f"{task_key(flow, run_id, step, index)}/attempt-{attempt}"


def attempt_number(name: str) -> int | None:
    """`attempt-3` -> 3; anything else -> None."""
    prefix, _, number = name.partition("-")
    return int(number) if prefix == "attempt" and number.isdigit() else None
