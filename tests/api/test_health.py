import threading
import time

from django.db import connection
from django.test.utils import CaptureQueriesContext

from api.views import health
from cms import database


def test_healthz(client):
    response = client.get("/healthz/")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_readyz_degraded_when_the_cache_fails(client, db, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(health.cache, "set", broken)
    response = client.get("/readyz/")
    assert response.status_code == 200
    assert response.json() == {
        "status": "degraded",
        "checks": {"database": "ok", "cache": "degraded"},
    }


def test_readyz_503_problem_when_the_database_fails(client, db, monkeypatch):
    def broken(*args, **kwargs):
        raise connection.Database.OperationalError("database down")

    monkeypatch.setattr(database, "_select_one", broken)  # the check, in its helper thread
    response = client.get("/readyz/")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 503 and "database" in body["detail"]


def test_readyz_answers_503_within_its_timeout_while_the_database_hangs(
    client, settings, monkeypatch
):
    settings.READYZ_TIMEOUT = 0.3
    released = threading.Event()
    calls = []

    def hung():
        calls.append(1)
        released.wait(10)

    monkeypatch.setattr(database, "_select_one", hung)
    try:
        for _ in range(2):
            started = time.monotonic()
            response = client.get("/readyz/")
            assert time.monotonic() - started < 1
            assert response.status_code == 503
            assert response.json()["checks"] == {"database": "down"}
        assert len(calls) == 1  # the second probe waited on the check under way
    finally:
        released.set()


def test_healthz_touches_neither_the_database_nor_the_cache(client, db, monkeypatch):
    def refused(*args, **kwargs):
        raise AssertionError("/healthz/ used the cache")

    for name in ("get", "set", "add", "get_many", "incr"):
        monkeypatch.setattr(health.cache, name, refused)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/healthz/").status_code == 200
    assert not queries.captured_queries
