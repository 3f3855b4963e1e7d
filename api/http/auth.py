"""API keys and rate limits.

Requests may carry `Authorization: Bearer <key>` (or `X-Api-Key: <key>`). No key: served at the
anonymous rate, per client address. A valid key: served at its own rate, per key. An unknown or
malformed key: 401. A revoked key: 403. A key without the scope an endpoint needs (`read` for
content, `preview`, `campaigns`): 403 naming it. Over the rate: 429 with `Retry-After`.
Counters live in the cache, so every web process shares them when the cache is Redis. A key's
last use is written at most once a minute (a cache entry gates it), never on every request, and
after the response has been sent: a database that is away neither delays nor fails a request.

A key's row is cached for CACHE_SECONDS, then read again. While the database is unreachable,
a key read from it less than API_KEY_OUTAGE_SECONDS ago is still accepted as it was then, so
cached answers keep being served to key holders. Revoking a key deletes its cached copy from
the shared cache at once; the longest a revoked key can still be accepted is therefore
CACHE_SECONDS when that delete did not reach a process (no shared cache, or Redis down at that
moment), and API_KEY_OUTAGE_SECONDS when in addition the database is unreachable.
"""

import functools
import hashlib
import ipaddress
import logging
import re
import secrets
import threading
import time

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions, throttling

from api.http.cache_headers import mark_private
from api.models import ApiKey
from api.serving.redis_cache import CacheUnavailable
from cms.database import DATABASE_ERRORS, deadlines

logger = logging.getLogger(__name__)
KEY_PREFIX = "cms"
CACHE_SECONDS = 60  # a key's cached row is read again from the database after this long
# What new_secret() hands out: cms_<8 hex>_<43 url-safe characters>; anything else is a 401.
KEY_SHAPE = re.compile(rf"{KEY_PREFIX}_[0-9a-f]{{8}}_[A-Za-z0-9_-]{{20,64}}")


def hash_secret(secret):
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret():
    """(prefix, secret hash, the key to hand over): the key itself is shown once, never stored."""
    prefix, secret = secrets.token_hex(4), secrets.token_urlsafe(32)
    return prefix, hash_secret(secret), f"{KEY_PREFIX}_{prefix}_{secret}"


def create_key(name, channel=ApiKey.Channel.WEB, requests_per_minute=None, scopes=None):
    """A new key: (ApiKey row, the key to hand over)."""
    prefix, secret_hash, raw = new_secret()
    key = ApiKey.objects.create(
        name=name,
        channel=channel,
        prefix=prefix,
        secret_hash=secret_hash,
        requests_per_minute=requests_per_minute,
        scopes=list(scopes) if scopes is not None else [ApiKey.Scope.READ],
    )
    return key, raw


def cache_key(prefix):
    return f"api:key:v3:{prefix}"


USE_SECONDS = 60  # a key's last use is written at most this often
_uses = threading.local()  # ids of the keys whose last use this thread's request writes


def note_use(key):
    """Record that `key` was used: one UPDATE a minute at most, whatever the request rate,
    written once the response has been sent (`write_last_uses`)."""
    try:
        first_this_minute = cache.add(f"api:key:used:{key['id']}", 1, USE_SECONDS)
    except Exception:  # noqa: BLE001 - cache unreachable: skip the bookkeeping, serve
        return
    if first_this_minute:
        _uses.ids = {*getattr(_uses, "ids", ()), key["id"]}


def write_last_uses(**kwargs):
    """On request_finished, when the response has been sent: the last use of the keys the
    request used. A database that is away skips it (waiting DB_CONNECT_TIMEOUT at most)."""
    ids = getattr(_uses, "ids", None)
    if not ids:
        return
    _uses.ids = set()
    try:
        with deadlines.limit(settings.DB_CONNECT_TIMEOUT, "Writing API keys' last use"):
            ApiKey.objects.filter(pk__in=sorted(ids)).update(last_used_at=timezone.now())
    except DATABASE_ERRORS:
        logger.info("API keys' last use not written: the database is unreachable.")


def forget_key(sender, instance, **kwargs):
    cache.delete(cache_key(instance.prefix))


def revoke_date(sender, instance, **kwargs):
    if not instance.is_active and instance.revoked_at is None:
        instance.revoked_at = timezone.now()
    elif instance.is_active:
        instance.revoked_at = None


