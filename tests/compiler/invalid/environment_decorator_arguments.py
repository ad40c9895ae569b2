# expect: FLC302@7:12, FLC303@10:20, FLC303@15:22, FLC303@16:18, FLC305@21:6, FLC303@22:20
import platform

from metaflow import FlowSpec, conda, conda_base, pypi, pypi_base, step


@pypi_base(packges={"pandas": "2.2.2"})
@conda_base(python=platform.python_version())
class EnvironmentArgumentsFlow(FlowSpec):
    @pypi(packages=["pandas==2.2.2"])
    @step
    def start(self):
        self.next(self.middle)

    @conda(libraries={"numpy": 1.26})
    @pypi(python=3.11)
    @step
    def middle(self):
        self.next(self.end)

    @pypi_base(packages={})
    @pypi(packages={"bad name; rm -rf /": "1"})
    @step
    def end(self):
        pass
