"""The Kubeflow Pipelines target's declaration: its options (read by `flowc compile --help` without importing
the backend)."""

from flowc.compiler.targets import Option, Target

TARGET = Target("kubeflow", "a Kubeflow Pipelines PipelineSpec YAML (+ its Kubernetes platform spec)",
                "flowc.backends.kubeflow", (
    Option("name", "the pipeline name (default: the flow's class name in kebab-case)"),
    Option("caching", "KFP's result caching per task (default off: steps have side effects)",
           choices=("off", "on")),
    Option("image_pull_secret", "a secret for pulling the image (repeatable)", repeat=True),
))
