"""Real processes through the fault proxy: gunicorn with the production settings, its PostgreSQL
and its Redis each behind a FaultProxy (tests/resilience/fault_proxy.py). Each test switches a
proxy to `hang` or `refuse` and checks the bounds of cms/database.py and api/serving/redis_cache.py,
then switches back and checks that the same gunicorn recovers, without a restart.

Needs PostgreSQL (DATABASE_URL=postgres://...) and Redis (REDIS_URL): CI's PostgreSQL pass.
"""

import json
import os
import pickle
import statistics
import threading
import time
import urllib.error
import urllib.request
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import redis

from tests.resilience.fault_proxy import FaultProxy, proxied_url
from tests.servers import fresh_database, gunicorn, manage, production_env

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.server]

# The bounds under test, set short so the suite stays short (defaults: 5, 2, 5, 5 s).
API_DEADLINE = 3
CONNECT_TIMEOUT = 2
RETRY_SECONDS = 2
REDIS_SOCKET_TIMEOUT = 0.5
# A request the database cannot serve answers within its deadline plus one connection
# attempt begun just before it (cms/settings/base.py), plus slack for a shared CI machine.
UNAVAILABLE_BOUND = API_DEADLINE + CONNECT_TIMEOUT + 1.5

CACHED_DETAIL = "/api/v1/conditions/neuropathic-pain/"
CACHED_FOR_KEY = "/api/v1/causes/shingles/"
_never_asked = iter(range(2, 100))


def never_cached():
    """A list URL no earlier request asked for, so no response cache holds it."""
    return f"/api/v1/treatments/?fields=slug&limit={next(_never_asked)}"


@dataclass
class Answer:
    status: int
    headers: dict
    body: bytes
    seconds: float

    def json(self):
        return json.loads(self.body)


def get(url, headers=None, timeout=30):
    request = urllib.request.Request(url, headers=headers or {})
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            status, found, body = response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        status, found, body = error.code, error.headers, error.read()
    return Answer(
        status, {k.lower(): v for k, v in found.items()}, body, time.monotonic() - started
    )


@dataclass
class Stack:
    base: str
    postgres: FaultProxy
    redis: FaultProxy
    key: str
    key_prefix: str
    key_id: int
    log: Path
    redis_direct: redis.Redis
    cache_prefix: str

    def get(self, path, key=False, **kwargs):
        headers = {"Authorization": f"Bearer {self.key}"} if key else {}
        return get(self.base + path, headers, **kwargs)

    def log_text(self, start=0):
        return self.log.read_bytes()[start:].decode(errors="replace")

    def log_size(self):
        return self.log.stat().st_size

    def cache_name(self, key):
        return f"{self.cache_prefix}:1:{key}"  # Django's key function

    def key_read_minutes_ago(self):
        """As if the key's cached row were a few minutes old and its last use written over a
        minute ago: the next keyed request reads the key from the database, and writes its
        last use."""
        name = self.cache_name(f"api:key:v3:{self.key_prefix}")
        cached = pickle.loads(self.redis_direct.get(name))  # noqa: S301 - our own entry
        cached["read_at"] -= 300
        self.redis_direct.set(name, pickle.dumps(cached), keepttl=True)
        self.redis_direct.delete(self.cache_name(f"api:key:used:{self.key_id}"))


