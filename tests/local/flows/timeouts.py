"""@timeout: `slow` sleeps far past its one-second limit. With block_alarm=True the step blocks SIGALRM,
so the runtime's own timer cannot stop it and `flowc run` must kill it after the grace period."""
import signal
import time

from flowc.runtime import FlowSpec, Parameter, step, timeout


class TimeoutFlow(FlowSpec):
    block_alarm = Parameter("block_alarm", type=bool, default=False)

    @step
    def start(self):
        self.next(self.slow)

    @timeout(seconds=1)
    @step
    def slow(self):
        if self.block_alarm:
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
        time.sleep(60)
        self.next(self.end)

    @step
    def end(self):
        pass
