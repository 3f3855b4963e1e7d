"""The response cache's purge by surrogate key (api/response_cache.py): generation counters, so
no entry that showed a purged key is ever served again, in any process sharing the cache.

Refresh purges it; the views do not consult it yet (the fast read path is in progress): these
tests pin the building block's rules."""

import time

import pytest

from api import response_cache
from api.response_cache import Lookup, RecordingPurger, entry_key, purge


@pytest.fixture(autouse=True)
def enabled(settings):
    settings.API_RESPONSE_CACHE_SECONDS = 300
    settings.API_CDN_PURGER = "api.response_cache.RecordingPurger"
    RecordingPurger.purged = []


KEY = entry_key("/api/v1/conditions/", [("limit", "5")], "application/json")


def store(keys, body=b"{}", expires=None):
    Lookup(KEY).store(200, {"Content-Type": "application/json"}, body, keys, expires)


def test_the_key_ignores_query_order_and_names_the_media_type():
    same = entry_key("/p/", [("b", "2"), ("a", "1")], "application/json")
    assert same == entry_key("/p/", [("a", "1"), ("b", "2")], "application/json")
    assert same != entry_key("/p/", [("a", "1"), ("b", "2")], "application/problem+json")
    assert same != entry_key("/p/", [("a", "1")], "application/json")


def test_a_stored_response_is_a_hit_until_a_key_it_shows_is_purged():
    assert Lookup(KEY).hit is None
    store(["collection-conditions", "page-1", "page-2"], b'{"a":1}')
    assert Lookup(KEY).hit["body"] == b'{"a":1}'
    purge(["page-99"])  # not shown: still a hit
    assert Lookup(KEY).hit is not None
    purge(["page-2"])
    assert Lookup(KEY).hit is None
    assert RecordingPurger.purged == [["page-99"], ["page-2"]]  # the CDN hears the same keys


def test_a_purge_between_lookup_and_store_keeps_the_response_out():
    """The response was built from data the purge replaced: storing it would serve stale data
    under the new generations."""
    lookup = Lookup(KEY)
    purge(["page-7"])
    lookup.store(200, {}, b"stale", ["page-1"])
    assert Lookup(KEY).hit is None


def test_an_entry_ends_when_a_page_it_shows_expires(monkeypatch):
    now = time.time()
    store(["page-1"], expires=now + 3600)
    assert Lookup(KEY).hit is not None
    monkeypatch.setattr(response_cache.time, "time", lambda: now + 3601)
    assert Lookup(KEY).hit is None


def test_a_response_showing_an_expired_page_is_not_stored():
    store(["page-1"], expires=time.time() - 1)
    assert Lookup(KEY).hit is None


def test_nothing_is_stored_when_the_cache_is_off(settings):
    settings.API_RESPONSE_CACHE_SECONDS = 0
    assert not response_cache.enabled()
    store(["page-1"])
    assert Lookup(KEY).hit is None


def test_purging_a_key_never_seen_before_works():
    purge(["page-12345"])
    purge(["page-12345"])
    store(["page-12345"])
    assert Lookup(KEY).hit is not None


def test_refresh_purges_what_changed_and_its_collection(seeded, django_capture_on_commit_callbacks):
    from pages.models import CausePage, ConditionPage

    shingles = CausePage.objects.get(slug="shingles")
    condition = ConditionPage.objects.get(slug="neuropathic-pain")
    store(["collection-conditions", f"page-{condition.pk}"])
    RecordingPurger.purged = []
    with django_capture_on_commit_callbacks(execute=True):
        shingles.unpublish()
    purged = set().union(*RecordingPurger.purged)
    # the unpublished cause, the condition that linked to it, and both collections
    assert {f"page-{shingles.pk}", f"page-{condition.pk}", "collection-causes"} <= purged
    assert "collection-conditions" in purged
    assert Lookup(KEY).hit is None
