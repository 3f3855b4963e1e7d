"""HTTP caching for /api/ GET responses: ETag + If-None-Match → 304, Cache-Control, and the
surrogate keys CDNs purge by (`Surrogate-Key` for Fastly, `Cache-Tag` for Cloudflare)."""

import hashlib

from django.conf import settings
from django.http import HttpResponseNotModified
from django.utils.http import parse_etags

from pages.representation import is_collection_key

SURROGATE_HEADER_LIMIT = 16_000  # bytes; longer key lists fall back to the collection keys


def surrogate_header_values(keys):
    keys = list(dict.fromkeys(keys))
    if len(" ".join(keys)) > SURROGATE_HEADER_LIMIT:
        keys = [key for key in keys if is_collection_key(key)]
    return " ".join(keys), ",".join(keys)


class ApiCachingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith("/api/") or request.method not in ("GET", "HEAD"):
            return response
        if response.status_code != 200 or response.streaming:
            return response
        # Weak: the bytes may be compressed on the way, the representation is the same.
        etag = f'W/"{hashlib.sha256(response.content).hexdigest()[:40]}"'
        response["ETag"] = etag
        if "Cache-Control" not in response:
            response["Cache-Control"] = settings.API_CACHE_CONTROL
        keys = getattr(response, "surrogate_keys", None)
        if keys:
            response["Surrogate-Key"], response["Cache-Tag"] = surrogate_header_values(keys)
        if_none_match = request.headers.get("If-None-Match")
        if if_none_match:
            wanted = {tag.removeprefix("W/") for tag in parse_etags(if_none_match)}
            if "*" in wanted or etag.removeprefix("W/") in wanted:
                not_modified = HttpResponseNotModified()
                for header in ("ETag", "Cache-Control", "Surrogate-Key", "Cache-Tag", "Vary"):
                    if header in response:
                        not_modified[header] = response[header]
                return not_modified
        return response
