"""Client-side bounds on database waits (cms/database.py, cms/postgresql/base.py): the deadline
watchdog, and, on PostgreSQL behind the fault proxy, a hung query cut off, no connection after
the deadline, and the circuit breaker on connections."""

import threading
import time

from django.db import OperationalError, connection
from django.test import RequestFactory

import pytest

from cms import database
from cms.database import Deadlines, request_deadline
from tests.resilience.fault_proxy import FaultProxy


class FakeWrapper:
    def __init__(self):
        self.aborted = threading.Event()

    def abort(self):
        self.aborted.set()
        return True


@pytest.fixture
def watched(monkeypatch):
    """A fresh Deadlines whose limits watch one fake connection."""
    wrapper = FakeWrapper()
    monkeypatch.setattr(database, "connections", {"default": wrapper})
    return Deadlines(), wrapper


def test_a_thread_past_its_deadline_has_its_connections_cut_off(watched, caplog):
    deadlines, wrapper = watched
    assert deadlines.remaining() is None
    with deadlines.limit(0.2, "GET /api/v1/slow/"):
        assert 0 < deadlines.remaining() <= 0.2
        assert wrapper.aborted.wait(2)
        assert deadlines.remaining() < 0
    assert deadlines.remaining() is None
    logged = time.monotonic() + 2  # by the watchdog, once the connection is cut off
    while "GET /api/v1/slow/ passed its database deadline" not in caplog.text:
        assert time.monotonic() < logged
        time.sleep(0.01)


def test_a_request_within_its_deadline_is_left_alone(watched):
    deadlines, wrapper = watched
    with deadlines.limit(0.3):
        pass
    time.sleep(0.5)
    assert not wrapper.aborted.is_set()


def test_nested_limits_keep_the_earliest_deadline(watched):
    deadlines, wrapper = watched
    with deadlines.limit(0.2):
        with deadlines.limit(60):  # cannot extend the request's deadline
            assert deadlines.remaining() <= 0.2
        with deadlines.limit(0.05):
            assert deadlines.remaining() <= 0.05
            assert wrapper.aborted.wait(2)
        assert 0 < deadlines.remaining() <= 0.2  # the outer limit again


def test_api_requests_get_the_api_deadline(settings):
    settings.API_DB_REQUEST_DEADLINE, settings.DB_REQUEST_DEADLINE = 5, 30
    factory = RequestFactory()
    assert request_deadline(factory.get("/api/v1/conditions/")) == 5
    assert request_deadline(factory.get("/admin/pages/")) == 30


# On PostgreSQL: the real backend, through the fault proxy ------------------------------------


@pytest.fixture
def proxied(postgres_db, monkeypatch):
    """(the fault proxy, a cms.postgresql connection to the test database through it); the
    deadlines watch that connection only, never the test's own."""
    from cms.postgresql.base import DatabaseWrapper

    settings_dict = connection.settings_dict
    target = (settings_dict["HOST"] or "127.0.0.1", int(settings_dict["PORT"] or 5432))
    database.breaker.reset()
    with FaultProxy(target) as proxy:
        wrapper = DatabaseWrapper(
            {**settings_dict, "HOST": "127.0.0.1", "PORT": proxy.port}, alias="proxied"
        )
        monkeypatch.setattr(database, "connections", {"proxied": wrapper})
        try:
            yield proxy, wrapper
        finally:
            proxy.set_mode("forward")
            wrapper.close()
            database.breaker.reset()


def select_one(wrapper):
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone()[0]


@pytest.mark.postgres
def test_a_hung_query_fails_at_the_deadline_and_no_connection_follows(proxied):
    proxy, wrapper = proxied
    assert select_one(wrapper) == 1
    proxy.set_mode("hang")
    started = time.monotonic()
    with database.deadlines.limit(0.5, "The test"):
        with pytest.raises(OperationalError):
            select_one(wrapper)  # PostgreSQL's statement_timeout never fires: nobody answers
        assert time.monotonic() - started < 1.5
        wrapper.close()
        with pytest.raises(OperationalError, match="used up its time"):
            wrapper.ensure_connection()  # no new connection once the deadline has passed
    proxy.set_mode("forward")
    assert select_one(wrapper) == 1


@pytest.mark.postgres
def test_the_health_check_of_a_hung_connection_is_bounded(proxied, settings):
    proxy, wrapper = proxied
    assert select_one(wrapper) == 1
    proxy.set_mode("hang")
    started = time.monotonic()
    assert wrapper.is_usable() is False
    assert time.monotonic() - started < settings.DB_CONNECT_TIMEOUT + 1


@pytest.mark.postgres
def test_a_failed_connection_stops_the_others_until_the_pause_is_over(proxied, caplog):
    proxy, wrapper = proxied
    proxy.set_mode("refuse")
    with pytest.raises(OperationalError, match="Connection refused"):
        wrapper.ensure_connection()
    assert database.breaker.is_open
    proxy.set_mode("forward")
    with pytest.raises(OperationalError, match="unreachable moments ago"):
        wrapper.ensure_connection()  # not even tried
    database.breaker._retry_at = 0  # the pause is over: the next one tries, and succeeds
    assert select_one(wrapper) == 1
    assert not database.breaker.is_open
    logged = [r.getMessage() for r in caplog.records if r.name == "cms.database"]
    assert len(logged) == 2 and "reachable again" in logged[1], logged


@pytest.mark.postgres
def test_postgresql_connections_carry_their_timeouts(postgres_db):
    options = connection.settings_dict["OPTIONS"]
    assert connection.settings_dict["ENGINE"] == "cms.postgresql"
    assert options["connect_timeout"] == 2 and "statement_timeout=30000" in options["options"]
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "30s"
