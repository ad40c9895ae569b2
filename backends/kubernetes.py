"""Kubernetes pod resources from a task's @resources/@kubernetes/@batch, shared by every backend that runs pods."""

from __future__ import annotations

from flowc.compiler.plan import TaskSpec


def quantity(value: float) -> str:
    """A Kubernetes quantity string: `2`, `0.5` (Argo and the Kubernetes client want strings)."""
    return str(int(value)) if float(value).is_integer() else str(value)


def pod_secrets(task: TaskSpec) -> list[str]:
    """Kubernetes Secret names whose keys become the pod's environment: @secrets and @kubernetes(secrets=)."""
    return [*task.secrets, *(task.kubernetes.secrets if task.kubernetes else ())]


def pod_resources(task: TaskSpec) -> tuple[dict, dict]:
    """(requests, limits). Memory and disk are in MB (`M`), as Metaflow requests them; GPUs are a vendor
    resource limit (`nvidia.com/gpu` unless @kubernetes(gpu_vendor=...) says otherwise)."""
    r = task.resources
    requests: dict[str, str] = {}
    if r.cpu is not None:
        requests["cpu"] = quantity(r.cpu)
    if r.memory_mb is not None:
        requests["memory"] = f"{quantity(r.memory_mb)}M"
    if r.disk_mb is not None:
        requests["ephemeral-storage"] = f"{quantity(r.disk_mb)}M"
    vendor = task.kubernetes.gpu_vendor if task.kubernetes else "nvidia"
    limits = {f"{vendor}.com/gpu": str(r.gpu)} if r.gpu else {}
    return requests, limits