def lookup(prefix):
    """{'id', 'secret_hash', 'is_active', 'revoked_at', 'rate'} of the key, cached (dropped by
    a signal whenever the key is saved or deleted): read again after CACHE_SECONDS, or kept
    up to API_KEY_OUTAGE_SECONDS while the database is unreachable (see the module's notes)."""
    cached = cache.get(cache_key(prefix))
    now = time.time()
    if cached is not None and now - cached["read_at"] < CACHE_SECONDS:
        return cached["key"] or None
    try:
        row = ApiKey.objects.filter(prefix=prefix).first()
    except DATABASE_ERRORS:
        if cached and cached["key"] and now - cached["read_at"] < settings.API_KEY_OUTAGE_SECONDS:
            return cached["key"]
        raise
    found = row and {
        "id": row.pk,
        "name": row.name,
        "secret_hash": row.secret_hash,
        "is_active": row.is_active,
        "revoked_at": row.revoked_at,
        "rate": row.requests_per_minute,
        "channel": row.channel,
        "scopes": list(row.scopes or []),
    }
    # An unknown key is remembered for a minute only: during an outage it gets a 503.
    kept = max(CACHE_SECONDS, settings.API_KEY_OUTAGE_SECONDS) if found else CACHE_SECONDS
    cache.set(cache_key(prefix), {"key": found or False, "read_at": now}, kept)
    return found or None


class Consumer:
    """request.user for a request with a valid key."""

    is_authenticated = True

    def __init__(self, key):
        self.key = key

    def __str__(self):
        return self.key["name"]


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        raw = self.raw_key(request)
        if raw is None:
            return None
        parts = raw.split("_", 2)  # the secret itself may contain "_"
        well_formed = len(parts) == 3 and KEY_SHAPE.fullmatch(raw)  # before any cache lookup
        key = well_formed and lookup(parts[1])
        if not key or not secrets.compare_digest(key["secret_hash"], hash_secret(parts[2])):
            raise exceptions.AuthenticationFailed(
                "This API key is not valid. Check it was copied whole, or ask for a new one; "
                "requests without a key are served at the anonymous rate."
            )
        if not key["is_active"]:
            revoked = key["revoked_at"]
            when = f" on {revoked:%Y-%m-%d}" if revoked else ""
            raise exceptions.PermissionDenied(
                f"This API key was revoked{when}. Ask the CMS team for a new one."
            )
        note_use(key)
        return Consumer(key), key

    def raw_key(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1").strip()
        if header:
            scheme, _, value = header.partition(" ")
            if scheme.lower() != self.keyword.lower() or not value.strip():
                raise exceptions.AuthenticationFailed(
                    "Send the key as 'Authorization: Bearer <key>'."
                )
            return value.strip()
        return request.headers.get("X-Api-Key") or None

    def authenticate_header(self, request):
        return f'{self.keyword} realm="api"'


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = ApiKeyAuthentication
    name = "ApiKey"

    def get_security_requirement(self, auto_schema):
        """The key, or (unless API_REQUIRE_KEY) none: anonymous requests are served too, at
        a lower rate."""
        return [{self.name: []}] + ([] if settings.API_REQUIRE_KEY else [{}])

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "Required (API_REQUIRE_KEY is on)."
                if settings.API_REQUIRE_KEY
                else "Optional. A key lifts the rate limit from the anonymous rate to its own."
            )
            + " Also accepted as an `X-Api-Key` header.",
        }


