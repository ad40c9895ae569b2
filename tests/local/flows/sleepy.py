"""A step that records its pid (and a child process's pid), then waits until a release file exists:
the Ctrl-C tests interrupt it, then resume it with the file in place."""
import os
import subprocess
import sys
import time

from flowc.runtime import FlowSpec, Parameter, step


class SleepyFlow(FlowSpec):
    workdir = Parameter("workdir", help="folder for the pid and release files")

    @step
    def start(self):
        self.before = "started"
        self.next(self.nap)

    @step
    def nap(self):
        release = os.path.join(self.workdir, "release")
        if not os.path.exists(release):
            child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
            with open(os.path.join(self.workdir, "pids.tmp"), "w") as handle:
                handle.write(f"{os.getpid()} {child.pid}\n")
            os.replace(os.path.join(self.workdir, "pids.tmp"), os.path.join(self.workdir, "pids"))
            while not os.path.exists(release):
                time.sleep(0.05)
        self.napped = True
        self.next(self.end)

    @step
    def end(self):
        self.after = self.before + " and napped"
