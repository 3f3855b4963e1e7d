"""A worker killed with SIGKILL mid-task (real `run_worker` processes on PostgreSQL, production
settings): the task is not left RUNNING. The next worker runs it again once its lease has
expired, or marks it failed once WORKER_TASK_MAX_ATTEMPTS attempts were cut short."""

import signal
import time

from django.db import connection

import pytest

from tests.resilience.tasks import lines, slow
from tests.servers import database_url_of, production_env, start_worker
from worker.models import TaskLease

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.server,
    # the workers are other processes: they see only what this test commits
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}
LEASE = 2.0  # WORKER_TASK_LEASE_SECONDS of the workers started here
# From a lease's expiry to the task's next start: a new worker starting (a few seconds on a
# loaded machine) plus its first round.
TAKEN_OVER_WITHIN = 20


@pytest.fixture
def queue(settings, postgres_db):
    settings.TASKS = DB_TASKS


def worker_env(**overrides):
    return production_env(
        database_url_of(connection),
        WORKER_TASK_LEASE_SECONDS=str(LEASE),
        **overrides,
    )


def wait_until(condition, seconds, worker, what):
    deadline = time.monotonic() + seconds
    while not condition():
        assert worker.poll() is None, f"the worker exited ({worker.returncode})"
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


def started(path):
    return [when for what, when, _ in lines(path) if what == "start"]


def kill_mid_task(env, result, path, log):
    """Start a worker, let it start `result`'s task and renew its lease, and SIGKILL it."""
    worker = start_worker(env, "--interval", "0.2", log=log)
    try:
        before = len(started(path))
        wait_until(lambda: len(started(path)) > before, 60, worker, "the task never started")
        taken = TaskLease.objects.get(pk=result.id).leased_until
        wait_until(
            lambda: TaskLease.objects.get(pk=result.id).leased_until > taken,
            LEASE * 3,
            worker,
            "the lease was not renewed while the task ran",
        )
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    result.refresh()
    assert result.status == "RUNNING"  # where django-tasks-db alone would leave it for good
    return TaskLease.objects.get(pk=result.id).leased_until


def finish(worker):
    worker.terminate()
    worker.wait(timeout=30)


def test_a_task_whose_worker_is_killed_runs_again_once_its_lease_expired(queue, tmp_path):
    path, log = tmp_path / "slow.log", tmp_path / "worker.log"
    result = slow.enqueue(str(path), 4)
    env = worker_env()
    expired = kill_mid_task(env, result, path, log)

    worker = start_worker(env, "--interval", "0.2", log=log)
    try:
        wait_until(
            lambda: result.refresh() or result.status == "SUCCESSFUL",
            TAKEN_OVER_WITHIN + 4 + 10,
            worker,
            f"not finished: {result.status}",
        )
    finally:
        finish(worker)
    assert [what for what, _, _ in lines(path)] == ["start", "start", "done"]
    first, second = started(path)
    # not before the lease expired (a live worker is never doubled), soon after it
    assert expired.timestamp() <= second < expired.timestamp() + TAKEN_OVER_WITHIN
    assert not TaskLease.objects.exists()
    assert "Queued again" in log.read_text()


def test_a_task_whose_worker_dies_on_every_attempt_is_failed_and_reported(queue, tmp_path):
    path, log = tmp_path / "slow.log", tmp_path / "worker.log"
    result = slow.enqueue(str(path), 60)
    env = worker_env(WORKER_TASK_MAX_ATTEMPTS="2")
    kill_mid_task(env, result, path, log)
    expired = kill_mid_task(env, result, path, log)  # the second attempt dies too

    worker = start_worker(env, "--interval", "0.2", log=log)
    try:
        wait_until(
            lambda: result.refresh() or result.status == "FAILED",
            TAKEN_OVER_WITHIN + 10,
            worker,
            f"not failed: {result.status}",
        )
        failed_by = time.time()
        time.sleep(LEASE)  # and not started again
    finally:
        finish(worker)
    assert failed_by < expired.timestamp() + TAKEN_OVER_WITHIN
    assert len(started(path)) == 2
    assert result.errors[0].exception_class_path == "worker.leases.WorkerLost"
    lease = TaskLease.objects.get(pk=result.id)
    assert lease.abandoned_at is not None and lease.attempts == 2
    assert "Abandoned" in log.read_text()
