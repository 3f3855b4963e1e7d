"""HTTP caching for /api/ GET responses: ETag + If-None-Match → 304, Cache-Control, and the
surrogate keys CDNs purge by (`Surrogate-Key` for Fastly, `Cache-Tag` for Cloudflare).

Read-path views (api/views/reading.py) set the ETag themselves, from the items' fingerprints;
the middleware gives every other 200 an ETag from its bytes and answers If-None-Match for all.
"""

import hashlib
import re
import time

from django.conf import settings
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.http import parse_etags

from pages.selectors import default_language
from shapes.representation import is_collection_key

SURROGATE_HEADER_LIMIT = 16_000  # bytes; longer key lists fall back to the collection keys
NOT_MODIFIED_HEADERS = ("ETag", "Cache-Control", "Surrogate-Key", "Cache-Tag", "Vary")
LIFETIME_DIRECTIVE = re.compile(r"^\s*(max-age|s-maxage)\s*=\s*(\d+)\s*$", re.I)
STALE_DIRECTIVE = re.compile(r"^\s*stale-(while-revalidate|if-error)\b", re.I)


def surrogate_header_values(keys):
    keys = list(dict.fromkeys(keys))
    if len(" ".join(keys)) > SURROGATE_HEADER_LIMIT:
        keys = [key for key in keys if is_collection_key(key)]
    return " ".join(keys), ",".join(keys)


def cache_control(expires=None):
    """API_CACHE_CONTROL, or when a page the response shows expires sooner than it allows
    (`expires`, a unix time), lifetimes cut to that moment and no stale serving after it.
    (An answer that needed a key is made `private` on its way out: `mark_private`.)"""
    value = settings.API_CACHE_CONTROL
    if expires is None:
        return value
    left = max(0, int(expires - time.time()))
    directives = []
    for directive in value.split(","):
        lifetime = LIFETIME_DIRECTIVE.match(directive)
        if lifetime:
            directive = f"{lifetime.group(1)}={min(int(lifetime.group(2)), left)}"
        elif STALE_DIRECTIVE.match(directive):
            continue
        directives.append(directive.strip())
    return ", ".join(directives)


def mark_private(request):
    """The answer to `request` (Django's or DRF's) needed an API key or a scope: no shared
    cache (a CDN, a proxy) may keep it and hand it to someone else."""
    getattr(request, "_request", request).api_private = True


def private_cache_control(value):
    """`value` (a Cache-Control header) for one client's cache only: `private`, its max-age
    kept; what addresses shared caches (public, s-maxage, stale serving) dropped. `no-store`
    stays as it is: no cache keeps it."""
    if "no-store" in value.lower():
        return value
    kept = [
        directive.strip()
        for directive in value.split(",")
        if directive.strip()
        and directive.split("=")[0].strip().lower()
        not in {"public", "private", "s-maxage", "stale-while-revalidate", "stale-if-error"}
    ]
    return ", ".join(["private", *kept])


def etag_of(content):
    # Weak: the bytes may be compressed on the way, the representation is the same.
    return f'W/"{hashlib.sha256(content).hexdigest()[:40]}"'


def matches(request, etag):
    """Does the request's If-None-Match name `etag` (or `*`)?"""
    if_none_match = request.headers.get("If-None-Match")
    if not if_none_match or not etag:
        return False
    wanted = {tag.removeprefix("W/") for tag in parse_etags(if_none_match)}
    return "*" in wanted or etag.removeprefix("W/") in wanted


def not_modified(response):
    """The 304 for `response`: no body, its validators and caching headers."""
    answer = HttpResponseNotModified()
    for header in NOT_MODIFIED_HEADERS:
        if header in response:
            answer[header] = response[header]
    return answer


def not_modified_answer(etag, keys, expires=None):
    """The 304 for an answer known by its validators, before any body is assembled."""
    answer = HttpResponseNotModified()
    set_caching_headers(answer, etag, keys, expires)
    return answer


def set_caching_headers(response, etag, keys, expires=None):
    response["ETag"] = etag
    response["Cache-Control"] = cache_control(expires)
    if keys:
        response["Surrogate-Key"], response["Cache-Tag"] = surrogate_header_values(keys)


def answer_response(answer, body):
    """The HttpResponse for a read-path answer (api.serving.read_path.ResponseParts) and its
    assembled body."""
    response = HttpResponse(body, status=answer.status, content_type="application/json")
    for name, value in answer.headers.items():
        response[name] = value
    if answer.status == 200:
        set_caching_headers(response, answer.etag, answer.keys, answer.expires)
    elif answer.keys:
        response["Surrogate-Key"], response["Cache-Tag"] = surrogate_header_values(answer.keys)
    return response


class ApiCachingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.validated(request, self.get_response(request))
        if request.path.startswith("/api/") and "Content-Language" not in response:
            # what is not in a content language (problems, sync envelopes) is in the default
            response["Content-Language"] = default_language()
        if getattr(request, "api_private", False) and "Cache-Control" in response:
            response["Cache-Control"] = private_cache_control(response["Cache-Control"])
        return response

    def validated(self, request, response):
        """An ETag and Cache-Control on every 200 of the API; a 304 when If-None-Match names
        its ETag."""
        if not request.path.startswith("/api/") or request.method not in ("GET", "HEAD"):
            return response
        if response.status_code != 200 or response.streaming:
            return response
        if "ETag" not in response:  # not a read-path answer: an ETag from the bytes
            response["ETag"] = etag_of(response.content)
            if "Cache-Control" not in response:
                response["Cache-Control"] = cache_control()
        if matches(request, response["ETag"]):
            return not_modified(response)
        return response
