"""@catch records what @timeout raised: the task's own clock stops the sleeping step before any scheduler's
limit does, and the run goes on: the same under `flowc run`, an Airflow DAG or an Argo WorkflowTemplate.
(A test deploys this file inside an Airflow DAGs folder: it mentions "airflow" and "dag", as a DAG would.)"""
import time

from metaflow import FlowSpec, catch, step, timeout


class TimeoutCaughtFlow(FlowSpec):
    @catch(var="timed_out")
    @timeout(seconds=2)
    @step
    def start(self):
        time.sleep(30)
        self.next(self.end)

    @step
    def end(self):
        self.caught_type = self.timed_out.type


if __name__ == "__main__":
    TimeoutCaughtFlow()
