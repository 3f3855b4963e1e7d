"""Stored representations: the bytes the API sends for each item, kept by api/changes.py's
refresh next to the item's fingerprint (api.models.RepresentationState), so that requests
assemble stored bytes instead of serializing pages.

A stored copy may lag the database by one worker round, but it never shows non-public content:
it carries the surrogate keys of everything it shows, and a request serves it only while every
page among them is public (api/read_path.py checks that at read time).
"""

import hashlib

from api.renderers import ORJSONRenderer
from api.serializers import LIST_SERIALIZERS

# Bump when the shape of a representation changes (a serializer, a block's API value, a
# renderer option): stored copies of another version count as missing until refreshed.
VERSION = 1

_renderer = ORJSONRenderer()


def render(data):
    """The bytes the API sends for `data`."""
    return _renderer.render(data)


def digest(encoded):
    return hashlib.sha256(encoded).hexdigest()


def list_shape(model, detail):
    """The list shape of an item, taken from its detail (a detail is the list shape plus the
    type's own fields: the same values, built by the same fields), in the list's key order."""
    return {name: detail[name] for name in LIST_SERIALIZERS[model]._declared_fields}


def keep(state, model, detail, keys, now):
    """Store on `state` (unsaved) what the API serves for the item: `detail` and its list shape
    as bytes, and the surrogate keys `keys` of everything it shows."""
    state.detail = render(detail)
    state.list_item = render(list_shape(model, detail))
    state.list_fingerprint = digest(state.list_item)
    state.shows = " ".join(sorted(keys))
    state.version = VERSION
    state.stored_at = now


def forget(state):
    """An item that left the public keeps nothing it showed."""
    state.detail = state.list_item = None
    state.list_fingerprint = state.shows = ""
    state.stored_at = None


def is_current(state):
    return state.version == VERSION and state.detail is not None
