"""The worker's heartbeat: `run_worker` writes the time to WORKER_HEARTBEAT_FILE as each round
begins, and `manage.py worker_health` (docker-compose.yml's health check of the worker) reads it.
A worker that stopped, or hangs in a round (a database that never answers), stops beating."""

import logging
import os
import tempfile
import time
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)
failing = False  # the last beat could not be written (logged once until one is)


def path():
    return Path(settings.WORKER_HEARTBEAT_FILE)


def beat():
    """Record that the worker is alive now (written whole, then renamed: never half a file).
    A file that cannot be written is logged once, never a reason to stop working: the health
    check then reports the worker unhealthy, which is the truth an operator needs."""
    global failing
    target = path()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
        with os.fdopen(fd, "w") as file:
            file.write(f"{time.time():.3f}\n")
        os.replace(temporary, target)
    except OSError as error:
        if not failing:
            logger.error("Worker heartbeat not written to %s: %s", target, error)
        failing = True
    else:
        failing = False


def age():
    """Seconds since the last beat, or None if there has been none."""
    try:
        beaten = float(path().read_text())
    except (OSError, ValueError):
        return None
    return max(0.0, time.time() - beaten)
