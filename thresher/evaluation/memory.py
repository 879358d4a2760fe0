"""Peak memory of this process, as benchmarks report it."""

from __future__ import annotations

import resource


def peak_mb() -> float:
    """This process's peak resident memory in MB.

    Linux's ``ru_maxrss`` survives ``exec``: a benchmark's child process would report
    its parent's peak when that was larger. ``VmHWM`` belongs to the process's own
    memory map, so it is read first.
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
