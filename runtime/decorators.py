"""`@step` and the Metaflow step/flow decorators, as markers.

Each decorator records its arguments on the function (or class) and returns it unchanged, so the
user's own decorators and `functools.wraps` keep working. The runtime acts on the few that matter
inside a task (@retry: which attempt is the last; @catch; @timeout; @environment; @card; @pypi, @conda and
their flow-level bases: the task checks the packages they pin are installed); the others
(@resources, @kubernetes, @batch, @secrets, @schedule, @project) are read by the compiler from the
source and are only recorded here. Defaults follow Metaflow's.
"""

from __future__ import annotations

from collections.abc import Callable


ATTRIBUTE = "_flowc_decorators"

# flowc's own task variables (FLOWC_RUN_ID, FLOWC_INDEX, ...): @environment may not set these names, or a
# scheduled task would run another run's or index's work. The compiler refuses them too (FLC303).
RESERVED_ENV_PREFIX = "FLOWC_"
CARD_TYPES = ("default", "blank")  # the card types flowc.runtime.cards renders (the compiler checks @card(type=...))


def reserved_variables(variables) -> list[str]:
    """The names in an @environment(vars=...) that are flowc's own."""
    return sorted(str(n) for n in variables if str(n).upper().startswith(RESERVED_ENV_PREFIX))

_STEP_DEFAULTS: dict[str, dict[str, object] | None] = {
    "retry": {"times": 3, "minutes_between_retries": 2},
    "catch": {"var": None, "print_exception": True},
    "timeout": {"seconds": 0, "minutes": 0, "hours": 0},
    "resources": {"cpu": None, "memory": None, "disk": None, "gpu": None, "shared_memory": None},
    "environment": {"vars": {}},
    "secrets": {"sources": [], "role": None, "allow_override": False},
    "kubernetes": None,  # many options; any keyword is recorded
    "batch": None,
    "pypi": {"packages": {}, "python": None, "disabled": None},  # checked by the task (runtime/requirements.py)
    "conda": {"packages": {}, "libraries": {}, "python": None, "disabled": None},
}
_FLOW_DEFAULTS: dict[str, dict[str, object]] = {
    "schedule": {"cron": None, "hourly": False, "daily": False, "weekly": False, "timezone": None},
    "project": {"name": None, "branch": None, "production": False},
    "pypi_base": {"packages": {}, "python": None, "disabled": None},
    "conda_base": {"packages": {}, "libraries": {}, "python": None, "disabled": None},
}


def step(func: Callable) -> Callable:
    """Mark a method of a FlowSpec as a step."""
    if not callable(func):
        raise TypeError("@step decorates a method: def start(self): ...")
    func.is_step = True
    return func


def positional_arity(func: Callable) -> int | None:
    """How many positional arguments `func` takes (through functools.wraps wrappers); None when it
    takes *args or cannot be told. Cheaper than inspect.signature, which the task start-up avoids."""
    seen = 0
    while hasattr(func, "__wrapped__") and seen < 100:
        func, seen = func.__wrapped__, seen + 1
    code = getattr(func, "__code__", None)
    if code is None:
        return None
    if code.co_flags & 0x04:  # CO_VARARGS
        return None
    arity = code.co_argcount
    if getattr(func, "__self__", None) is not None:
        arity -= 1
    return arity


def step_decorators(func: Callable) -> dict[str, dict[str, object]]:
    """The decorators recorded on a step function: name -> arguments (with defaults); arguments taken
    from a config (`@retry(times=config.retries)`) have the task's config values."""
    return _resolved(getattr(func, ATTRIBUTE, {}))


def flow_decorators(cls: type) -> dict[str, dict[str, object]]:
    """The flow's decorators, with those of the flows it extends (a subclass's own win)."""
    recorded: dict = {}
    for klass in reversed(cls.__mro__):
        recorded.update(klass.__dict__.get(ATTRIBUTE, {}))
    return _resolved(recorded)


def _resolved(recorded: dict) -> dict:
    from .configs import resolve

    return resolve(dict(recorded))


