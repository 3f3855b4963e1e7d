"""Two workers at once (real `run_worker --once` processes on PostgreSQL, production settings,
the database task queue): the once-a-round duties run in one of them (worker/singleton.py) and
refreshes of one item take turns (api/record/changes.py), so each scheduled revision is published
once, and each page's publication and review reminder is announced once."""

import datetime
import json
import time
from collections import Counter

from django.db import connection
from django.utils import timezone

from wagtail.models import PageLogEntry

import pytest

from pages.models import ConditionPage
from tests import factories
from tests.servers import database_url_of, production_env, start_worker
from webhooks.models import Endpoint, Event

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.server,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PAGES = 12  # of each kind: enough work that the two rounds overlap


def announced(event_type):
    """How many `event_type` events each page id has in the outbox."""
    return Counter(
        json.loads(body)["data"]["id"]
        for body in Event.objects.filter(type=event_type).values_list("body", flat=True)
    )


def test_two_workers_publish_each_scheduled_revision_once_and_remind_once(
    postgres_db, home, tmp_path
):
    today = timezone.localdate()
    later = today + datetime.timedelta(days=200)  # review status: current
    conditions = factories.ConditionIndexPageFactory(parent=home)
    reviewed = []
    for n in range(PAGES):
        page = factories.ConditionPageFactory(
            parent=conditions, slug=f"reviewed-{n}", next_review_due=later
        )
        page.save_revision().publish()  # represented now, as current (inline tasks here)
        reviewed.append(page.pk)
    # their review falls due within 30 days: the workers' next round sends each a reminder
    ConditionPage.objects.filter(pk__in=reviewed).update(
        next_review_due=today + datetime.timedelta(days=10)
    )
    scheduled = []
    for n in range(PAGES):
        page = factories.ConditionPageFactory(
            parent=conditions, slug=f"scheduled-{n}", live=False, next_review_due=later
        )
        page.save_revision(approved_go_live_at=timezone.now() - datetime.timedelta(minutes=1))
        scheduled.append(page.pk)
    # deliveries fail (a private address): only the outbox is looked at
    Endpoint.objects.create(url="http://127.0.0.1:9/hooks")
    Event.objects.all().delete()

    env = production_env(database_url_of(connection))
    logs = [tmp_path / "first.log", tmp_path / "second.log"]
    workers = [start_worker(env, "--once", log=log) for log in logs]
    deadline = time.monotonic() + 180
    while any(worker.poll() is None for worker in workers):
        assert time.monotonic() < deadline, "the workers' rounds did not end"
        time.sleep(0.2)
    output = "\n".join(log.read_text() for log in logs)
    assert [worker.returncode for worker in workers] == [0, 0], output

    assert set(ConditionPage.objects.filter(pk__in=scheduled).values_list("live", flat=True)) == {
        True
    }
    publications = Counter(
        PageLogEntry.objects.filter(action="wagtail.publish.scheduled").values_list(
            "page_id", flat=True
        )
    )
    assert publications == dict.fromkeys(scheduled, 1), output
    assert announced("page.published") == dict.fromkeys(scheduled, 1), output
    assert announced("content.review_due") == dict.fromkeys(reviewed, 1), output
