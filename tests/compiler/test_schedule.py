"""@schedule is read once, in the compiler, for every target: Metaflow's AWS-style six-field cron becomes
five fields, every field is in range, the time zone is an IANA name, `daily=False` means no schedule, and
a scheduled flow cannot have a parameter that needs a value."""

from __future__ import annotations

import pytest
from flowkit import compile_clean, compile_text

from flowc.compiler.plan import build_plan
from flowc.compiler.targets import BUILTIN

FLOW = """
from metaflow import FlowSpec, Parameter, schedule, step


{decorator}
class ScheduledFlow(FlowSpec):
    size = Parameter("size", {parameter})

    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
"""


def flow(decorator: str, parameter: str = "default=3") -> str:
    return FLOW.format(decorator=decorator, parameter=parameter)


def schedule_of(decorator: str):
    return build_plan(compile_clean(flow(decorator)).graph).schedule


@pytest.mark.parametrize("decorator, cron, timezone", [
    ("@schedule(cron='0 10 * * ? *')", "0 10 * * *", "UTC"),  # Metaflow's AWS form, as Metaflow trims it
    ("@schedule(cron='*/15 1-5 ? * MON-FRI', timezone='Europe/Paris')", "*/15 1-5 * * MON-FRI", "Europe/Paris"),
    ("@schedule(cron='0 0 1,15 jan-jun/2 *')", "0 0 1,15 jan-jun/2 *", "UTC"),
    ("@schedule", "0 0 * * *", "UTC"),  # Metaflow's default: daily
    ("@schedule(hourly=True)", "0 * * * *", "UTC"),
    ("@schedule(weekly=True, daily=False)", "0 0 * * 0", "UTC"),
])
def test_schedules_as_metaflow_reads_them(decorator, cron, timezone):
    schedule = schedule_of(decorator)
    assert (schedule.cron, schedule.timezone) == (cron, timezone)


def test_daily_false_alone_means_no_schedule():
    assert schedule_of("@schedule(daily=False)") is None
    assert compile_clean(flow("@schedule(daily=False)", "required=True")).ok  # nothing schedules it


@pytest.mark.parametrize("cron, why", [
    ("61 0 * * *", "minute field '61': '61' is outside 0-59"),
    ("0 24 * * *", "hour field '24'"),
    ("0 0 0 * *", "day of month field '0'"),
    ("0 0 * 13 *", "month field '13'"),
    ("0 0 * * 7", "day of week field '7'"),
    ("0 0 * * FUNDAY", "'FUNDAY' is outside"),
    ("0 10 * *", "has 4"),
    ("0 10 * * ? 2027", "names the year '2027'"),
    ("@daily", "has 1"),
    ("CRON_TZ=UTC 0 0 * * *", "'CRON_TZ=UTC'"),
    ("*/0 * * * *", "a step must be at least 1"),
    ("5-1 * * * *", "runs backwards"),
    ("0 0 L * *", "'L' is outside"),
])
def test_bad_crons_are_compile_errors(cron, why):
    diagnostics = compile_text(flow(f"@schedule(cron={cron!r})")).diagnostics
    assert [d.code for d in diagnostics] == ["FLC303"]
    assert why in diagnostics[0].message and diagnostics[0].help


@pytest.mark.parametrize("timezone", ["utc", "Europe/paris", "Mars/Olympus", "", "+01:00"])
def test_unknown_time_zones_are_compile_errors(timezone):
    diagnostics = compile_text(flow(f"@schedule(daily=True, timezone={timezone!r})")).diagnostics
    assert [d.code for d in diagnostics] == ["FLC303"]


def test_a_scheduled_flow_with_a_required_parameter_is_a_compile_error():
    diagnostics = compile_text(flow("@schedule(hourly=True)", "required=True")).diagnostics
    assert [d.code for d in diagnostics] == ["FLC207"]
    assert compile_clean(flow("@schedule(hourly=True)", "required=True, default=3")).ok


@pytest.mark.parametrize("target", sorted(BUILTIN))
def test_every_target_refuses_a_bad_schedule(target, tmp_path):
    from support.flows import flowc

    path = tmp_path / "bad.py"
    path.write_text(flow("@schedule(cron='0 10 * * ? 2027')"))
    done = flowc("compile", str(path), "-t", target, "-o", str(tmp_path / "out"), "--datastore", "s3://b/p",
                 "--image", "i:1")
    assert done.returncode == 1 and "error[FLC303]" in done.stderr, done.stderr
