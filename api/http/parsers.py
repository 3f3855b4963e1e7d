"""The JSON request-body parser of every API view that takes a body.

DRF's own JSONParser hands the body to Python's `json`, which recurses once per nesting level:
2 KB of `[` was a RecursionError (a 500), and a body nested less deeply still broke whatever
walked it afterwards (a serializer calling `str()` on it). Here a body is read up to Django's
DATA_UPLOAD_MAX_MEMORY_SIZE (413 past it), must be UTF-8 (RFC 8259; a `charset` changes
nothing), is parsed by orjson (strict JSON: no NaN or Infinity, no lone surrogates, no numbers
beyond a double, at most 1,024 levels, never recursing in Python) and may nest at most
MAX_DEPTH levels. Whatever fails is a ParseError: a 400 problem (api/http/problems.py).
"""

from django.conf import settings

import orjson
from rest_framework import exceptions, parsers, status

MAX_DEPTH = 32  # arrays and objects within one another; the API's bodies need 2


class ContentTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."


def depth_exceeds(data, limit):
    """Do arrays and objects nest more than `limit` levels deep in `data`? (No recursion.)"""
    level = [data]  # the values inside as many arrays and objects as times round the loop
    for _ in range(limit):
        level = [
            child
            for node in level
            if isinstance(node, dict | list)
            for child in (node.values() if isinstance(node, dict) else node)
        ]
    return any(isinstance(node, dict | list) for node in level)


class JSONParser(parsers.BaseParser):
    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE  # None: no limit
        body = stream.read(-1 if limit is None else limit + 1)
        if limit is not None and len(body) > limit:
            raise ContentTooLarge(f"The request body is over {limit:,} bytes.")
        try:
            data = orjson.loads(body)
        except orjson.JSONDecodeError as error:
            raise exceptions.ParseError(f"Not JSON (UTF-8, RFC 8259): {error}") from None
        if depth_exceeds(data, MAX_DEPTH):
            raise exceptions.ParseError(f"Nested over {MAX_DEPTH} levels deep.")
        return data
