"""The shared cache may fail; the API must not. Django's own RedisCache, with a circuit breaker
(cms/breaker.py) per Redis location, shared by every thread of the process: the first call that
fails opens it, and for REDIS_RETRY_SECONDS no call reaches Redis; then one call tries again.
A call that fails or is skipped counts as a miss (or a no-op): an outage costs speed (facts
recomputed from the database, rate limits not applied), never a 500, and a Redis that hangs
costs a request one wait of REDIS_SOCKET_TIMEOUT at most, not one per call. The outage is
logged when it starts and when it ends, with how many calls it cost: never once per call.

`incr`/`decr` raise CacheUnavailable instead (a counter that silently stays at 1 would look like
a real count): the rate limit (api/http/auth.py) then lets the request through, a purge
(api/serving/response_cache.py) is skipped. /readyz/ reports the cache as degraded while the breaker
is open, without calling Redis (`available`).
"""

import logging
import threading
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache.backends.redis import RedisCache

from redis.exceptions import RedisError

from cms.breaker import CircuitBreaker

logger = logging.getLogger(__name__)


class CacheUnavailable(RedisError):
    """Redis failed, or failed moments ago and was not called."""


_breakers = {}
_breakers_lock = threading.Lock()


def breaker_for(location):
    """The process's breaker for one Redis location (Django makes a cache object per thread)."""
    found = _breakers.get(location)
    if found is not None:
        return found
    with _breakers_lock:
        if location not in _breakers:
            pause = getattr(settings, "REDIS_RETRY_SECONDS", 5)
            _breakers[location] = CircuitBreaker(f"Redis {_shown(location)}", pause, log=logger)
        return _breakers[location]


def _shown(location):
    """Where Redis is, for the log: host, port and database, never a password."""
    shown = []
    for url in location.split(","):
        parts = urlsplit(url)
        shown.append(f"{parts.hostname}:{parts.port or 6379}{parts.path}")
    return ",".join(shown)


def _unavailable(*args, **kwargs):
    raise CacheUnavailable("the cache is unavailable")


def _guarded(name, fallback):
    method = getattr(RedisCache, name)

    def call(self, *args, **kwargs):
        breaker = self.breaker
        if breaker.allow():
            try:
                result = method(self, *args, **kwargs)
            except RedisError as error:
                breaker.failed(error)
            except Exception:
                breaker.succeeded()  # Redis answered (e.g. incr of a missing key: ValueError)
                raise
            else:
                breaker.succeeded()
                return result
        return fallback(*args, **kwargs)

    call.__name__ = name
    return call


def _default(key, default=None, *args, **kwargs):
    return default


def _constant(value):
    return lambda *args, **kwargs: value() if callable(value) else value


class TolerantRedisCache(RedisCache):
    get = _guarded("get", _default)
    get_many = _guarded("get_many", _constant(dict))
    has_key = _guarded("has_key", _constant(False))
    set = _guarded("set", _constant(None))
    add = _guarded("add", _constant(False))
    set_many = _guarded("set_many", lambda data, *a, **k: list(data))
    touch = _guarded("touch", _constant(False))
    delete = _guarded("delete", _constant(False))
    delete_many = _guarded("delete_many", _constant(None))
    clear = _guarded("clear", _constant(None))
    incr = _guarded("incr", _unavailable)  # decr too: BaseCache.decr calls incr

    @property
    def breaker(self):
        return breaker_for(",".join(self._servers))


def available(cache):
    """False while `cache`'s breaker refuses calls (Redis failed moments ago); True once it
    would let one try again, and for any cache without a breaker."""
    breaker = getattr(cache, "breaker", None)
    return breaker is None or not breaker.refusing
