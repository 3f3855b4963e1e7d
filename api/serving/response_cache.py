"""Whole GET responses of the public API, kept in the Django cache (Redis in production) and
purged by surrogate key.

An entry is keyed by the path, the sorted validated query and the negotiated media type (hashed),
never by the Host header or by who asked: the body never depends on the key that asked, and a
view consults the cache only after the request's key was checked and its rate counted.

Purging uses a generation counter per surrogate key (the Django cache API has no atomic set-add,
so an index of entries per key would lose members under concurrency). An entry records the
generation of each of its validating keys; it is served only while each is unchanged.
`purge(keys)` increments them, so every entry validated by any of the keys is dead at once, in
every process sharing the cache. A global generation, read before a response is built and checked
again before it is stored, keeps a response built from data a concurrent purge already replaced
from being stored under the new generations. A counter starts at the current time in
nanoseconds, not 0: one evicted and created again never matches a generation recorded before.

Which keys validate an entry (api/serving/read_path.py, `ResponseParts.validators`): its items'
collections for a list or search, the item's own page key for a detail, plus the collections of
expanded items. Those suffice because every change to what an item shows reaches it through
api/record/changes.py's refresh, which purges the changed items' page and collection keys; and a
page that stops being public purges, on commit, the items that show it (api/record/signals.py). The
`Surrogate-Key` header still names everything a response shows, for CDNs and consumers.

Restores: entry keys carry the database's namespace (api.models.ResponseCacheNamespace, read
once per process), which the restore command draws anew after restoring (api/record/backups.py), so
a restored database and the one it was copied from never share entries, even through one Redis.
Every entry also records the generation of `EVERYTHING` (read in the same round trip as the
entry), which the restore increments: processes still holding the old namespace serve nothing
cached before the restore either.
"""

import hashlib
import logging
import secrets
import time

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.utils.module_loading import import_string

from api.serving.redis_cache import CacheUnavailable

logger = logging.getLogger(__name__)

ENTRY_PREFIX = "api:response:v2:"
GENERATION_PREFIX = "api:gen:"
GLOBAL_GENERATION = f"{GENERATION_PREFIX}*"
EVERYTHING = "@all"  # a pseudo surrogate key validating every entry (no real key starts with @)
NAMESPACE_MEMORY = "api:namespace:"  # + the database's identity: its namespace, for outages
HEADERS_KEPT = (
    "Content-Type",
    "Content-Language",
    "ETag",
    "Cache-Control",
    "Surrogate-Key",
    "Cache-Tag",
    "Location",
)


def enabled():
    return getattr(settings, "API_RESPONSE_CACHE_SECONDS", 0) > 0


def entry_key(path, query_items, media_type):
    """The cache key of a response: this service's origin (processes sharing a cache may serve
    different ones), path, sorted query and media type, hashed. (A Lookup adds the database's
    namespace.)"""
    query = "&".join(f"{name}={value}" for name, value in sorted(query_items))
    request = f"{settings.API_BASE_URL}\n{path}\n{query}\n{media_type}"
    digest = hashlib.sha256(request.encode()).hexdigest()
    return ENTRY_PREFIX + digest


def generation_key(surrogate_key):
    return GENERATION_PREFIX + surrogate_key


_namespace = None  # this process's copy of the database's namespace


def namespace():
    """The database's response-cache namespace, read once per process. While the database is
    unreachable, the last one this database was seen with (kept in the cache under its
    connection settings), so a process started during an outage still serves cached answers."""
    global _namespace
    if _namespace is None:
        from api.models import ResponseCacheNamespace

        try:
            found = ResponseCacheNamespace.objects.filter(pk=ResponseCacheNamespace.ONE)
            value = found.values_list("value", flat=True).first() or ""
        except DatabaseError:
            return cache.get(namespace_memory(), "")
        cache.set(namespace_memory(), value, timeout=None)
        _namespace = value
    return _namespace


def namespace_memory():
    """Where the cache remembers the namespace of the database this process uses."""
    db = connection.settings_dict
    identity = f"{db['ENGINE']}|{db.get('HOST')}|{db.get('PORT')}|{db['NAME']}"
    return NAMESPACE_MEMORY + hashlib.sha256(identity.encode()).hexdigest()[:24]


def rotate_namespace():
    """Give the database a new namespace (after a restore: see api/record/backups.py). Entries
    stored under the old one are never served again by a process that reads the new one; `purge_all`
    ends them for the others. Returns the new namespace."""
    global _namespace
    from api.models import ResponseCacheNamespace

    value = secrets.token_hex(8)
    ResponseCacheNamespace.objects.update_or_create(
        pk=ResponseCacheNamespace.ONE, defaults={"value": value}
    )
    cache.set(namespace_memory(), value, timeout=None)
    _namespace = value
    return value


