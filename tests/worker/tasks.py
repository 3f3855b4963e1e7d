"""Tasks for the worker's tests (run by `run_worker` in the tests' own process)."""

from django_tasks import task

from worker.models import TaskLease


@task(takes_context=True)
def report_lease(context):
    """What the task's lease looks like while it runs."""
    lease = TaskLease.objects.get(pk=context.task_result.id)
    return {"attempts": lease.attempts, "held": bool(lease.token and lease.leased_until)}


@task()
def fails():
    raise RuntimeError("broken on purpose")
