"""The worker's own bookkeeping: the lease of each queued task it runs (worker/leases.py) and
the leases of its once-per-round duties on databases without advisory locks
(worker/singleton.py)."""

from django.db import models


class TaskLease(models.Model):
    """The lease of one django-tasks-db task (`task_id` is its id; not a foreign key, the
    task table belongs to django-tasks-db). The worker running the task renews `leased_until`
    while it runs and deletes the row once the task has finished; a task RUNNING whose lease
    expired lost its worker (killed, out of memory, its host gone) and is queued again, or
    marked failed after WORKER_TASK_MAX_ATTEMPTS attempts, which keeps the row
    (`abandoned_at`) for the admin's dashboard."""

    task_id = models.UUIDField(primary_key=True)
    task_path = models.CharField(max_length=255, blank=True)
    token = models.CharField(max_length=64, blank=True, help_text="Of the attempt holding it.")
    worker_id = models.CharField(max_length=64, blank=True)
    leased_until = models.DateTimeField(null=True, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    abandoned_at = models.DateTimeField(null=True, db_index=True)
    note = models.TextField(blank=True, help_text="Why it was queued again or abandoned.")

    class Meta:
        verbose_name = "background task lease"

    def __str__(self):
        return f"{self.task_path or 'task'} {self.task_id}"

    @property
    def task_name(self):
        return self.task_path.rsplit(".", 1)[-1]


class DutyLease(models.Model):
    """Who holds a once-per-round duty (scheduled publishing, review status, catch-up,
    pruning) until when, on a database without advisory locks (SQLite)."""

    name = models.CharField(max_length=100, primary_key=True)
    holder = models.CharField(max_length=64, blank=True)
    leased_until = models.DateTimeField()

    class Meta:
        verbose_name = "worker duty lease"

    def __str__(self):
        return self.name