def _make(name: str, defaults: dict[str, object] | None, target: str):
    def record(obj, kwargs):
        if defaults is not None:
            unknown = sorted(set(kwargs) - set(defaults))
            if unknown:
                raise TypeError(f"@{name} got unknown argument(s) {', '.join(unknown)}; "
                                f"it takes {', '.join(defaults) or 'none'}")
        values = {**(defaults or {}), **kwargs}
        if target == "flow":
            if not isinstance(obj, type):
                raise TypeError(f"@{name} decorates a flow class")
            existing = dict(obj.__dict__.get(ATTRIBUTE, {}))
            existing[name] = values
            setattr(obj, ATTRIBUTE, existing)
        else:
            if not callable(obj):
                raise TypeError(f"@{name} decorates a step method")
            obj.__dict__.setdefault(ATTRIBUTE, {})[name] = values
        return obj

    def decorator(obj=None, *args, **kwargs):
        if obj is not None and (callable(obj) and not isinstance(obj, str)) and not args and not kwargs:
            return record(obj, {})  # used bare: @retry
        if obj is not None or args:
            if name == "project" and isinstance(obj, str) and not args:
                kwargs = {"name": obj, **kwargs}  # @project("name")
            else:
                raise TypeError(f"@{name} takes keyword arguments only")
        return lambda target_obj: record(target_obj, kwargs)

    decorator.__name__ = name
    decorator.__qualname__ = name
    decorator.__doc__ = f"Metaflow's @{name}: recorded on the {target}; see flowc.runtime.decorators."
    return decorator


retry = _make("retry", _STEP_DEFAULTS["retry"], "step")
catch = _make("catch", _STEP_DEFAULTS["catch"], "step")
timeout = _make("timeout", _STEP_DEFAULTS["timeout"], "step")
resources = _make("resources", _STEP_DEFAULTS["resources"], "step")
environment = _make("environment", _STEP_DEFAULTS["environment"], "step")
secrets = _make("secrets", _STEP_DEFAULTS["secrets"], "step")
kubernetes = _make("kubernetes", _STEP_DEFAULTS["kubernetes"], "step")
batch = _make("batch", _STEP_DEFAULTS["batch"], "step")
schedule = _make("schedule", _FLOW_DEFAULTS["schedule"], "flow")
project = _make("project", _FLOW_DEFAULTS["project"], "flow")
pypi = _make("pypi", _STEP_DEFAULTS["pypi"], "step")
conda = _make("conda", _STEP_DEFAULTS["conda"], "step")
pypi_base = _make("pypi_base", _FLOW_DEFAULTS["pypi_base"], "flow")
conda_base = _make("conda_base", _FLOW_DEFAULTS["conda_base"], "flow")

CARD_DEFAULTS = {"type": "default", "id": None, "options": {}, "timeout": 45, "scope": "task", "rank": None,
                 "save_errors": True, "customize": False, "refresh_interval": 5}


def card(obj=None, **kwargs):
    """Metaflow's @card: a step may carry several (told apart by id=), so each is appended to a list,
    in source order (top first). The task renders them after the step (flowc.runtime.cards)."""
    unknown = sorted(set(kwargs) - set(CARD_DEFAULTS))
    if unknown:
        raise TypeError(f"@card got unknown argument(s) {', '.join(unknown)}; it takes {', '.join(CARD_DEFAULTS)}")

    def record(func):
        if not callable(func):
            raise TypeError("@card decorates a step method")
        cards = func.__dict__.setdefault(ATTRIBUTE, {}).setdefault("card", [])
        cards.insert(0, {**CARD_DEFAULTS, **kwargs})  # decorators apply bottom-up
        return func

    if obj is not None:
        if not callable(obj) or isinstance(obj, str):
            raise TypeError("@card takes keyword arguments only")
        return record(obj)
    return record


def timeout_seconds(decorators: dict[str, dict[str, object]]) -> int:
    values = decorators.get("timeout")
    if not values:
        return 0
    return int(values["seconds"]) + 60 * int(values["minutes"]) + 3600 * int(values["hours"])


def retry_times(decorators: dict[str, dict[str, object]]) -> int:
    values = decorators.get("retry")
    return int(values["times"]) if values else 0
