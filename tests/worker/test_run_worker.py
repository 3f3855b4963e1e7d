import datetime
import itertools

from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

import pytest
import wagtail_factories
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


def test_a_scheduled_revision_that_cannot_be_published_does_not_stop_the_rest(
    conditions, freezer, caplog
):
    """A revision invalid since it was scheduled (here a hero image without its alt text,
    written without the editor's checks) has its schedule cancelled and logged; the round goes
    on."""
    go_live = timezone.now() + datetime.timedelta(hours=1)
    bad = factories.ConditionPageFactory(parent=conditions, live=False, title="Bad")
    bad.hero_image, bad.hero_image_alt = wagtail_factories.ImageFactory(), ""
    bad_revision = bad.save_revision(approved_go_live_at=go_live, clean=False)
    good = factories.ConditionPageFactory(parent=conditions, live=False, title="Good")
    good.save_revision(approved_go_live_at=go_live + datetime.timedelta(minutes=1))
    freezer.move_to(go_live + datetime.timedelta(minutes=5))

    call_command("run_worker", "--once", verbosity=0)
    call_command("run_worker", "--once", verbosity=0)  # and the next round is not stuck

    good.refresh_from_db()
    bad.refresh_from_db()
    bad_revision.refresh_from_db()
    assert good.live and not bad.live
    assert bad_revision.approved_go_live_at is None
    assert "its schedule cancelled" in caplog.text


def test_rejects_a_bad_interval():
    with pytest.raises(CommandError, match="positive"):
        call_command("run_worker", "--once", "--interval", "0")


def test_rejects_a_bad_budget():
    with pytest.raises(CommandError, match="positive"):
        call_command("run_worker", "--once", "--budget", "0")


def test_a_round_stops_taking_tasks_once_its_budget_is_spent(conditions, settings, monkeypatch):
    """Queued tasks past the round's budget wait for the next round: publishing, review status
    and the catch-up run every round, whatever is queued."""
    from worker.management.commands import run_worker

    settings.TASKS = DB_TASKS
    for n in range(3):
        page = factories.ConditionPageFactory(parent=conditions, title=f"Page {n}")
        page.save_revision().publish()
    queued = DBTaskResult.objects.filter(status="READY").count()
    assert queued >= 3
    clock = itertools.count(0, 100)  # every reading of the clock is 100 s later
    monkeypatch.setattr(run_worker, "clock", lambda: next(clock))
    call_command("run_worker", "--once", "--budget", "50", verbosity=0)
    left = DBTaskResult.objects.filter(status="READY").count()
    assert 0 < left < queued
    monkeypatch.undo()
    call_command("run_worker", "--once", verbosity=0)
    assert not DBTaskResult.objects.filter(status="READY").exists()


def test_a_refresh_task_queues_what_it_had_no_time_for(conditions, settings, monkeypatch):
    from api.models import RepresentationState
    from api.record import changes

    pages = [factories.ConditionPageFactory(parent=conditions) for _ in range(3)]
    settings.TASKS = DB_TASKS
    settings.API_REFRESH_TASK_SECONDS = 1
    monkeypatch.setattr(changes, "BATCH", 1)
    clock = itertools.count(0, 100)
    monkeypatch.setattr(changes, "clock", lambda: next(clock))
    DBTaskResult.objects.all().delete()
    RepresentationState.objects.all().delete()
    changes.refresh_task.call(page_ids=[page.pk for page in pages])
    assert RepresentationState.objects.count() == 1  # one batch, then out of time
    (rest,) = DBTaskResult.objects.filter(status="READY")
    assert sorted(rest.args_kwargs["kwargs"]["page_ids"]) == sorted(p.pk for p in pages[1:])
    monkeypatch.undo()
    settings.API_REFRESH_TASK_SECONDS = 0
    call_command("run_worker", "--once", verbosity=0)
    assert RepresentationState.objects.count() == 3
