"""Once-a-round duties run in one worker at a time (worker/singleton.py): on PostgreSQL under an
advisory lock, elsewhere under a lease row. "Another process" here is a second database
connection (PostgreSQL) or a lease row another holder wrote (SQLite);
tests/resilience/test_two_workers.py runs two real workers at once."""

import datetime
import time
from contextlib import contextmanager

from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

import psycopg
import pytest

from tests import factories
from tests.servers import database_url_of
from worker import singleton
from worker.models import DutyLease

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@contextmanager
def held_elsewhere(name):
    """Hold the duty `name` as another worker would, for the duration."""
    if connection.vendor == "postgresql":
        with psycopg.connect(database_url_of(connection), autocommit=True) as other:
            other.execute("SELECT pg_advisory_lock(%s)", [singleton.key64(name)])
            yield
            # released now, not when the server gets round to ending the closed session
            other.execute("SELECT pg_advisory_unlock(%s)", [singleton.key64(name)])
        return
    DutyLease.objects.update_or_create(
        name=name,
        defaults={
            "holder": "another-worker",
            "leased_until": timezone.now() + datetime.timedelta(minutes=5),
        },
    )
    yield
    DutyLease.objects.filter(name=name).update(
        leased_until=timezone.now() - datetime.timedelta(seconds=1)
    )


def test_a_duty_held_elsewhere_is_skipped_and_taken_once_free():
    with singleton.exclusively("duty", 60) as mine:
        assert mine
    with held_elsewhere("duty"):
        with singleton.exclusively("duty", 60) as mine:
            assert not mine
        with singleton.exclusively("other duty", 60) as mine:
            assert mine
    with singleton.exclusively("duty", 60) as mine:
        assert mine


def test_a_duty_is_released_when_its_block_raises():
    with pytest.raises(RuntimeError), singleton.exclusively("duty", 60) as mine:
        assert mine
        raise RuntimeError
    with singleton.exclusively("duty", 60) as mine:
        assert mine


def test_on_sqlite_a_lease_left_by_a_dead_worker_is_taken_once_expired():
    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL releases a dead worker's lock with its connection")
    past = timezone.now() - datetime.timedelta(seconds=1)
    DutyLease.objects.create(name="duty", holder="dead", leased_until=past)
    with singleton.exclusively("duty", 60) as mine:
        assert mine
        lease = DutyLease.objects.get()
        assert lease.holder != "dead"
        assert lease.leased_until > timezone.now() + datetime.timedelta(seconds=50)


def test_a_worker_skips_the_scheduled_publishing_another_worker_is_doing(home, freezer):
    conditions = factories.ConditionIndexPageFactory(parent=home)
    page = factories.ConditionPageFactory(parent=conditions, live=False)
    go_live = timezone.now() + datetime.timedelta(hours=1)
    page.save_revision(approved_go_live_at=go_live)
    freezer.move_to(go_live + datetime.timedelta(minutes=1))
    with held_elsewhere("publish_scheduled"):
        call_command("run_worker", "--once", verbosity=0)
        page.refresh_from_db()
        assert not page.live
    call_command("run_worker", "--once", verbosity=0)
    page.refresh_from_db()
    assert page.live


@pytest.mark.postgres
def test_transaction_locks_make_a_second_transaction_wait_for_the_items_it_shares(postgres_db):
    namespace = singleton.key32("test")
    with psycopg.connect(database_url_of(connection), autocommit=True) as other:

        def free(item):
            with other.transaction():
                return other.execute(
                    "SELECT pg_try_advisory_xact_lock(%s, %s)", [namespace, item]
                ).fetchone()[0]

        with transaction.atomic():
            singleton.lock_for_transaction("test", [3, 1, 2])
            assert [free(item) for item in (1, 2, 3, 4)] == [False, False, False, True]
        assert free(1)  # released at commit
    with pytest.raises(RuntimeError, match="atomic"):
        singleton.lock_for_transaction("test", [1])


@pytest.mark.postgres
def test_two_refreshes_of_one_item_at_once_announce_its_change_once(postgres_db, home):
    """A queued refresh and another worker's catch-up may refresh the same item at once: the
    second waits for the first's commit and finds nothing left to announce (without the lock
    both compare with the old copy, and both number and announce the change)."""
    import threading

    from api.record import changes
    from pages.models import ConditionPage
    from webhooks import outbox
    from webhooks.models import Endpoint, Event

    page = factories.ConditionPageFactory(parent=factories.ConditionIndexPageFactory(parent=home))
    page.save_revision().publish()
    Endpoint.objects.create(url="http://127.0.0.1:9/hooks")
    ConditionPage.objects.filter(pk=page.pk).update(title="Renamed without a task")
    first_emits, go_on = threading.Event(), threading.Event()
    emit = outbox.emit

    def slow_emit(events):
        if threading.current_thread().name == "first":
            first_emits.set()
            go_on.wait(10)  # the first refresh holds its transaction open here
        return emit(events)

    def refresh():
        try:
            changes.refresh(page_ids=[page.pk])
        finally:
            connection.close()

    first = threading.Thread(target=refresh, name="first")
    second = threading.Thread(target=refresh, name="second")
    try:
        outbox.emit = slow_emit
        first.start()
        assert first_emits.wait(10)
        second.start()
        time.sleep(1)  # the second reads (or waits to read) while the first has not committed
        go_on.set()
        first.join(20)
        second.join(20)
    finally:
        outbox.emit = emit
        go_on.set()
    assert Event.objects.filter(type="content.changed").count() == 1
