"""Webhooks through the one background process, `run_worker`: scheduled publishing and expiry
with a frozen clock, and (on PostgreSQL) a worker killed mid-delivery."""

import datetime
import os
import signal
import subprocess
import sys
import time

from django.core.management import call_command
from django.db import connection
from django.utils import timezone

import pytest
from standardwebhooks.webhooks import Webhook

from api.models import RepresentationState
from pages.models import ConditionIndexPage
from tests import factories
from tests.servers import BASE_DIR, database_url_of
from tests.webhooks.receiver import Receiver
from webhooks import delivery
from webhooks.models import Attempt, Delivery, Endpoint, Event

# The worker runs outside any transaction (see tests/worker/test_run_worker.py).
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def received_types(receiver):
    import json

    return [json.loads(request.body)["type"] for request in receiver.received]


def test_scheduled_publish_and_expiry_through_run_worker_once(seeded, freezer, client):
    """Go-live and expiry dates work end to end: the page goes public and leaves it when the
    worker's round reaches them, with a webhook, a purge and a sync tombstone."""
    with Receiver() as receiver:
        endpoint = Endpoint.objects.create(
            url=receiver.url, events=["page.published", "page.unpublished"]
        )
        go_live = timezone.now() + datetime.timedelta(hours=1)
        expiry = go_live + datetime.timedelta(days=2)
        page = factories.ConditionPageFactory(
            parent=ConditionIndexPage.objects.get(), slug="scheduled", live=False
        )
        page.expire_at = expiry
        page.save_revision(approved_go_live_at=go_live)

        call_command("run_worker", "--once", verbosity=0)
        assert receiver.received == []
        assert client.get("/api/v1/conditions/scheduled/").status_code == 404

        freezer.move_to(go_live + datetime.timedelta(minutes=1))
        call_command("run_worker", "--once", verbosity=0)
        assert received_types(receiver) == ["page.published"]
        Webhook(endpoint.secret).verify(receiver.received[-1].body, receiver.received[-1].headers)
        assert client.get("/api/v1/conditions/scheduled/").status_code == 200

        freezer.move_to(expiry + datetime.timedelta(minutes=1))
        call_command("run_worker", "--once", verbosity=0)
        assert received_types(receiver) == ["page.published", "page.unpublished"]
        assert client.get("/api/v1/conditions/scheduled/").status_code == 404
        assert not RepresentationState.objects.get(page_id=page.pk).public  # a tombstone
        Webhook(endpoint.secret).verify(receiver.received[-1].body, receiver.received[-1].headers)
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.SUCCEEDED}


def test_a_failed_delivery_is_retried_by_a_later_round(seeded, freezer, settings):
    settings.WEBHOOKS_TIMEOUT_SECONDS = 0.5
    with Receiver(plan=[500]) as receiver:
        Endpoint.objects.create(url=receiver.url, events=["page.unpublished"])
        ConditionIndexPage.objects.get().get_children().live().first().specific.unpublish()
        call_command("run_worker", "--once", verbosity=0)
        assert len(receiver.received) == 1
        call_command("run_worker", "--once", verbosity=0)
        assert len(receiver.received) == 1  # not due yet
        freezer.move_to(timezone.now() + datetime.timedelta(minutes=2))
        call_command("run_worker", "--once", verbosity=0)
        assert len(receiver.received) == 2
    assert Delivery.objects.get().status == Delivery.Status.SUCCEEDED


def start_worker():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cms.settings.test",
        "DATABASE_URL": database_url_of(connection),
        "WEBHOOKS_TIMEOUT_SECONDS": "3",
        "WEBHOOKS_LEASE_SECONDS": "9",
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "run_worker", "--interval", "0.2", "--verbosity", "0"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


@pytest.mark.postgres
def test_a_worker_killed_mid_delivery_loses_nothing_and_records_one_success_each(postgres_db, home):
    conditions = factories.ConditionIndexPageFactory(parent=home)
    # the first request is answered after 6 s: the worker is killed while it waits
    with Receiver(plan=[(200, 6)]) as receiver:
        endpoint = Endpoint.objects.create(url=receiver.url, events=["page.published"])
        for n in range(3):
            factories.ConditionPageFactory(
                parent=conditions, slug=f"page-{n}"
            ).save_revision().publish()
        events = {event.webhook_id for event in Event.objects.all()}
        assert len(events) == 3

        worker = start_worker()
        try:
            receiver.wait_for(1, seconds=30)
            time.sleep(0.3)
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=10)
            assert Delivery.objects.filter(attempts=1).exclude(lease="").count() == 1

            worker = start_worker()
            deadline = time.monotonic() + 45
            while Delivery.objects.exclude(status=Delivery.Status.SUCCEEDED).exists():
                assert time.monotonic() < deadline, "deliveries left undelivered"
                assert worker.poll() is None, worker.stderr.read().decode()
                time.sleep(0.2)
        finally:
            worker.kill()
            worker.wait(timeout=10)

    for item in Delivery.objects.all():
        assert item.log.filter(succeeded=True).count() == 1
    assert Attempt.objects.filter(succeeded=True).count() == 3
    assert Attempt.objects.filter(error=delivery.INTERRUPTED).count() == 1
    ids = [request.headers["webhook-id"] for request in receiver.received]
    assert set(ids) == events  # every attempt carries its event's webhook-id
    assert len(ids) == 4  # the interrupted one came twice, the same id: receivers drop it
    for request in receiver.received:
        Webhook(endpoint.secret).verify(request.body.decode(), request.headers)
