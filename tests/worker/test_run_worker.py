import datetime

from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

import pytest
from django_tasks_db.models import DBTaskResult

from pages.models import ConditionPage
from tests import factories

# The worker runs outside any transaction and closes stale connections between rounds (which
# would close a test's wrapping transaction on PostgreSQL): test it the way it runs.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}


@pytest.fixture
def conditions(home):
    return factories.ConditionIndexPageFactory(parent=home)


def test_once_runs_queued_index_jobs_then_exits(conditions, settings):
    settings.TASKS = DB_TASKS
    page = factories.ConditionPageFactory(parent=conditions, title="Queued page")
    page.save_revision().publish()
    queued = DBTaskResult.objects.filter(status="READY").count()
    assert queued > 0
    assert not ConditionPage.objects.search("Queued")  # not indexed until the worker runs

    call_command("run_worker", "--once", verbosity=0)

    assert not DBTaskResult.objects.exclude(status="SUCCESSFUL").exists()
    assert [p.pk for p in ConditionPage.objects.search("Queued")] == [page.pk]


def test_once_publishes_scheduled_pages(conditions, freezer):
    page = factories.ConditionPageFactory(parent=conditions, live=False)
    go_live = timezone.now() + datetime.timedelta(hours=1)
    page.save_revision(approved_go_live_at=go_live)
    call_command("run_worker", "--once", verbosity=0)
    page.refresh_from_db()
    assert not page.live
    freezer.move_to(go_live + datetime.timedelta(minutes=1))
    call_command("run_worker", "--once", verbosity=0)
    page.refresh_from_db()
    assert page.live


def test_rejects_a_bad_interval():
    with pytest.raises(CommandError, match="positive"):
        call_command("run_worker", "--once", "--interval", "0")
