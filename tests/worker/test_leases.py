"""Task leases (worker/leases.py), in one process: a task runs under a renewed lease; a RUNNING
task whose lease expired is queued again, or failed and shown on the dashboard once its
attempts are spent. tests/resilience/test_worker_crash.py kills real workers."""

import datetime
import importlib
import pkgutil
import sys
import time

from django.core.management import call_command
from django.utils import timezone

import pytest
from django_tasks.base import Task
from django_tasks_db.models import DBTaskResult

from tests.conftest import member
from worker import leases, taskdb
from worker.models import TaskLease

# The worker runs outside any transaction (see tests/worker/test_run_worker.py).
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}
PROJECT_PACKAGES = ("accounts", "api", "pages", "webhooks", "worker")


@pytest.fixture
def db_tasks(settings):
    settings.TASKS = DB_TASKS
    settings.WORKER_TASK_MAX_ATTEMPTS = 2


def claimed(task, worker_id="dead-worker"):
    """Enqueue `task` and claim it as a worker would: (row, when it was claimed)."""
    row = DBTaskResult.objects.get(pk=task.enqueue().id)
    row.claim(worker_id)
    return row, DBTaskResult.objects.get(pk=row.pk).started_at


def expired_lease(row, attempts, seconds_ago=5):
    return TaskLease.objects.create(
        task_id=row.pk,
        task_path=row.task_path,
        token="dead-token",
        worker_id="dead-worker",
        leased_until=timezone.now() - datetime.timedelta(seconds=seconds_ago),
        attempts=attempts,
    )


def status(row):
    return DBTaskResult.objects.get(pk=row.pk).status


def test_every_task_the_project_and_wagtail_define_is_known_to_be_safe_to_run_twice():
    for package in PROJECT_PACKAGES:
        path = importlib.import_module(package).__path__
        for module in pkgutil.walk_packages(path, f"{package}."):
            if ".migrations" not in module.name and not module.name.endswith(".seed"):
                importlib.import_module(module.name)
    tasks = {
        value.module_path
        for module in list(sys.modules.values())
        if getattr(module, "__name__", "").startswith((*PROJECT_PACKAGES, "wagtail"))
        for value in vars(module).values()
        if isinstance(value, Task)
    }
    assert "api.record.changes.refresh_task" in tasks
    unknown = tasks - set(leases.IDEMPOTENT)
    assert not unknown, (
        f"{sorted(unknown)}: a task killed mid-run is run again (worker/leases.py). Make it "
        "safe to run twice and say why in worker.leases.IDEMPOTENT."
    )


def test_a_task_runs_under_its_lease_which_is_gone_once_it_has_finished(db_tasks):
    from tests.worker.tasks import fails, report_lease

    reported, failed = report_lease.enqueue(), fails.enqueue()
    call_command("run_worker", "--once", verbosity=0)
    reported.refresh()
    failed.refresh()
    assert reported.return_value == {"attempts": 1, "held": True}
    assert failed.status == "FAILED"  # raised: failed at once, not retried
    assert not TaskLease.objects.exists()


def test_a_lease_is_renewed_while_its_task_runs_and_lost_once_taken_over(db_tasks):
    from tests.worker.tasks import fails

    row, _ = claimed(fails)
    lease = leases.Lease(taskdb.Claimed(row, "worker-1"), seconds=0.3)
    lease.take()
    try:
        first = TaskLease.objects.get().leased_until
        deadline = time.monotonic() + 10
        while TaskLease.objects.get().leased_until == first:
            assert time.monotonic() < deadline, "the lease was not renewed"
            time.sleep(0.05)
        TaskLease.objects.update(token="someone-else")
        lease.thread.join(timeout=10)
        assert lease.lost
    finally:
        lease.release()
    assert TaskLease.objects.get().token == "someone-else"  # not ours to delete


