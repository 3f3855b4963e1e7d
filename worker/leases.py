"""Leases on the queued tasks the worker runs: a task whose worker died mid-run (SIGKILL, out
of memory, a lost host) is never left RUNNING for good.

While `run_worker` runs a task it holds the task's lease (worker.models.TaskLease), renewed
from a thread of its own every third of WORKER_TASK_LEASE_SECONDS, and deletes it once the task
has finished, successfully or not (a task that raises is FAILED, as django-tasks-db records it,
and is not retried: it would raise again). Every round, each worker looks for RUNNING tasks
whose lease expired, and for tasks claimed WORKER_TASK_LEASE_SECONDS ago that never got a lease
(a worker killed between claiming a task and taking its lease; looked for once a lease period),
and queues them again, or, once WORKER_TASK_MAX_ATTEMPTS attempts have been cut short, marks
them FAILED (error `worker.leases.WorkerLost`), logs an error and lists them on the admin's
dashboard (worker/wagtail_hooks.py). A task killed mid-run is running again within about
WORKER_TASK_LEASE_SECONDS plus one round.

So a task may run twice: every task that runs through the worker must be safe to run again
after an attempt cut short anywhere. IDEMPOTENT says why each one is; tests/worker/
test_leases.py fails on a task it does not name.
"""

import datetime
import logging
import secrets
import threading
from contextlib import contextmanager

from django.conf import settings
from django.db import Error, connections, transaction
from django.db.models import F
from django.utils import timezone

from worker import taskdb
from worker.models import TaskLease

logger = logging.getLogger(__name__)

ABANDONED_KEPT_DAYS = 30  # abandoned tasks stay on the dashboard this long
TIME = "%Y-%m-%d %H:%M:%S UTC"

IDEMPOTENT = {
    "api.record.changes.refresh_task": (
        "recomputes the items named from the database, one transaction per batch: a batch cut "
        "short left nothing, and a batch already committed finds every stored copy current "
        "(no new change number, no second webhook event). What it queues for later may be "
        "queued twice, and is then refreshed once more for nothing."
    ),
    "wagtail.tasks.update_reference_index_task": (
        "rewrites the object's references from the object as it is (create_or_update)."
    ),
    "wagtail.tasks.delete_file_from_storage_task": (
        "deleting a file already gone does nothing (FileSystemStorage ignores a missing file; "
        "an S3 delete of a missing key succeeds)."
    ),
    "wagtail.images.tasks.set_image_focal_point_task": (
        "computes the image's focal point again and saves the same value."
    ),
    "wagtail.contrib.frontend_cache.tasks.purge_urls_from_cache_task": (
        "purging a URL twice only purges it twice."
    ),
}


class WorkerLost(Exception):
    """The error of a task given up on: its worker stopped during each attempt."""


def lease_seconds():
    return settings.WORKER_TASK_LEASE_SECONDS


class Lease:
    """One attempt's hold on a task: taken when the worker starts the task, renewed by a
    thread (its own database connection) while the task runs, deleted once it has finished."""

    def __init__(self, claimed, seconds=None):
        self.task_id = claimed.id
        self.task_path = claimed.task_path
        self.worker_id = claimed.worker_id
        self.seconds = seconds or lease_seconds()
        self.token = secrets.token_hex(16)
        self.stopped = threading.Event()
        self.lost = False
        self.thread = None

    def until(self):
        return timezone.now() + datetime.timedelta(seconds=self.seconds)

    def take(self):
        fields = {
            "task_path": self.task_path[:255],
            "token": self.token,
            "worker_id": self.worker_id[:64],
            "leased_until": self.until(),
        }
        if not TaskLease.objects.filter(pk=self.task_id).update(
            attempts=F("attempts") + 1, **fields
        ):
            TaskLease.objects.create(task_id=self.task_id, attempts=1, **fields)
        self.thread = threading.Thread(target=self.keep, name=f"lease-{self.task_id}", daemon=True)
        self.thread.start()

    def keep(self):
        try:
            while not self.stopped.wait(self.seconds / 3):
                if not self.renew():
                    return
        finally:
            connections.close_all()  # this thread's own

    def renew(self):
        """Push the lease on; False once it is lost (another worker took the task over after
        the lease expired: this process was stalled for longer than a lease)."""
        try:
            renewed = TaskLease.objects.filter(pk=self.task_id, token=self.token).update(
                leased_until=self.until()
            )
        except Error as error:  # the database away for a moment: the lease outlasts a few
            logger.warning("Task %s: lease not renewed, trying again: %s", self.task_id, error)
            connections.close_all()
            return True
        if not renewed:
            self.lost = True
            logger.error(
                "Task %s (%s) lost its lease: another worker took it over after it expired; "
                "this attempt goes on, and the task may run twice.",
                self.task_id,
                self.task_path,
            )
        return bool(renewed)

    def release(self):
        self.stopped.set()
        if self.thread is not None:
            self.thread.join()
        TaskLease.objects.filter(pk=self.task_id, token=self.token).delete()


