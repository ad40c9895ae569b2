"""Kubernetes pod resources from a task's @resources/@kubernetes/@batch, and Kubernetes' rules for names,
label/annotation keys and values and environment variable names, shared by every backend that runs pods.

The rules are the API server's (k8s.io/apimachinery/pkg/util/validation): what it would refuse when the pod
is created, mid-run, is better a compile error naming the step.
"""

from __future__ import annotations

import re
from typing import Iterable, Optional

from flowc.compiler.plan import TaskSpec

_DNS_LABEL = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"
DNS_SUBDOMAIN = re.compile(rf"^{_DNS_LABEL}(\.{_DNS_LABEL})*$")  # Secret, ConfigMap names; key prefixes
_NAME_PART = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")  # label key names and label values
ANNOTATIONS_BYTES = 256 * 1024  # all of an object's annotation keys and values together


def subdomain_problem(name: str) -> Optional[str]:
    """Why `name` is not a DNS-1123 subdomain (a Secret's name, a key prefix), or None."""
    if len(name) > 253:
        return "is longer than 253 characters"
    if not DNS_SUBDOMAIN.match(name):
        return "must be lowercase letters, digits, '-' and '.', starting and ending with a letter or digit"
    return None


def key_problem(key: str) -> Optional[str]:
    """Why `key` is not a label or annotation key (`[prefix/]name`), or None."""
    prefix, _, name = key.rpartition("/")
    if "/" in key and (not prefix or subdomain_problem(prefix)):
        return f"has an invalid prefix {prefix!r} (a DNS subdomain such as example.com)"
    if len(name) > 63:
        return "has a name part longer than 63 characters"
    if not _NAME_PART.match(name):
        return "must be letters, digits, '-', '_' and '.', starting and ending with a letter or digit"
    return None


def label_value_problem(value: str) -> Optional[str]:
    if len(value) > 63:
        return "is longer than 63 characters"
    if value and not _NAME_PART.match(value):
        return "must be empty or letters, digits, '-', '_' and '.', starting and ending with a letter or digit"
    return None


def annotations_bytes(annotations: dict[str, str]) -> int:
    return sum(len(k.encode()) + len(v.encode()) for k, v in annotations.items())


def label_problems(what: str, labels: Iterable[tuple[str, str]]) -> list[str]:
    """Every invalid key or value of a label map (labels, a node selector), as messages."""
    found = [f"{what} key {k!r} {p}" for k, _ in labels if (p := key_problem(k))]
    return found + [f"{what} value {v!r} (of {k!r}) {p}" for k, v in labels if (p := label_value_problem(v))]


REFUSED_HELP = "Kubernetes refuses the pod when the step starts; fix the value"
SECRET_HELP = ("@secrets(sources=...) and @kubernetes(secrets=...) name Kubernetes Secrets whose keys become "
               "environment variables; copy a secret manager's secret into a Kubernetes Secret (e.g. with External "
               "Secrets) and name that")


def pod_problems(task: TaskSpec) -> list[tuple[str, str]]:
    """What the API server would refuse in the task's pod, as (message, help): label, annotation and
    node-selector keys and values, Secret names."""
    pod = task.kubernetes
    found = [(f"@secrets source {s!r} is not a Kubernetes Secret name: it {p}", SECRET_HELP)
             for s in pod_secrets(task) if (p := subdomain_problem(s))]
    messages = []  # environment variable names: the @environment schema refuses bad ones for every target
    if pod:
        messages += label_problems("@kubernetes(labels=...)", pod.labels)
        messages += label_problems("@kubernetes(node_selector=...)", pod.node_selector)
        messages += [f"@kubernetes(annotations=...) key {k!r} {p}" for k, _ in pod.annotations if (p := key_problem(k))]
        size = annotations_bytes(dict(pod.annotations))
        if size > ANNOTATIONS_BYTES:
            messages.append(f"@kubernetes(annotations=...) hold {size:,} bytes; Kubernetes allows {ANNOTATIONS_BYTES:,}")
    return found + [(message, REFUSED_HELP) for message in messages]


def quantity(value: float) -> str:
    """A Kubernetes quantity string: `2`, `0.5` (Argo and the Kubernetes client want strings)."""
    return str(int(value)) if float(value).is_integer() else str(value)


def pod_secrets(task: TaskSpec) -> list[str]:
    """Kubernetes Secret names whose keys become the pod's environment: @secrets and @kubernetes(secrets=)."""
    return [*task.secrets, *(task.kubernetes.secrets if task.kubernetes else ())]


def pod_resources(task: TaskSpec, defaults: Optional[dict] = None) -> tuple[dict, dict]:
    """(requests, limits). Memory and disk are in MB (`M`), as Metaflow requests them; GPUs are a vendor
    resource limit (`nvidia.com/gpu` unless @kubernetes(gpu_vendor=...) says otherwise). `defaults`
    ({"cpu", "memory_mb", "disk_mb"}; 0 or None: none) fill what the step's decorators leave unset."""
    r = task.resources
    defaults = defaults or {}
    cpu, memory, disk = (getattr(r, k) if getattr(r, k) is not None else (defaults.get(k) or None)
                         for k in ("cpu", "memory_mb", "disk_mb"))
    requests: dict[str, str] = {}
    if cpu is not None:
        requests["cpu"] = quantity(cpu)
    if memory is not None:
        requests["memory"] = f"{quantity(memory)}M"
    if disk is not None:
        requests["ephemeral-storage"] = f"{quantity(disk)}M"
    vendor = task.kubernetes.gpu_vendor if task.kubernetes else "nvidia"
    limits = {f"{vendor}.com/gpu": str(r.gpu)} if r.gpu else {}
    return requests, limits