class Lookup:
    """One request's view of the cache: `hit` (a stored entry still valid) or, on a miss, what
    `store` needs to store the response built instead. Entries are kept under `key` in the
    database's namespace."""

    def __init__(self, key, expected=()):
        """`expected`: surrogate keys the entry is likely validated by (a list's collection),
        read in the same round trip as the entry."""
        self.key = f"{key}:{namespace()}"
        names = [generation_key(k) for k in [EVERYTHING, *expected]]
        found = cache.get_many([self.key, GLOBAL_GENERATION, *names])
        self.global_generation = found.get(GLOBAL_GENERATION, 0)
        self.hit = self._valid(found.get(self.key), {name: found.get(name) for name in names})

    @staticmethod
    def _valid(entry, known=None):
        if not entry:
            return None
        generations = entry["generations"]
        current = dict(known or {})
        missing = [generation_key(k) for k in generations if generation_key(k) not in current]
        if missing:
            current.update(cache.get_many(missing))
        for surrogate_key, generation in generations.items():
            if current.get(generation_key(surrogate_key)) != generation:
                return None
        if entry["expires"] is not None and entry["expires"] <= time.time():
            return None
        return entry

    def store(self, status, headers, body, surrogate_keys, expires=None):
        """Keep the response, unless a purge ran since this lookup (its data may predate it).
        `expires` (a unix time) ends the entry earlier than the configured lifetime, e.g. when
        a page it shows expires."""
        seconds = settings.API_RESPONSE_CACHE_SECONDS
        if expires is not None:
            seconds = min(seconds, int(expires - time.time()))
        if seconds <= 0:
            return
        surrogate_keys = [EVERYTHING, *surrogate_keys]
        names = [generation_key(k) for k in surrogate_keys]
        current = cache.get_many([*names, GLOBAL_GENERATION])
        if current.get(GLOBAL_GENERATION, 0) != self.global_generation:
            return
        missing = [name for name in names if name not in current]
        for name in missing:
            cache.add(name, time.time_ns(), timeout=None)
        if missing:
            current.update(cache.get_many(missing))
        generations = {}
        for surrogate_key, name in zip(surrogate_keys, names, strict=True):
            if name not in current:  # the cache refused it (an outage): don't store
                return
            generations[surrogate_key] = current[name]
        entry = {
            "status": status,
            "headers": headers,
            "body": body,
            "generations": generations,
            "expires": expires,
        }
        cache.set(self.key, entry, seconds)


def purge(surrogate_keys):
    """End every cached response that shows any of `surrogate_keys`, here and at the CDN."""
    surrogate_keys = sorted(set(surrogate_keys))
    if not surrogate_keys:
        return
    for name in [*(generation_key(k) for k in surrogate_keys), GLOBAL_GENERATION]:
        _increment(name)
    cdn_purger().purge(surrogate_keys)


def purge_all():
    """End every cached response, in every process sharing the cache whatever namespace it
    holds, and everything at the CDN (after a restore)."""
    for name in (generation_key(EVERYTHING), GLOBAL_GENERATION):
        _increment(name)
    cdn_purger().purge_all()


def _increment(name):
    try:
        try:
            cache.incr(name)
        except ValueError:  # no counter yet: nothing was stored under it, but a racer may be
            if not cache.add(name, time.time_ns(), timeout=None):
                cache.incr(name)
    except CacheUnavailable:
        # An outage (logged once by the cache's breaker): the entries it leaves behind end
        # with the cache, or at the latest API_RESPONSE_CACHE_SECONDS after they were stored.
        pass
    except Exception:  # noqa: BLE001 - anything else: entries expire anyway; say so
        logger.warning("Could not purge %s from the response cache.", name, exc_info=True)


class SurrogateKeyPurger:
    """A CDN that purges by surrogate key (Fastly `Surrogate-Key`, Cloudflare `Cache-Tag`).
    The default does nothing: set API_CDN_PURGER to a subclass's dotted path."""

    def purge(self, keys):
        """Purge every object tagged with any of `keys`."""

    def purge_all(self):
        """Purge everything this service put in the CDN (after a restore: answers of the lost
        history must not be served). Override it (Fastly's `purge_all`, Cloudflare's
        `purge_everything`); `manage.py after_restore` says when a configured purger cannot."""


class RecordingPurger(SurrogateKeyPurger):
    """For tests: remembers what was purged (class-wide, across instances); everything is
    recorded as ["*"]."""

    purged = []

    def purge(self, keys):
        type(self).purged.append(list(keys))

    def purge_all(self):
        type(self).purged.append(["*"])


def cdn_purger():
    path = getattr(settings, "API_CDN_PURGER", "")
    return import_string(path)() if path else SurrogateKeyPurger()