@contextmanager
def held(claimed):
    """Hold the lease of the task the worker has just `claimed` (taskdb.Claimed) while it runs."""
    lease = Lease(claimed)
    lease.take()
    try:
        yield lease
    finally:
        lease.release()


def reclaim(now=None, unleased=True):
    """Queue again, or mark failed, the RUNNING tasks whose worker stopped: their lease expired;
    with `unleased`, also those claimed more than a lease ago that never took one. Returns
    (queued again, marked failed)."""
    now = now or timezone.now()
    expired = TaskLease.objects.filter(leased_until__lt=now).exclude(token="")
    candidates = {}  # task id: its lease (a row never saved where it never took one)
    for lease in expired:
        candidates[lease.task_id] = lease
    if unleased:
        claimed_before = now - datetime.timedelta(seconds=lease_seconds())
        running = {task_id: path for task_id, path, _ in taskdb.running(claimed_before)}
        live = TaskLease.objects.filter(pk__in=running, leased_until__gte=now).exclude(token="")
        leases = TaskLease.objects.in_bulk(running)
        for task_id in set(running) - set(live.values_list("pk", flat=True)) - set(candidates):
            candidates[task_id] = leases.get(task_id) or TaskLease(
                task_id=task_id, task_path=running[task_id]
            )
    queued = failed = 0
    for lease in candidates.values():
        outcome = take_over(lease, now)
        queued += outcome == "queued"
        failed += outcome == "failed"
    TaskLease.objects.filter(
        abandoned_at__lt=now - datetime.timedelta(days=ABANDONED_KEPT_DAYS)
    ).delete()
    return queued, failed


def take_over(lease, now):
    """Take the task of an expired (or never taken) `lease` back from its dead worker: 'queued'
    again, 'failed', or None (it finished meanwhile, or another worker took it first)."""
    started = taskdb.started_at(lease.task_id)
    if started is None:  # finished after all (its worker died before deleting the lease)
        TaskLease.objects.filter(pk=lease.task_id, token=lease.token).exclude(token="").delete()
        return None
    maximum = settings.WORKER_TASK_MAX_ATTEMPTS
    if lease.token:
        expired = f"{lease.leased_until:{TIME}}"
        how = f"its worker ({lease.worker_id}) stopped: the lease expired at {expired}"
    else:
        how = f"the worker that claimed it at {started:{TIME}} stopped before taking its lease"
    exhausted = lease.attempts >= maximum
    if exhausted:
        note = (
            f"Abandoned: {how}, after {lease.attempts} attempt(s) cut short like this "
            f"(WORKER_TASK_MAX_ATTEMPTS = {maximum}). Not tried again."
        )
    else:
        note = f"Queued again: {how}. Attempts so far: {lease.attempts} of {maximum}."
    with transaction.atomic():
        if lease.token and not TaskLease.objects.filter(
            pk=lease.task_id, token=lease.token, leased_until=lease.leased_until
        ).update(token="", leased_until=None):
            return None  # renewed after all, or another worker took it over
        if exhausted:
            taken = taskdb.fail(lease.task_id, started, WorkerLost, note)
        else:
            taken = taskdb.requeue(lease.task_id, started)
        if not taken:
            transaction.set_rollback(True)
            return None
        TaskLease.objects.update_or_create(
            task_id=lease.task_id,
            defaults={
                "task_path": lease.task_path,
                "token": "",
                "leased_until": None,
                "abandoned_at": now if exhausted else None,
                "note": note,
            },
        )
    if exhausted:
        logger.error("Task %s (%s): %s", lease.task_id, lease.task_path, note)
        return "failed"
    logger.warning("Task %s (%s): %s", lease.task_id, lease.task_path, note)
    return "queued"
