"""The one place that touches django-tasks-db's internals (its worker class and task table),
so an upgrade changes one file. tests/worker/test_taskdb.py checks every name used here and
fails on a version this adapter has not been checked against (CHECKED_VERSIONS).

django-tasks-db marks a claimed task RUNNING and nothing else: no heartbeat, no retry. The
worker's leases (worker/leases.py) add both, through the functions below."""

from importlib.metadata import version

from django.db.models import Q
from django.utils import timezone

from django_tasks import task_backends
from django_tasks.utils import get_random_id
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

CHECKED_VERSIONS = ("0.13.",)  # django-tasks-db releases this file was read against
RUNNING = TaskResultStatus.RUNNING


def installed_version():
    return version("django-tasks-db")


def database_backends():
    """The aliases of the task backends that queue tasks in the database."""
    return [alias for alias in task_backends if isinstance(task_backends[alias], DatabaseBackend)]


class RoundWorker(Worker):
    """django-tasks-db's worker in batch mode (it stops once nothing is ready) that also stops
    between tasks when `should_stop()` says so, and runs each task inside `around(task)`, a
    context manager (the task's lease)."""

    def __init__(self, *, alias, should_stop, around):
        super().__init__(
            queue_names=["*"],
            interval=0,
            batch=True,
            backend_name=alias,
            startup_delay=False,
            max_tasks=None,
            worker_id=get_random_id(),
            excluded_queue_names=[],
        )
        self.should_stop = should_stop
        self.around = around

    def run_task(self, db_task_result):
        with self.around(Claimed(db_task_result, self.worker_id)):
            super().run_task(db_task_result)
        if self.should_stop():
            self.running = False

    @property
    def ran(self):
        return self._run_tasks


class Claimed:
    """What a lease needs to know of a task the worker has just claimed."""

    def __init__(self, db_task_result, worker_id):
        self.id = db_task_result.id
        self.task_path = db_task_result.task_path
        self.worker_id = worker_id


def running(started_before=None):
    """[(id, task_path, started_at)] of the tasks marked RUNNING (started before the time
    given)."""
    tasks = DBTaskResult.objects.filter(status=RUNNING)
    if started_before is not None:
        tasks = tasks.filter(started_at__lt=started_before)
    return list(tasks.values_list("id", "task_path", "started_at"))


def running_ids(ids):
    """Which of `ids` are tasks still RUNNING."""
    return set(DBTaskResult.objects.filter(pk__in=ids, status=RUNNING).values_list("pk", flat=True))


def started_at(task_id):
    """When the RUNNING task `task_id` was claimed, or None (not running, or gone)."""
    return (
        DBTaskResult.objects.filter(pk=task_id, status=RUNNING)
        .values_list("started_at", flat=True)
        .first()
    )


def requeue(task_id, started):
    """Put the RUNNING task claimed at `started` back in the queue (READY, in its place: it
    keeps its priority, its run-after time and when it was enqueued). A compare-and-set: False
    if it is no longer that claim (finished, or reclaimed by another worker)."""
    claim = Q(pk=task_id, status=RUNNING, started_at=started)
    return bool(DBTaskResult.objects.filter(claim).update(status=TaskResultStatus.READY))


def fail(task_id, started, exception, message):
    """Mark the RUNNING task claimed at `started` FAILED with `message` in place of a traceback
    and `exception` (a class) as its error, as a task that raised it would be. A compare-and-set
    like `requeue`."""
    claim = Q(pk=task_id, status=RUNNING, started_at=started)
    return bool(
        DBTaskResult.objects.filter(claim).update(
            status=TaskResultStatus.FAILED,
            finished_at=timezone.now(),
            return_value=None,
            exception_class_path=f"{exception.__module__}.{exception.__qualname__}",
            traceback=message,
        )
    )
