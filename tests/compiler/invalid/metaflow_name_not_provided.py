# expect: FLC040@2:32, FLC040@12:14
from metaflow import FlowSpec, S3, step


class NotProvidedFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        from metaflow.metaflow_config import DATASTORE_SYSROOT_S3
