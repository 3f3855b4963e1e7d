"""Stored representations: the bytes the API sends for each item, kept by api/changes.py's
refresh next to the item's fingerprint (api.models.RepresentationState), so that requests
assemble stored bytes instead of serializing pages (api/read_path.py).

A stored copy may lag the database by one worker round, but it never shows non-public content:
it carries the surrogate keys of everything it shows, and a request serves it only while every
page among them is public (api/read_path.py checks that at read time).
"""

import hashlib

from django.core.serializers.json import DjangoJSONEncoder

import orjson

from api.renderers import ORJSONRenderer

# Bump when the shape of a representation changes (a serializer, a block's API value, a
# renderer option): stored copies of another version count as missing until refreshed.
VERSION = 2

_renderer = ORJSONRenderer()


def render(data):
    """The bytes the API sends for `data`."""
    return _renderer.render(data)


def digest(encoded):
    return hashlib.sha256(encoded).hexdigest()


def fingerprint(data):
    """sha256 of a detail representation, keys sorted: what `changed_at` follows."""
    encoded = orjson.dumps(data, default=DjangoJSONEncoder().default, option=orjson.OPT_SORT_KEYS)
    return digest(encoded)


def keep(state, detail, item, now):
    """Store on `state` (unsaved) what the API serves for the item: `detail` and `item` (its
    list shape; both api.represent.Represented) as bytes, with the surrogate keys of everything
    each shows. The detail's fingerprint is the caller's (it decides `changed_at` by it)."""
    state.detail = render(detail.data)
    state.list_item = render(item.data)
    state.list_fingerprint = digest(state.list_item)
    state.shows = " ".join(sorted(detail.keys))
    state.list_shows = " ".join(sorted(item.keys))
    state.version = VERSION
    state.stored_at = now


def forget(state):
    """An item that left the public keeps nothing it showed."""
    state.detail = state.list_item = None
    state.list_fingerprint = state.shows = state.list_shows = ""
    state.stored_at = None


def is_current(state):
    return state.version == VERSION and state.detail is not None
