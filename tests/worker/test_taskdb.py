"""worker/taskdb.py is the only code that relies on django-tasks-db's internals: what it uses
is checked here, and a release it was not read against fails loudly, whatever else passes."""

import inspect

from django.db import models

import pytest
from django_tasks.base import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from worker import taskdb

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}


def test_the_installed_django_tasks_db_is_a_release_the_adapter_was_checked_against():
    installed = taskdb.installed_version()
    assert installed.startswith(taskdb.CHECKED_VERSIONS), (
        f"django-tasks-db {installed} is installed, but worker/taskdb.py was checked against "
        f"{taskdb.CHECKED_VERSIONS}: read its worker (management/commands/db_worker.py) and "
        "models.py again (claiming, run_task, the status values and fields used), then add the "
        "version to CHECKED_VERSIONS. If it now renews leases or retries tasks itself, "
        "worker/leases.py may no longer be needed."
    )


def test_the_worker_class_has_what_the_round_worker_relies_on():
    parameters = set(inspect.signature(Worker.__init__).parameters) - {"self"}
    assert parameters == {
        "queue_names",
        "interval",
        "batch",
        "backend_name",
        "startup_delay",
        "max_tasks",
        "worker_id",
        "excluded_queue_names",
    }
    assert set(inspect.signature(Worker.run_task).parameters) == {"self", "db_task_result"}
    assert callable(Worker.run)
    worker = taskdb.RoundWorker(alias="default", should_stop=lambda: False, around=None)
    assert worker.running is True and worker.ran == 0  # `running`, `_run_tasks`


def test_the_task_table_has_the_fields_and_statuses_used():
    fields = {field.name: type(field) for field in DBTaskResult._meta.fields}
    for name, kind in {
        "id": models.UUIDField,
        "status": models.CharField,
        "started_at": models.DateTimeField,
        "finished_at": models.DateTimeField,
        "task_path": models.TextField,
        "return_value": models.JSONField,
        "exception_class_path": models.TextField,
        "traceback": models.TextField,
    }.items():
        assert fields.get(name) is kind, name
    assert {"READY", "RUNNING", "FAILED"} <= set(TaskResultStatus.values)


@pytest.mark.django_db
def test_claim_requeue_and_fail_as_the_leases_use_them(settings):
    """Claiming marks a task RUNNING with its start time; `requeue` makes it ready again in its
    place; `fail` makes it read, through the public API, as a task that raised."""
    from tests.worker.tasks import fails
    from worker.leases import WorkerLost

    settings.TASKS = DB_TASKS
    result = fails.enqueue()
    row = DBTaskResult.objects.get(pk=result.id)
    row.claim("worker-1")
    started = DBTaskResult.objects.get(pk=result.id).started_at
    assert started is not None
    assert taskdb.running() == [(row.pk, row.task_path, started)]
    assert taskdb.started_at(row.pk) == started
    assert taskdb.running_ids([row.pk]) == {row.pk}

    assert not taskdb.requeue(row.pk, started.replace(year=2000))  # another claim: left alone
    assert taskdb.requeue(row.pk, started)
    assert list(DBTaskResult.objects.ready()) == [row]
    assert not taskdb.requeue(row.pk, started)  # not running any more

    row = DBTaskResult.objects.ready().get()
    row.claim("worker-2")
    started = DBTaskResult.objects.get(pk=row.pk).started_at
    assert taskdb.fail(row.pk, started, WorkerLost, "its worker stopped")
    result.refresh()
    assert result.status == TaskResultStatus.FAILED
    assert result.errors[0].exception_class_path == "worker.leases.WorkerLost"
    assert result.errors[0].traceback == "its worker stopped"
    assert result.finished_at is not None
    assert taskdb.running() == []


# the worker closes stale connections between tasks (a test's wrapping transaction with them)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_round_worker_runs_each_ready_task_inside_its_hook_and_stops_when_told(settings):
    from contextlib import contextmanager

    from tests.worker.tasks import fails

    settings.TASKS = DB_TASKS
    for _ in range(3):
        fails.enqueue()
    seen = []

    @contextmanager
    def around(claimed):
        seen.append((claimed.task_path, claimed.worker_id))
        yield

    worker = taskdb.RoundWorker(alias="default", should_stop=lambda: len(seen) >= 2, around=around)
    worker.run()
    assert worker.ran == 2
    assert [path for path, _ in seen] == ["tests.worker.tasks.fails"] * 2
    assert seen[0][1] == worker.worker_id
    assert DBTaskResult.objects.filter(status="FAILED").count() == 2
    assert DBTaskResult.objects.filter(status="READY").count() == 1
    assert taskdb.database_backends() == ["default"]