def address(url, default_port):
    parts = urlsplit(url)
    return parts.hostname, parts.port or default_port


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    database_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    if not database_url.startswith("postgres"):
        pytest.skip("needs PostgreSQL: set DATABASE_URL=postgres://...")
    if not redis_url:
        pytest.skip("needs Redis: set REDIS_URL=redis://...")
    folder = tmp_path_factory.mktemp("faults")
    cache_prefix = f"faults-{uuid.uuid4().hex[:8]}"
    with fresh_database(folder) as direct_url:
        env = production_env(
            direct_url,
            REDIS_URL=redis_url,
            CACHE_KEY_PREFIX=cache_prefix,
            API_RESPONSE_CACHE_SECONDS="300",
            MEDIA_ROOT=str(folder / "media"),
            STATIC_ROOT=str(folder / "static"),  # the admin's styles, as deployed
        )
        manage(env, "collectstatic", "--noinput", "-v", "0")
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "seed_content", "-v", "0")
        manage(env, "run_worker", "--once", "-v", "0")  # stores every item
        created = manage(env, "create_api_key", "Fault drill", "--scopes", "read")
        key = next(line for line in created.splitlines() if line.startswith("cms_"))
        key_prefix = key.split("_")[1]
        find_key = (
            f"from api.models import ApiKey; print(ApiKey.objects.get(prefix='{key_prefix}').pk)"
        )
        key_id = int(manage(env, "shell", "-c", find_key).split()[-1])
        with (
            FaultProxy(address(direct_url, 5432)) as postgres,
            FaultProxy(address(redis_url, 6379)) as cache,
        ):
            served = {
                **env,
                "DATABASE_URL": proxied_url(direct_url, postgres),
                "REDIS_URL": proxied_url(redis_url, cache),
                "API_DB_REQUEST_DEADLINE": str(API_DEADLINE),
                "DB_CONNECT_TIMEOUT": str(CONNECT_TIMEOUT),
                "DB_RETRY_SECONDS": str(RETRY_SECONDS),
                "REDIS_RETRY_SECONDS": str(RETRY_SECONDS),
                "REDIS_SOCKET_TIMEOUT": str(REDIS_SOCKET_TIMEOUT),
                "REDIS_CONNECT_TIMEOUT": str(REDIS_SOCKET_TIMEOUT),
                "GUNICORN_THREADS": "8",
                "API_ANONYMOUS_RATE": "100000/min",  # the throughput runs are one client
            }
            log = folder / "gunicorn.log"
            with log.open("wb") as stderr, gunicorn(served, workers=1, stderr=stderr) as (base, _):
                yield Stack(
                    base=base,
                    postgres=postgres,
                    redis=cache,
                    key=key,
                    key_prefix=key_prefix,
                    key_id=key_id,
                    log=log,
                    redis_direct=redis.Redis.from_url(redis_url),
                    cache_prefix=cache_prefix,
                )


@pytest.fixture
def drill(stack):
    """The stack with both proxies forwarding and the answers under test cached; both
    proxies forward again afterwards, whatever the test did."""
    for path, key in ((CACHED_DETAIL, False), (CACHED_FOR_KEY, True)):
        for _ in range(2):  # the second answer comes from the response cache
            assert stack.get(path, key=key).status == 200
    try:
        yield stack
    finally:
        stack.postgres.set_mode("forward")
        stack.redis.set_mode("forward")
        wait_until(lambda: stack.get("/readyz/").json().get("status") == "ok", seconds=30)


def wait_until(condition, seconds):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "not recovered in time"
        time.sleep(0.2)
    return time.monotonic()


@contextmanager
def in_background(calls):
    """Run each of `calls` in a thread of its own; yields the list their results fill."""
    results = []
    threads = [threading.Thread(target=lambda c=c: results.append(c())) for c in calls]
    for thread in threads:
        thread.start()
    try:
        yield results
    finally:
        for thread in threads:
            thread.join(timeout=60)


def assert_unavailable_problem(answer):
    assert answer.status == 503, (answer.status, answer.body[:300])
    assert answer.headers["content-type"] == "application/problem+json"
    assert int(answer.headers["retry-after"]) >= 1
    problem = answer.json()
    assert problem["status"] == 503 and problem["type"].endswith("/problems/service-unavailable/")
    assert answer.seconds < UNAVAILABLE_BOUND, answer.seconds


def assert_served_while_the_database_is_away(stack, mode):
    """What must hold while PostgreSQL hangs or refuses (the proxy already in `mode`)."""
    uncached = [f"/api/v1/conditions/?limit=1&offset={n}&fields=slug" for n in range(3)]
    # Requests that wait on the database meanwhile: a probe never waits behind them.
    with in_background([lambda p=p: stack.get(p) for p in uncached]) as waiting:
        time.sleep(0.3)
        for _ in range(5):
            health = stack.get("/healthz/")
            assert health.status == 200 and health.seconds < 0.1, (mode, health.seconds)
            time.sleep(0.05)
        ready = stack.get("/readyz/")
        assert ready.status == 503 and ready.seconds < 2, (mode, ready.status, ready.seconds)
        assert ready.json()["checks"] == {"database": "down"}
    assert len(waiting) == 3
    for answer in waiting:
        assert_unavailable_problem(answer)

    # Cached answers, with a key or without: the key's validity is remembered.
    assert stack.get(CACHED_DETAIL).status == 200
    stack.key_read_minutes_ago()
    keyed = stack.get(CACHED_FOR_KEY, key=True)
    assert keyed.status == 200 and keyed.seconds < UNAVAILABLE_BOUND, (keyed.status, keyed.body)
    assert stack.get(CACHED_FOR_KEY, key=True).status == 200
    # Never cached: a 503 problem with Retry-After, in bounded time.
    assert_unavailable_problem(stack.get(never_cached()))
    # The admin: a readable page, not a 500.
    admin = stack.get("/admin/login/")
    assert admin.status == 503 and admin.headers["content-type"].startswith("text/html")
    assert b"Temporarily unavailable" in admin.body and admin.seconds < UNAVAILABLE_BOUND
    assert int(admin.headers["retry-after"]) >= 1


