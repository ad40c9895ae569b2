"""Errors that end a task with a contract exit code (DESIGN section 4).

The task command turns these into one clear line on stderr and the matching exit code; only user code
failures print a traceback (it is the user's traceback, trimmed of runtime frames).
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_USER = 1  # the user's code failed (or the datastore failed while it ran)
EXIT_CONTRACT = 2  # bad arguments, source mismatch, missing inputs, a flow the runtime cannot run
EXIT_SKIPPED = 3  # not chosen by its switch


class MetaflowException(Exception):
    """Metaflow's base exception (`from metaflow.exception import MetaflowException`), and the base of
    flowc's own errors, so `except MetaflowException` in a flow catches what it catches under Metaflow.
    Same constructor and text: `MetaflowException(msg, lineno=None, source_file=None)`."""

    headline = "Flow failed"

    def __init__(self, msg: str = "", lineno: int | None = None, source_file: str | None = None):
        super().__init__(msg)
        self.message = msg
        self.line_no = lineno
        self.source_file = source_file

    def __str__(self) -> str:
        where = f"line {self.line_no}" if self.line_no else (self.source_file or "")
        return f"{where}: {self.message}" if where else str(self.message)


class FlowcError(MetaflowException):
    """Base of runtime errors; `exit_code` is what the task command exits with."""

    exit_code = EXIT_USER


class ContractError(FlowcError):
    """The task was called wrongly: arguments, source pinning, missing inputs (exit 2)."""

    exit_code = EXIT_CONTRACT


class SkippedTask(FlowcError):
    """The task's switch chose another branch (exit 3); nothing is committed."""

    exit_code = EXIT_SKIPPED

    def __init__(self, switch: str, chosen: str):
        super().__init__(f"skipped: switch {switch} chose {chosen}")
        self.switch = switch
        self.chosen = chosen


class DatastoreError(FlowcError):
    """Reading or writing the datastore failed (permissions, network, full disk). Exit 1: the attempt
    failed and may be retried; nothing of it is committed."""

    exit_code = EXIT_USER


class FlowError(FlowcError):
    """Misuse of the flow API detected at run time (bad self.next, merge_artifacts conflicts, an empty
    foreach, ...). Raised inside user code, so it is a user failure (exit 1) and @catch can catch it."""

    exit_code = EXIT_USER


class UnhandledInMergeArtifactsException(FlowError):
    """merge_artifacts found artifacts whose values differ between the inputs. (Metaflow's class name: a flow
    that records or compares `type(error).__name__` sees the same name.)"""

    def __init__(self, message: str, names: list[str]):
        super().__init__(message)
        self.artifact_names = names


class MissingInMergeArtifactsException(FlowError):
    """merge_artifacts(include=...) named artifacts that no input has (Metaflow's class name)."""

    def __init__(self, message: str, names: list[str]):
        super().__init__(message)
        self.artifact_names = names


MergeArtifactsConflict = UnhandledInMergeArtifactsException
MergeArtifactsMissing = MissingInMergeArtifactsException


class StepTimeout(FlowError):
    """@timeout expired while the step ran."""


class Terminated(BaseException):
    """The task received SIGTERM (a scheduler or `flowc run` stopping it). Not an Exception, so @catch
    does not catch it; the attempt is recorded as failed and the task exits 143 (128 + SIGTERM)."""

    exit_code = 143


class CaughtException(Exception):
    """What @catch(var=...) stores in its artifact: the exception's type, message and traceback as text
    (the original exception object may not pickle). Like Metaflow's wrapper: `.type` ("builtins.ValueError"),
    `.exception` (the message) and `.stacktrace`; printing it prints the traceback."""

    def __init__(self, type: str, exception: str, stacktrace: str = ""):
        super().__init__(type, exception, stacktrace)
        self.type = type
        self.exception = exception
        self.stacktrace = stacktrace

    @classmethod
    def wrap(cls, error: BaseException, stacktrace: str) -> "CaughtException":
        kind = type(error)
        return cls(f"{kind.__module__}.{kind.__name__}", str(error), stacktrace)  # Metaflow's spelling

    def __str__(self) -> str:
        """The traceback, as Metaflow's wrapper prints itself."""
        return self.stacktrace or f"[no stacktrace]\n{self.type}: {self.exception}"

    def __repr__(self) -> str:
        return str(self)
