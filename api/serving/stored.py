"""Stored representations: the bytes the API sends for each item, kept by api/record/changes.py's
refresh next to the item's fingerprint (api.models.RepresentationState), so that requests
assemble stored bytes instead of serializing pages (api/serving/read_path.py).

A stored copy may lag the database by one worker round, but it never shows non-public content:
it carries the surrogate keys of everything it shows, and a request serves it only while every
page among them is public (api/serving/read_path.py checks that at read time).
"""

import hashlib

from django.core.serializers.json import DjangoJSONEncoder

import orjson

from api.http.renderers import ORJSONRenderer
from shapes.representation import APP, WEB
from shapes.serializers import DETAIL, LIST

# Bump when the shape of a representation changes (a serializer, a block's API value, a
# renderer option): stored copies of another version count as missing until refreshed.
VERSION = 9  # 9: a translation lists what links its source from the other end

# (channel, shape): the columns of api.models.RepresentationState holding its bytes and their
# fingerprint. Both channels' copies of a shape show the same things: one column of keys.
COLUMNS = {
    (WEB, DETAIL): ("detail", "fingerprint"),
    (WEB, LIST): ("list_item", "list_fingerprint"),
    (APP, DETAIL): ("app_detail", "app_fingerprint"),
    (APP, LIST): ("app_list_item", "app_list_fingerprint"),
}
KEYS_COLUMNS = {DETAIL: "detail_keys", LIST: "list_keys"}
SHAPES = tuple(COLUMNS)

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


def copy_digest(shape, data, body):
    """The fingerprint of one shape's bytes `body` (of `data`): a detail's is `fingerprint`,
    what `changed_at` and the change record follow; a list shape's, its bytes' sha256."""
    return fingerprint(data) if shape == DETAIL else digest(body)


def rendered(shapes):
    """{(channel, shape): (bytes, fingerprint)} for `shapes` {(channel, shape): Represented}."""
    found = {}
    for (channel, shape), item in shapes.items():
        body = render(item.data)
        found[channel, shape] = (body, copy_digest(shape, item.data, body))
    return found


def copies_differ(state, copies):
    """Whether `copies` (from `rendered`) fingerprint otherwise than what `state` stored."""
    return any(getattr(state, COLUMNS[key][1]) != digest_ for key, (_, digest_) in copies.items())


def store_copies(state, shapes, copies, now):
    """Store on `state` (unsaved) what the API serves for the item: `copies` (from `rendered`)
    of `shapes` {(channel, shape): Represented}, with the surrogate keys of everything each
    shape shows."""
    for key, (body, digest_) in copies.items():
        body_column, digest_column = COLUMNS[key]
        setattr(state, body_column, body)
        setattr(state, digest_column, digest_)
    for shape, column in KEYS_COLUMNS.items():
        keys = set().union(*(item.keys for (_, s), item in shapes.items() if s == shape))
        setattr(state, column, " ".join(sorted(keys)))
    state.version = VERSION
    state.stored_at = now


def drop_copies(state):
    """An item that left the public keeps nothing it showed."""
    for body_column, digest_column in COLUMNS.values():
        setattr(state, body_column, None)
        setattr(state, digest_column, "")
    state.detail_keys = state.list_keys = ""
    state.stored_at = None


def is_current(state):
    return state.version == VERSION and all(
        getattr(state, body_column) is not None for body_column, _ in COLUMNS.values()
    )
