"""Metaflow's metadata functions. flowc keeps what Metaflow's metadata service holds in the datastore itself,
so the "metadata provider" is the datastore the client reads: in a running task the run's own, elsewhere
`FLOWC_DATASTORE`, else `.flowc/` here. `metadata("local@/path")` or `metadata("s3://bucket/prefix")` switches
it for this process outside tasks (a notebook, a script), as Metaflow's switches its provider."""

from __future__ import annotations

import os

from .datastore import default_datastore_uri

_VARIABLE = "FLOWC_DATASTORE"
_UNSET = object()
_original: object = _UNSET  # FLOWC_DATASTORE before the first metadata() call


def get_metadata() -> str:
    """`datastore@<where>`, in Metaflow's `<provider>@<location>` form."""
    from .context import current

    return f"datastore@{current.datastore if current.is_running_flow else default_datastore_uri()}"


def metadata(ms: str) -> str:
    """Read runs from another datastore: `TYPE@LOCATION` (Metaflow's form; the type is ignored) or a location."""
    global _original
    if _original is _UNSET:
        _original = os.environ.get(_VARIABLE)
    os.environ[_VARIABLE] = ms.split("@", 1)[1] if "@" in ms else ms
    return get_metadata()


def default_metadata() -> str:
    """Back to the datastore this process started with."""
    global _original
    if _original is not _UNSET:
        if _original is None:
            os.environ.pop(_VARIABLE, None)
        else:
            os.environ[_VARIABLE] = _original
        _original = _UNSET
    return get_metadata()
