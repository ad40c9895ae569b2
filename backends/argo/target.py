"""The Argo target's declaration: its options (read by `flowc compile --help` without importing the backend)."""

from flowc.compiler.targets import Option, Target

TARGET = Target("argo", "an Argo Workflows WorkflowTemplate (+ CronWorkflow) YAML", "flowc.backends.argo", (
    Option("name", "the WorkflowTemplate name (default: the flow's class name in kebab-case)"),
    Option("namespace", "the namespace of the WorkflowTemplate (and of its pods)"),
    Option("service_account", "the service account workflow pods run as"),
    Option("parallelism", "at most this many pods at once", type=int),
    Option("image_pull_secret", "a secret for pulling the image (repeatable)", repeat=True),
))
