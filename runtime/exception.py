"""Metaflow's exception names (`metaflow.exception` under flowc's shim): real classes flows raise and catch.

All derive from MetaflowException, which is also the base of flowc's own errors (flowc.runtime.errors), and
flowc's errors that mean the same as one of Metaflow's are that class: a merge_artifacts conflict is an
UnhandledInMergeArtifactsException, what @catch stores is a MetaflowExceptionWrapper.
"""

from __future__ import annotations

from .errors import (CaughtException, MetaflowException, MissingInMergeArtifactsException,  # noqa: F401 (exported)
                     UnhandledInMergeArtifactsException)

MetaflowExceptionWrapper = CaughtException  # what @catch(var=...) stores: .type, .exception, .stacktrace


class MetaflowNotFound(MetaflowException):
    headline = "Object not found"


class MetaflowNamespaceMismatch(MetaflowException):
    headline = "Object not in the current namespace"

    def __init__(self, namespace: object = None):
        super().__init__(f"Object not in namespace '{namespace}'")


class MetaflowInvalidPathspec(MetaflowException):
    headline = "Invalid pathspec"


class MetaflowInternalError(MetaflowException):
    headline = "Internal error"


class MetaflowTaggingError(MetaflowException):
    headline = "Tagging error"


class MetaflowUnknownUser(MetaflowException):
    headline = "Unknown user"

    def __init__(self, msg: str = "could not determine your user name from the environment ($METAFLOW_USER, "
                                  "$USERNAME, $USER)"):
        super().__init__(msg)


class MetaflowDataMissing(MetaflowException):
    headline = "Data missing"


class ExternalCommandFailed(MetaflowException):
    headline = "External command failed"


class CommandException(MetaflowException):
    headline = "Invalid command"


class ParameterFieldFailed(MetaflowException):
    headline = "Parameter field failed"

    def __init__(self, name: str, field: str):
        super().__init__(f"evaluating the field {field!r} of the Parameter {name!r} failed")


class ParameterFieldTypeMismatch(MetaflowException):
    headline = "Parameter field with a mismatching type"


class InvalidDecoratorAttribute(MetaflowException):
    headline = "Unknown decorator attribute"

    def __init__(self, deconame: str, attr: str, defaults: object = ()):
        super().__init__(f"Decorator {deconame!r} does not support the attribute {attr!r}. These attributes are "
                         f"supported: {', '.join(defaults)}.")


__all__ = [
    "MetaflowException", "MetaflowExceptionWrapper", "UnhandledInMergeArtifactsException",
    "MissingInMergeArtifactsException", "MetaflowNotFound", "MetaflowNamespaceMismatch", "MetaflowInvalidPathspec",
    "MetaflowInternalError", "MetaflowTaggingError", "MetaflowUnknownUser", "MetaflowDataMissing",
    "ExternalCommandFailed", "CommandException", "ParameterFieldFailed", "ParameterFieldTypeMismatch",
    "InvalidDecoratorAttribute",
]
