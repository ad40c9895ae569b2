"""Run tags and namespaces, Metaflow's rules in one place.

A run carries two sets of tags. System tags are fixed when the run starts: `user:<name>` (who ran it,
Metaflow's identity rule), `project:<name>` and `project_branch:<branch>` under @project, and the
versions that ran it. User tags come from `flowc run --tag` and can be changed later through the client
(`Run.add_tag` ...); a system tag can never be removed, and adding one as a user tag is a no-op.

Where they are kept: run.json holds both sets as the run started ("tags", "system_tags"). Each later
change of the user tags writes a new record `<run>/.tags/<n>.json` with the whole new set, created
exclusively (O_EXCL locally, a conditional put on S3): two concurrent changes never both take number n,
so the loser re-reads and applies its change on top (optimistic concurrency, as Metaflow's local
metadata does). The newest record wins; `run_tags()` is the one reader (the client and `current.tags`).

A namespace is one tag; the client shows only runs that carry it (`namespace(None)`: every run). The
default namespace is the identity: `production:<METAFLOW_PRODUCTION_TOKEN>` if set, else
`user:<name>`; when no user name can be found (none set, or root) it is None: every run.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable

from . import layout
from .exception import MetaflowTaggingError

MAX_USER_TAGS = 50  # Metaflow's limits (tagging_util)
MAX_TAG_LENGTH = 500
_MUTATION_TRIES = 20


TaggingError = MetaflowTaggingError  # a tag breaks the rules, or a change would remove a system tag


def validate_tag(tag: object) -> str:
    """The one rule for a tag: a non-empty string of at most 500 characters, UTF-8 encodable
    (bytes must decode as UTF-8)."""
    if isinstance(tag, bytes):
        try:
            tag = tag.decode("utf-8")
        except UnicodeDecodeError:
            raise TaggingError("a tag must be UTF-8 text") from None
    if not isinstance(tag, str):
        raise TaggingError(f"a tag must be a string, got {type(tag).__name__}")
    try:
        tag.encode("utf-8")
    except UnicodeEncodeError:
        raise TaggingError(f"tag {tag!r:.60} is not UTF-8 encodable") from None
    if not tag:
        raise TaggingError("a tag must not be empty")
    if len(tag) > MAX_TAG_LENGTH:
        raise TaggingError(f"tag {tag[:40]!r}... is too long ({len(tag)} > {MAX_TAG_LENGTH} characters)")
    return tag


def validate_tags(tags: Iterable[object], existing: Iterable[str] | None = None) -> list[str]:
    """Check every tag and the size of the set: at most 50 user tags (a set already larger may only shrink)."""
    checked = sorted({validate_tag(tag) for tag in tags})
    if len(checked) > MAX_USER_TAGS and (existing is None or len(set(existing)) < len(checked)):
        raise TaggingError(f"a run may carry at most {MAX_USER_TAGS} user tags ({len(checked)} given)")
    return checked


def username() -> str | None:
    """Metaflow's user: METAFLOW_USER, else SUDO_USER, USERNAME, USER; never root (None if none fits)."""
    for name in ("METAFLOW_USER", "SUDO_USER", "USERNAME", "USER"):
        value = os.environ.get(name)
        if value and value != "root":
            return value
    return None


def identity() -> str | None:
    """The namespace a run is started in, and the client's default: production token, else user."""
    token = os.environ.get("METAFLOW_PRODUCTION_TOKEN")
    if token:
        return f"production:{token}"
    user = username()
    return f"user:{user}" if user else None


def project_branch(project: dict, user: str | None) -> str:
    """@project's branch: `prod`/`prod.<branch>` for production, `test.<branch>` for a named branch,
    else `user.<name>` (METAFLOW_OWNER overrides the name, as in Metaflow)."""
    branch = project.get("branch")
    if project.get("production"):
        return f"prod.{branch}" if branch else "prod"
    if branch:
        return f"test.{branch}"
    return f"user.{os.environ.get('METAFLOW_OWNER') or user or 'unknown'}"


