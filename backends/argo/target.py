"""The Argo target's declaration: its options (read by `flowc compile --help` without importing the backend).
Defaults are applied by the backend (so they stay out of the regenerate command in the file's header)."""

from flowc.compiler.targets import Option, Target

TARGET = Target("argo", "an Argo Workflows WorkflowTemplate (+ CronWorkflow) YAML", "flowc.backends.argo", (
    Option("name", "the WorkflowTemplate name (default: the flow's class name in kebab-case)"),
    Option("namespace", "the namespace of the WorkflowTemplate (and of its pods)"),
    Option("service_account", "the service account workflow pods run as"),
    Option("parallelism", "at most this many pods at once (default 100, as Metaflow; 0: no limit)", type=int),
    Option("image_pull_secret", "a secret for pulling the image (repeatable)", repeat=True),
    Option("default_cpu", "CPUs requested by steps without @resources(cpu=) (default 1; 0: none)", type=float),
    Option("default_memory", "memory in MB requested by steps without @resources(memory=) (default 4096; 0: none)",
           type=float),
    Option("default_disk", "ephemeral disk in MB requested by steps without @resources(disk=) (default 10240; "
                           "0: none)", type=float),
    Option("pod_gc", "when Argo deletes finished pods (podGC strategy; default: the cluster's)",
           choices=("OnPodCompletion", "OnPodSuccess", "OnWorkflowCompletion", "OnWorkflowSuccess")),
    Option("ttl_after_completion", "delete a finished workflow after this many seconds (ttlStrategy)", type=int),
    Option("security_context", "pod and container security settings: `restricted` meets Kubernetes' restricted "
                               "Pod Security Standard (non-root, no privilege escalation, no capabilities, "
                               "RuntimeDefault seccomp)", choices=("restricted",)),
    Option("run_as_user", "the user id pods run as (securityContext.runAsUser)", type=int),
    Option("env_secret", "a Kubernetes Secret whose keys every step gets as environment variables, e.g. "
                         "datastore credentials (repeatable)", repeat=True),
    Option("exit_image", "an image run when the workflow ends, however it ends (Argo's onExit), with "
                         "FLOWC_RUN_ID and FLOWC_WORKFLOW_STATUS set"),
    Option("exit_command", "the exit handler's command, split like a shell would (needs --exit-image); Argo "
                           "fills in its {{workflow.*}} variables (e.g. {{workflow.status}}), and the handler's "
                           "environment has FLOWC_RUN_ID and FLOWC_WORKFLOW_STATUS"),
    Option("successful_jobs_history_limit", "finished scheduled runs the CronWorkflow keeps (default 10000, as "
                                            "Metaflow)", type=int),
    Option("failed_jobs_history_limit", "failed scheduled runs the CronWorkflow keeps (default 10000)", type=int),
    Option("starting_deadline_seconds", "how late a missed scheduled run may still start (default 3540)",
           type=int),
))
