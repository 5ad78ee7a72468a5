"""What both sides of the pipeline benchmark do alike: the frames a source sends, the pace it
sends them at, and the sink's tally. The SDK's nodes (pipeline_nodes.py) and the plain
processes (pipe_baseline.py) import this one module, so the work around the transport is the
same code on both sides and only the transport differs. No commbus import here.
"""

import random
import time

# The frames a source cycles through: a few distinct ones (so no layer can get away with
# sending one object over and over), at most this many bytes of them in all.
_RING_BYTES = 8 * 1024 * 1024
_RING_MOST = 64


def ring(size):
    """Pre-built frames of ``size`` bytes, each different, built before the first is sent."""
    count = max(1, min(_RING_MOST, _RING_BYTES // max(1, size)))
    return [random.Random(i).randbytes(size) for i in range(count)]


class Pace:
    """When frame ``i`` is due: ``rate`` frames a second from the first, or at once (rate 0)."""

    def __init__(self, rate):
        self.interval = 1.0 / rate if rate else 0.0
        self.start = None

    def delay(self, i):
        """Seconds to wait before sending frame ``i``; 0 when it is due or the pace is none."""
        if not self.interval:
            return 0.0
        now = time.monotonic()
        if self.start is None:
            self.start = now
        return max(0.0, self.start + i * self.interval - now)


class Tally:
    """What a sink reports: how many frames came, the time from the first to the last, the
    sink's own processor time over that span, and, if asked, each frame's latency (now minus
    the ``ts`` its source stamped it with, time.time(), which every process on the host shares)."""

    def __init__(self, latencies=False):
        self.frames = 0
        self.first = None
        self.last = None
        self.cpu_first = None
        self.cpu_last = None
        self.latencies = [] if latencies else None

    def arrived(self, ts):
        now = time.perf_counter()
        if self.latencies is not None and ts is not None:
            self.latencies.append(round((time.time() - ts) * 1e6))
        if self.first is None:
            self.first = now
            self.cpu_first = time.process_time()
        self.last = now
        self.frames += 1

    def report(self):
        report = {"frames": self.frames, "seconds": 0.0, "cpuSeconds": 0.0}
        if self.frames:
            report["seconds"] = self.last - self.first
            report["cpuSeconds"] = time.process_time() - self.cpu_first
        if self.latencies is not None:
            report["latenciesMicros"] = self.latencies
        return report
