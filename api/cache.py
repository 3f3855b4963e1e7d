"""The shared cache may fail; the API must not. Redis errors on reads and writes are logged and
treated as a miss (or a no-op), so an outage costs speed (facts recomputed from the database,
rate limits not applied), never a 500. /readyz/ reports the cache as degraded meanwhile."""

import logging

from django.core.cache.backends.redis import RedisCache

from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


def _tolerant(name, fallback):
    method = getattr(RedisCache, name)

    def call(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except RedisError:
            logger.warning("Cache %s failed: serving without the cache.", name, exc_info=True)
            return fallback(*args, **kwargs) if callable(fallback) else fallback

    call.__name__ = name
    return call


def _default(key, default=None, *args, **kwargs):
    return default


class TolerantRedisCache(RedisCache):
    get = _tolerant("get", _default)
    get_many = _tolerant("get_many", {})
    has_key = _tolerant("has_key", False)
    set = _tolerant("set", None)
    add = _tolerant("add", False)
    set_many = _tolerant("set_many", lambda data, *a, **k: list(data))
    touch = _tolerant("touch", False)
    delete = _tolerant("delete", False)
    delete_many = _tolerant("delete_many", None)
    clear = _tolerant("clear", None)
    # incr/decr still raise: a counter that silently stays at 1 would look like a real count
    # (api.auth's throttle catches the error and lets the request through).