def system_tags(project: dict | None, flowc_version: str) -> list[str]:
    """The system tags of a run started here and now, with these @project settings."""
    tags = [f"python_version:{'%d.%d.%d' % sys.version_info[:3]}", f"flowc_version:{flowc_version}"]
    ident = identity()
    if ident:
        tags.append(ident)
    user = username()
    if user and not ident.startswith("user:"):
        tags.append(f"user:{user}")
    if project and project.get("name"):
        tags += [f"project:{project['name']}", f"project_branch:{project_branch(project, user)}"]
    return sorted(set(tags))


def resumed_system_tags(origin: Iterable[str], flowc_version: str) -> list[str]:
    """A resumed run's system tags: the earlier run's @project tags, the rest as for a new run here."""
    kept = [t for t in origin if t.startswith(("project:", "project_branch:"))]
    return sorted(set(kept + system_tags(None, flowc_version)))


# -- reading and changing a run's tags ---------------------------------------------------------------
def _versions(datastore, flow: str, run_id: str) -> list[int]:
    names = datastore.storage.list_dir(layout.run_tags_dir(flow, run_id))
    return sorted(int(n[:-5]) for n in names if n.endswith(".json") and n[:-5].isdigit())


def _latest(datastore, flow: str, run_id: str, record) -> tuple[int, frozenset]:
    """(version, user tags): the newest change record, else run.json's tags (version 0)."""
    versions = _versions(datastore, flow, run_id)
    if versions:
        key = layout.run_tags_key(flow, run_id, versions[-1])
        data = datastore.read_json(key)
        tags = data.get("tags") if isinstance(data, dict) else None
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            from .records import DamagedRecord

            raise DamagedRecord(datastore.storage.describe(key), "'tags' is not a list of strings")
        return versions[-1], frozenset(tags)
    return 0, frozenset(record.tags if record is not None else ())


_UNREAD = object()


def run_tags(datastore, flow: str, run_id: str, record=_UNREAD) -> tuple[frozenset, frozenset]:
    """(user tags, system tags) of a run now. `record`: its RunRecord (None: it has none), if already read."""
    if record is _UNREAD:
        record = datastore.read_run(flow, run_id)
    _, user = _latest(datastore, flow, run_id, record)
    system = frozenset(record.system_tags if record is not None else ())
    return user, system


def mutate_run_tags(datastore, flow: str, run_id: str, remove: Iterable[object] = (),
                    add: Iterable[object] = ()) -> frozenset:
    """Remove then add user tags, atomically; returns the user tags after the change. Removing a system
    tag is an error; adding one is a no-op; removing an absent tag is a no-op."""
    remove = {validate_tag(t) for t in _tag_list(remove, "tags to remove")}
    add = {validate_tag(t) for t in _tag_list(add, "tags to add")}
    if not remove and not add:
        raise TaggingError("add or remove at least one tag")
    record = datastore.read_run(flow, run_id)
    if record is None:
        raise TaggingError(f"run {flow}/{run_id} has no run record yet (its start task has not run); "
                           "tag it once it started")
    system = frozenset(record.system_tags)
    if remove & system:
        raise TaggingError(f"cannot remove system tag(s) {', '.join(sorted(remove & system))}: only user "
                           "tags can change")
    add -= system
    for _ in range(_MUTATION_TRIES):
        version, tags = _latest(datastore, flow, run_id, record)
        wanted = (tags - remove) | add
        if wanted == tags:
            return tags
        validate_tags(wanted, existing=tags)
        data = {"tags": sorted(wanted), "version": version + 1, "user": username()}
        key = layout.run_tags_key(flow, run_id, version + 1)
        if datastore.storage.create_exclusive(key, (json.dumps(data, sort_keys=True) + "\n").encode()):
            return frozenset(wanted)
    raise TaggingError(f"the tags of {flow}/{run_id} kept changing under this change ({_MUTATION_TRIES} "
                       "tries); try again")


def _tag_list(tags: Iterable[object], what: str) -> list:
    if isinstance(tags, (str, bytes)):
        raise TaggingError(f"{what} must be a list of tags, not one string")
    try:
        return list(tags)
    except TypeError:
        raise TaggingError(f"{what} must be a list of tags") from None