class ConsumerRateThrottle(throttling.BaseThrottle):
    """Per key at the key's rate (or API_KEY_RATE); per client address at API_ANONYMOUS_RATE.
    A fixed-window counter: one atomic cache increment per request, shared by every process."""

    def allow_request(self, request, view):
        key = getattr(request.user, "key", None)
        if key:
            scope = f"key-{key['id']}"
            rate = f"{key['rate']}/min" if key["rate"] else settings.API_KEY_RATE
        else:
            scope = f"anon-{self.get_ident(request)}"
            rate = settings.API_ANONYMOUS_RATE
        limit, duration = throttling.SimpleRateThrottle.parse_rate(None, rate)
        now = time.time()
        window = int(now // duration)
        counter = f"api:throttle:{scope}:{window}"
        self.wait_seconds = (window + 1) * duration - now
        try:
            count = self.count(counter, duration + 1)
        except CacheUnavailable:  # an outage, logged once by the cache's breaker: serve
            return True
        except Exception:  # noqa: BLE001 - anything else: serve rather than fail, and say so
            logger.warning("Rate limit not applied: the cache failed.", exc_info=True)
            return True
        return count <= limit

    @staticmethod
    def count(counter, seconds):
        """This request's number in the window: one cache operation once the window has begun."""
        try:
            return cache.incr(counter)
        except ValueError:  # the window's first request (or its counter expired)
            if cache.add(counter, 1, seconds):
                return 1
            try:
                return cache.incr(counter)
            except ValueError:  # expired between add and incr: count it as the first
                return 1

    def wait(self):
        return self.wait_seconds

    def get_ident(self, request):
        return client_address(request)


@functools.lru_cache(maxsize=4)
def trusted_networks(entries):
    """API_TRUSTED_PROXIES (validated by the settings) as networks."""
    return tuple(ipaddress.ip_network(entry) for entry in entries)


def parse_address(text):
    """The IP address in a REMOTE_ADDR or an X-Forwarded-For hop, or None. A port some proxies
    add is dropped (203.0.113.5:4711, [2001:db8::1]:4711) and an IPv4-mapped IPv6 address is
    its IPv4 address, so one client has one address whatever the socket family."""
    text = text.strip()
    if text.startswith("["):
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    return getattr(address, "ipv4_mapped", None) or address


def client_address(request):
    """The client's address, for the API's rate limits and the admin's sign-in throttling
    (AXES_CLIENT_IP_CALLABLE): one function, so both see the same client.

    The connection's peer, unless that peer is a proxy in API_TRUSTED_PROXIES: then
    X-Forwarded-For is read from the right, each trusted proxy's hop skipped, and the first
    address no trusted proxy owns is the client (each proxy appends the address it saw, or
    writes the header afresh as the stack's nginx does, so what a client writes into the header
    itself lies further left and is never reached). A client
    that reaches the web processes directly is its own address whatever it sends. A hop that
    is not an address ends the walk at the trusted proxy that forwarded it. Only a well-formed
    IP address ever goes into a cache key."""
    address = parse_address(request.META.get("REMOTE_ADDR", ""))
    if address is None:
        return "unknown"
    networks = trusted_networks(tuple(settings.API_TRUSTED_PROXIES))
    hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    while hops and any(address in network for network in networks):
        hop = hops.pop().strip()
        if hop:
            forwarded = parse_address(hop)
            if forwarded is None:
                break
            address = forwarded
    return str(address)


class MissingScope(exceptions.PermissionDenied):
    type_slug = "scope-missing"

    def __init__(self, scope):
        super().__init__(
            f"This API key lacks the '{scope}' scope. Ask the CMS team for a key with it "
            "(admin: Settings > API keys; or manage.py create_api_key NAME --scopes ...)."
        )


def require_scope(request, scope, key_required=True):
    """401 without a key (when `key_required`), 403 naming `scope` for a key without it. An
    answer that needed the key is private (api.http.cache_headers.mark_private)."""
    if key_required:
        mark_private(request)
    if not isinstance(request.user, Consumer):
        if key_required:
            raise exceptions.NotAuthenticated(
                f"This needs an API key with the '{scope}' scope: send it as "
                "'Authorization: Bearer <key>'."
            )
        return
    if scope not in request.user.key["scopes"]:
        raise MissingScope(scope)


class KeyRequiredWhenConfigured(permissions.BasePermission):
    """With API_REQUIRE_KEY, a request without a key is a 401; otherwise anyone may read. A
    key sent must have the `read` scope."""

    message = "This API needs a key: send it as 'Authorization: Bearer <key>'."

    def has_permission(self, request, view):
        if settings.API_REQUIRE_KEY:
            mark_private(request)
        if isinstance(request.user, Consumer):
            require_scope(request, ApiKey.Scope.READ, key_required=settings.API_REQUIRE_KEY)
            return True
        return not settings.API_REQUIRE_KEY


class CampaignsKeyWhenConfigured(permissions.BasePermission):
    """With CAMPAIGNS_REQUIRE_KEY, campaigns need a key with the `campaigns` scope."""

    def has_permission(self, request, view):
        if settings.CAMPAIGNS_REQUIRE_KEY:
            require_scope(request, ApiKey.Scope.CAMPAIGNS)
        return True
