"""The shared cache may go down; the API keeps answering from the database, and the outage is
logged once, not once per cache call (api/serving/redis_cache.py)."""

import logging

from django.core.cache import cache
from django.core.cache.backends.redis import RedisCacheClient

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from api.http.auth import ConsumerRateThrottle
from api.serving import redis_cache as tolerant

UNREACHABLE = {
    "default": {
        "BACKEND": "api.serving.redis_cache.TolerantRedisCache",
        "LOCATION": "redis://127.0.0.1:9/0",  # the discard port: nothing answers
        "OPTIONS": {"socket_connect_timeout": 0.2},
    }
}


@pytest.fixture(autouse=True)
def closed_breakers():
    for breaker in tolerant._breakers.values():
        breaker.reset()
    yield
    for breaker in tolerant._breakers.values():
        breaker.reset()


def test_the_api_keeps_serving_when_redis_is_unreachable(api, settings, caplog):
    """An outage of the shared cache costs speed, never a 500, and one log line."""
    settings.CACHES = UNREACHABLE
    listing = api("/api/v1/conditions/?fields=slug")
    assert listing.status_code == 200, listing.content
    assert [item["slug"] for item in listing.json()["results"]] == ["neuropathic-pain"]
    assert api("/api/v1/therapies/ketamine-infusion-therapy/").json()["disclaimer"]
    assert api("/readyz/").json()["checks"]["cache"] == "degraded"
    outage = [r for r in caplog.records if "unreachable" in r.getMessage()]
    assert len(outage) == 1 and "Redis 127.0.0.1:9/0" in outage[0].getMessage()
    assert not [r for r in caplog.records if r.exc_info]  # no traceback per call


def calls_failing(monkeypatch):
    """Every call that reaches the Redis client fails like a refused connection; returns the
    list the calls are counted in."""
    calls = []

    def refused(self, *args, **kwargs):
        calls.append(1)
        raise RedisConnectionError("Error 111 connecting. Connection refused.")

    for name in ("get", "set", "add", "get_many", "incr", "delete", "set_many"):
        monkeypatch.setattr(RedisCacheClient, name, refused)
    return calls


def test_after_a_failure_redis_is_not_called_until_the_pause_has_passed(
    settings, monkeypatch, caplog
):
    settings.CACHES = UNREACHABLE
    calls = calls_failing(monkeypatch)
    caplog.set_level(logging.WARNING, "api.serving.redis_cache")
    assert cache.get("a", "fallback") == "fallback"
    assert cache.add("b", 1) is False and cache.get_many(["a", "b"]) == {}
    assert cache.set_many({"a": 1}) == ["a"] and cache.delete("a") is False
    with pytest.raises(tolerant.CacheUnavailable):
        cache.incr("counter")
    assert len(calls) == 1  # the first call failed; the others were not made
    breaker = cache.breaker
    assert breaker.is_open and not tolerant.available(cache)

    breaker._retry_at = 0  # the pause is over: one call tries again, and fails
    assert cache.get("a") is None and cache.get("a") is None
    assert len(calls) == 2

    monkeypatch.undo()  # Redis answers again (nothing listens on port 9: fake the client)
    monkeypatch.setattr(RedisCacheClient, "get", lambda self, key, default: "back")
    breaker._retry_at = 0
    assert cache.get("a") == "back"
    assert tolerant.available(cache)
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 2, messages
    assert "unreachable" in messages[0]
    assert "reachable again" in messages[1] and "8 calls failed or were skipped" in messages[1]


def test_the_rate_limit_lets_requests_through_quietly_during_an_outage(
    settings, monkeypatch, caplog, rf
):
    settings.CACHES = UNREACHABLE
    calls = calls_failing(monkeypatch)
    throttle = ConsumerRateThrottle()
    request = rf.get("/api/v1/conditions/")
    request.user = None
    for _ in range(5):
        assert throttle.allow_request(request, None)
    assert len(calls) == 1
    assert not [r for r in caplog.records if r.exc_info]


def test_a_redis_location_is_logged_without_its_password():
    shown = tolerant._shown("redis://:s3cret@cache.internal:6380/2,rediss://user:pw@replica/0")
    assert shown == "cache.internal:6380/2,replica:6379/0"