def assert_recovers(stack):
    """Back to forwarding: the same gunicorn serves from the database again."""
    switched = time.monotonic()
    recovered = wait_until(lambda: stack.get("/readyz/").status == 200, seconds=20)
    assert recovered - switched < RETRY_SECONDS + CONNECT_TIMEOUT + 3
    assert stack.get(never_cached()).status == 200
    assert stack.get("/admin/login/").status == 200
    assert stack.get(CACHED_FOR_KEY, key=True).status == 200


def test_a_hung_database(drill):
    drill.postgres.set_mode("hang")
    assert_served_while_the_database_is_away(drill, "hang")
    drill.postgres.set_mode("forward")
    assert_recovers(drill)


def test_a_refusing_database(drill):
    start = drill.log_size()
    drill.postgres.set_mode("refuse")
    assert_served_while_the_database_is_away(drill, "refuse")
    drill.postgres.set_mode("forward")
    assert_recovers(drill)
    log = drill.log_text(start)
    assert log.count("The database is unreachable") == 1, log[-3000:]
    assert "Traceback" not in log, log[-3000:]


PATHS = [
    CACHED_DETAIL,
    CACHED_FOR_KEY,
    "/api/v1/therapies/ketamine-infusion-therapy/",
    "/api/v1/conditions/?fields=slug",
    "/api/v1/treatments/opioids/",
]


def latencies(stack, rounds=3):
    return [stack.get(path).seconds for _ in range(rounds) for path in PATHS]


def throughput(stack, seconds=3.0, clients=4):
    """Answers per second from `clients` clients asking PATHS in turn for `seconds`."""
    stop = time.monotonic() + seconds
    counts = []

    def client():
        served = 0
        while time.monotonic() < stop:
            assert stack.get(PATHS[served % len(PATHS)]).status == 200
            served += 1
        counts.append(served)

    with in_background([client] * clients):
        pass
    return sum(counts) / seconds


def test_a_hung_redis(drill):
    latencies(drill, rounds=1)  # every path cached
    normal = latencies(drill)
    normal_rate = throughput(drill)
    # Without the cache, answers come from the database: slower, whatever the breaker does.
    drill.redis.set_mode("refuse")
    without_cache_rate = throughput(drill)
    drill.redis.set_mode("forward")
    wait_until(lambda: drill.get("/readyz/").json()["checks"]["cache"] == "ok", seconds=20)
    start = drill.log_size()
    drill.redis.set_mode("hang")
    hung = latencies(drill, rounds=6)  # over 3 s: a trial call after each pause
    # A request waits for the cache once at most: the first after the hang, then one per
    # pause (the breaker's trial); the others do not call Redis at all.
    assert max(hung) < max(normal) + REDIS_SOCKET_TIMEOUT + 0.3, (normal, hung)
    slow = [s for s in hung if s > max(normal) + REDIS_SOCKET_TIMEOUT / 2]
    assert len(slow) <= 3, (normal, hung)
    assert statistics.median(hung) < statistics.median(normal) + 0.3, (normal, hung)
    rate = throughput(drill)
    # A hang costs little more than the cache being gone (without the breaker: 0.27 req/s).
    rates = {"normal": normal_rate, "without the cache": without_cache_rate, "hung": rate}
    assert rate > without_cache_rate / 2, rates
    health = drill.get("/healthz/")
    assert health.status == 200 and health.seconds < 0.1
    ready = drill.get("/readyz/")  # reports the cache without waiting on it
    assert ready.status == 200 and ready.json()["checks"]["cache"] == "degraded"
    assert ready.seconds < 0.3, ready.seconds
    drill.redis.set_mode("forward")
    wait_until(lambda: drill.get("/readyz/").json()["checks"]["cache"] == "ok", seconds=20)
    log = drill.log_text(start)
    assert log.count("is unreachable") == 1, log[-3000:]  # once per outage...
    assert log.count("is reachable again") == 1, log[-3000:]  # ...with its count
    assert "calls failed or were skipped meanwhile" in log
    assert "Traceback" not in log, log[-3000:]


def test_a_refusing_redis(drill):
    start = drill.log_size()
    drill.redis.set_mode("refuse")
    for answer in (drill.get(path, key=True) for _ in range(4) for path in PATHS):
        assert answer.status == 200, answer.body[:300]
    assert drill.get("/readyz/").json()["checks"]["cache"] == "degraded"
    drill.redis.set_mode("forward")
    wait_until(lambda: drill.get("/readyz/").json()["checks"]["cache"] == "ok", seconds=20)
    log = drill.log_text(start)
    assert log.count("is unreachable") == 1, log[-3000:]
    assert "Traceback" not in log, log[-3000:]