def test_a_task_whose_lease_expired_is_queued_again_then_runs(db_tasks, caplog):
    from tests.worker.tasks import report_lease

    row, _ = claimed(report_lease)
    expired_lease(row, attempts=1)
    assert leases.reclaim() == (1, 0)
    assert status(row) == "READY"
    lease = TaskLease.objects.get()
    assert (lease.attempts, lease.token, lease.leased_until) == (1, "", None)
    assert "Queued again" in lease.note and "dead-worker" in lease.note
    assert "Queued again" in caplog.text

    call_command("run_worker", "--once", verbosity=0)
    assert status(row) == "SUCCESSFUL"
    assert DBTaskResult.objects.get(pk=row.pk).return_value == {"attempts": 2, "held": True}
    assert not TaskLease.objects.exists()


def test_after_its_last_attempt_a_task_is_failed_logged_and_shown_to_administrators(
    db_tasks, caplog, client, django_user_model
):
    from tests.worker.tasks import report_lease

    row, _ = claimed(report_lease)
    expired_lease(row, attempts=2)
    call_command("run_worker", "--once", verbosity=0)
    result = report_lease.get_result(str(row.pk))
    assert result.status == "FAILED"
    assert result.errors[0].exception_class_path == "worker.leases.WorkerLost"
    assert "after 2 attempt(s)" in result.errors[0].traceback
    lease = TaskLease.objects.get()
    assert lease.abandoned_at is not None and lease.note == result.errors[0].traceback
    assert "Abandoned" in caplog.text

    for user, sees in (
        (member(django_user_model, "Administrators", "boss"), True),
        (member(django_user_model, "Editors", "editor"), False),
    ):
        client.force_login(user)
        page = client.get("/admin/").content.decode()
        assert ("Background tasks abandoned" in page) is sees
        assert ("report_lease" in page) is sees


def test_a_claimed_task_that_never_took_a_lease_is_queued_again_a_lease_after_its_claim(
    db_tasks, settings
):
    from tests.worker.tasks import fails

    settings.WORKER_TASK_LEASE_SECONDS = 60
    row, started = claimed(fails)
    assert leases.reclaim() == (0, 0)  # claimed just now: its worker may be taking the lease
    later = started + datetime.timedelta(seconds=61)
    assert leases.reclaim(now=later, unleased=False) == (0, 0)  # not looked for this round
    assert leases.reclaim(now=later) == (1, 0)
    assert status(row) == "READY"
    assert "stopped before taking its lease" in TaskLease.objects.get().note


def test_a_live_lease_is_left_alone_and_a_finished_task_loses_its_stale_lease(db_tasks):
    from tests.worker.tasks import fails

    running, _ = claimed(fails)
    TaskLease.objects.create(
        task_id=running.pk,
        token="live",
        leased_until=timezone.now() + datetime.timedelta(seconds=30),
        attempts=1,
    )
    finished, _ = claimed(fails)
    DBTaskResult.objects.filter(pk=finished.pk).update(status="SUCCESSFUL")
    expired_lease(finished, attempts=1)
    assert leases.reclaim() == (0, 0)
    assert status(running) == "RUNNING"
    assert list(TaskLease.objects.values_list("pk", flat=True)) == [running.pk]


def test_two_workers_reclaiming_at_once_take_a_task_over_once(db_tasks):
    from tests.worker.tasks import fails

    row, _ = claimed(fails)
    stale = expired_lease(row, attempts=1)
    now = timezone.now()
    assert leases.take_over(stale, now) == "queued"
    assert leases.take_over(stale, now) is None  # the other worker's view was stale
    assert status(row) == "READY"


def test_abandoned_tasks_are_forgotten_after_a_month(db_tasks):
    TaskLease.objects.create(
        task_id="00000000-0000-0000-0000-000000000001",
        abandoned_at=timezone.now() - datetime.timedelta(days=leases.ABANDONED_KEPT_DAYS + 1),
    )
    leases.reclaim()
    assert not TaskLease.objects.exists()
