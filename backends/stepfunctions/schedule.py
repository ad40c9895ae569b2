"""@schedule as an EventBridge Scheduler schedule (EventBridge rules have no timezone; Scheduler does).

The document is a `CreateSchedule` request whose target names the state machine; `flowc deploy` puts the
state machine's ARN in its place.
"""

from __future__ import annotations

import json
import re

from flowc.compiler.emit import EmitOptions, Problems
from flowc.compiler.plan import Plan


def schedule_document(plan: Plan, options: EmitOptions, machine: str, banner: str, problems: Problems) -> str:
    expression = eventbridge_cron(plan.schedule.cron)
    if expression is None:
        problems.add(None, f"@schedule: EventBridge cannot express {plan.schedule.cron!r} (it needs '?' in either "
                           "the day-of-month or the day-of-week field)",
                     help="give either a day of the month or a day of the week, not both")
        return ""
    target: dict = {"StateMachineName": machine, "Input": "{}"}
    if options.get("schedule_role_arn"):
        target["RoleArn"] = options.get("schedule_role_arn")
    document = {"Comment": banner, "Name": machine, "ScheduleExpression": expression,
                "ScheduleExpressionTimezone": plan.schedule.timezone, "FlexibleTimeWindow": {"Mode": "OFF"},
                "State": "ENABLED", "Target": target}
    return json.dumps(document, indent=1, ensure_ascii=False) + "\n"


def eventbridge_cron(cron: str) -> str | None:
    """Five-field cron -> `cron(min hour dom month dow year)`: one of the day fields becomes '?', and days of
    the week count from 1 (Sunday) instead of 0. None when both day fields are restricted."""
    minute, hour, dom, month, dow = cron.split()
    if dow == "*":
        dow = "?"
    elif dom == "*":
        dom = "?"
    else:
        return None
    dow = re.sub(r"(?<![/0-9])([0-7])(?![0-9])", lambda m: str(int(m.group(1)) % 7 + 1), dow)
    return f"cron({minute} {hour} {dom} {month} {dow} *)"
