"""@schedule's cron expression, checked the same way for every target: five fields, each in range.

Metaflow documents AWS-style six-field expressions (`0 10 * * ? *`: the sixth field is the year) and
trims them to five for Argo; flowc does the same, and writes `?` ("no specific value") as `*`, which
means the same in a five-field cron. What is accepted is what every scheduler flowc targets parses
(Argo's robfig/cron, Airflow's croniter, EventBridge after conversion): numbers, ranges, steps, lists,
`*`, and month/weekday names. Weekdays are 0-6 (Sunday is 0).
"""

from __future__ import annotations

import re
import zoneinfo
from functools import lru_cache
from typing import Optional

MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]
FIELDS = (  # name, lowest, highest, names (numbered from `lowest`)
    ("minute", 0, 59, []), ("hour", 0, 23, []), ("day of month", 1, 31, []), ("month", 1, 12, MONTHS),
    ("day of week", 0, 6, DAYS),
)
ITEM = re.compile(r"^(\*|(?P<low>[0-9A-Za-z]+)(-(?P<high>[0-9A-Za-z]+))?)(/(?P<step>[0-9]+))?$")


SHORTHAND_SCHEDULES = {"hourly": "0 * * * *", "daily": "0 0 * * *", "weekly": "0 0 * * 0"}


def resolve_cron(values: dict) -> Optional[str]:
    """Metaflow's reading of @schedule's arguments: cron (as five fields), else the shorthand set; None when
    none is set (`@schedule(daily=False)` means no schedule)."""
    if values.get("cron"):
        return five_fields(values["cron"])
    return next((c for k, c in SHORTHAND_SCHEDULES.items() if values.get(k)), None)


def five_fields(cron: str) -> str:
    """The expression as five fields: an AWS-style year field dropped, `?` written as `*`."""
    fields = cron.split()
    if len(fields) == 6:
        fields = fields[:5]
    return " ".join("*" if f == "?" else f for f in fields)


def cron_problem(cron: str) -> Optional[str]:
    """Why no scheduler would accept `cron` (after five_fields), or None."""
    fields = cron.split()
    if len(fields) not in (5, 6):
        return (f"must have five fields (minute hour day-of-month month day-of-week), or six in the AWS form "
                f"ending with a year; {cron!r} has {len(fields)}")
    if len(fields) == 6 and fields[5] not in ("*", "?"):
        return f"names the year {fields[5]!r}; a five-field cron cannot, so write `*` there (every year)"
    for text, (name, low, high, names) in zip(five_fields(cron).split(), FIELDS):
        for item in text.split(","):
            problem = _item_problem(item, low, high, names)
            if problem:
                return f"has an invalid {name} field {text!r}: {problem}"
    return None


def _item_problem(item: str, low: int, high: int, names: list[str]) -> Optional[str]:
    match = ITEM.match(item)
    if not match:
        return f"{item!r} is not a number, a range a-b, `*` or a step like */5"
    if match.group("step") is not None and int(match.group("step")) == 0:
        return "a step must be at least 1"
    bounds = [_number(match.group(g), low, names) for g in ("low", "high") if match.group(g) is not None]
    for value, text in zip(bounds, [match.group("low"), match.group("high")]):
        if value is None or not low <= value <= high:
            allowed = f"{low}-{high}" + (f" or {names[0]}-{names[-1]}" if names else "")
            return f"{text!r} is outside {allowed}"
    if len(bounds) == 2 and bounds[0] > bounds[1]:
        return f"the range {item!r} runs backwards"
    return None


def _number(text: str, low: int, names: list[str]) -> Optional[int]:
    if text.isdigit():
        return int(text)
    if text.upper() in names:
        return names.index(text.upper()) + low
    return None


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def timezone_problem(name: str) -> Optional[str]:
    """Why `name` is not an IANA time zone (the names are case-sensitive: `UTC`, `Europe/Paris`), or None."""
    if name in _zones():
        return None
    near = sorted(z for z in _zones() if z.lower() == name.lower())
    return f"must be an IANA time zone name; {name!r} is not" + (f" (did you mean {near[0]!r}?)" if near else "")
