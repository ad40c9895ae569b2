"""The Step Functions target's declaration: its options (read by `flowc compile --help` without importing the backend)."""

from flowc.compiler.targets import Option, Target

TARGET = Target("stepfunctions", "an AWS Step Functions state machine (ASL JSON) + AWS Batch job definitions",
                "flowc.backends.stepfunctions", (
    Option("name", "the state machine name (default: the flow's class name)"),
    Option("job_queue", "the AWS Batch job queue steps run in (@batch(queue=...) overrides it per step)"),
    Option("role_arn", "the IAM role the state machine runs as (flowc deploy)"),
    Option("job_role_arn", "the IAM role the steps' containers run as (@batch(iam_role=...) overrides it)"),
    Option("execution_role_arn", "the ECS execution role of the jobs (pulls the image, reads @secrets)"),
    Option("schedule_role_arn", "the IAM role EventBridge Scheduler starts executions with (@schedule)"),
    Option("max_concurrency", "at most this many children of a foreach at once", type=int),
    Option("map_mode", "foreach as a Distributed Map reading the split's list from S3 (any width), or an inline "
                       "Map (lists up to ~40 KB; each item costs ~8 of the 25,000 events of an execution)",
           ("distributed", "inline"), default="distributed"),
), deploys=True)
