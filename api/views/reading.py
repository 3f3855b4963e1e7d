"""How every read view answers a GET: from the response cache when it holds a valid entry, else
from the read path (api/serving/read_path.py), storing what it built.

DRF has authenticated the request, counted its rate and negotiated the media type before a
view gets here, and the view has validated its parameters: a cached answer is never served to
a request that would have been refused, and a 400 is never cached.
"""

from django.http import HttpResponse

from api.http.cache_headers import answer_response, cache_control, matches, not_modified_answer
from api.serving import response_cache

CACHED_STATUSES = (200, 301, 302)


def request_key(request):
    return response_cache.entry_key(
        request.path, request.query_params.lists(), request.accepted_media_type
    )


def entry_response(entry):
    response = HttpResponse(entry["body"], status=entry["status"])
    for name, value in entry["headers"].items():
        response[name] = value
    if "Cache-Control" in response:  # what is left of the lifetime, now
        response["Cache-Control"] = cache_control(entry["expires"])
    return response


class AnsweringMixin:
    """For DRF views whose GET handlers return `self.answered(request, build)`."""

    def answered(self, request, build, expected_keys=()):
        """`build()` returns an api.serving.read_path.ResponseParts (or raises an API error).
        `expected_keys`: the surrogate keys a cached answer is likely validated by (see
        api.serving.response_cache.Lookup)."""
        lookup = None
        if response_cache.enabled():
            lookup = response_cache.Lookup(request_key(request), expected_keys)
            if lookup.hit:
                return entry_response(lookup.hit)
        answer = build()
        if lookup is None and answer.status == 200 and matches(request, answer.etag):
            return not_modified_answer(answer.etag, answer.keys, answer.expires)
        body = answer.body()
        response = answer_response(answer, body)
        if lookup is not None and answer.status in CACHED_STATUSES:
            headers = {
                name: response[name] for name in response_cache.HEADERS_KEPT if name in response
            }
            lookup.store(answer.status, headers, body, answer.validators, answer.expires)
        return response
