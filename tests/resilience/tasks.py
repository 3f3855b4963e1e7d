"""A slow task for the crash tests, run by real `run_worker` processes: it writes "start" to a
file, sleeps, then writes "done" (each line with the time and the worker's process id)."""

import os
import time

from django_tasks import task


def note(path, what):
    with open(path, "a") as log:
        log.write(f"{what} {time.time():.3f} {os.getpid()}\n")


@task()
def slow(path, seconds):
    note(path, "start")
    time.sleep(seconds)
    note(path, "done")
    return seconds


def lines(path):
    """[(what, when, process id)] of what `slow` wrote to `path` so far."""
    if not os.path.exists(path):
        return []
    with open(path) as log:
        return [(what, float(when), int(pid)) for what, when, pid in map(str.split, log)]
