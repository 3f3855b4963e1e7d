"""The response cache (api/serving/response_cache.py): whole answers kept and purged by surrogate
key with generation counters, so no entry validated by a purged key is ever served again, in any
process sharing the cache; consulted by every read view after the request's key and rate were
checked (api/views/reading.py)."""

import datetime
import time

from django.utils import timezone

from wagtail.models import PageViewRestriction

import pytest

from api.serving import response_cache
from api.serving.response_cache import Lookup, RecordingPurger, entry_key, purge

SEED_ONCE = True  # every database test here reads the seed (tests/conftest.py)


@pytest.fixture(autouse=True)
def enabled(settings, monkeypatch):
    settings.API_RESPONSE_CACHE_SECONDS = 300
    monkeypatch.setattr(response_cache, "_namespace", "test")  # as if read from the database
    settings.API_CDN_PURGER = "api.serving.response_cache.RecordingPurger"
    RecordingPurger.purged = []


KEY = entry_key("/api/v1/conditions/", [("limit", "5")], "application/json")


def store(keys, body=b"{}", expires=None):
    Lookup(KEY).store(200, {"Content-Type": "application/json"}, body, keys, expires)


def test_the_key_ignores_query_order_and_names_the_media_type():
    same = entry_key("/p/", [("b", "2"), ("a", "1")], "application/json")
    assert same == entry_key("/p/", [("a", "1"), ("b", "2")], "application/json")
    assert same != entry_key("/p/", [("a", "1"), ("b", "2")], "application/problem+json")
    assert same != entry_key("/p/", [("a", "1")], "application/json")


# Keys read with the entry (a list's collection), right or wrong, change no answer.
@pytest.mark.parametrize("expected", [(), ("collection-conditions",), ("page-2", "page-99")])
def test_a_stored_response_is_a_hit_until_a_key_it_shows_is_purged(expected):
    assert Lookup(KEY, expected).hit is None
    store(["collection-conditions", "page-1", "page-2"], b'{"a":1}')
    assert Lookup(KEY, expected).hit["body"] == b'{"a":1}'
    purge(["page-99"])  # not shown: still a hit
    assert Lookup(KEY, expected).hit is not None
    purge(["page-2"])
    assert Lookup(KEY, expected).hit is None
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


# Through the views ------------------------------------------------------------------------


@pytest.fixture
def commits(django_capture_on_commit_callbacks):
    """Run what happens on commit (purges, refreshes), as a real request's commit would."""

    def run(change, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return change(*args, **kwargs)

    return run


def cached(api, path):
    """Fetch `path` twice; the second answer must come from the cache (no query)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    first = api(path)
    assert first.status_code == 200, (path, first.content[:200])
    with CaptureQueriesContext(connection) as queries:
        second = api(path)
    assert not queries.captured_queries, path
    assert second.content == first.content and second["ETag"] == first["ETag"]
    return first


CONDITION_DOORS = [
    "/api/v1/conditions/neuropathic-pain/",
    "/api/v1/conditions/?limit=100",
    "/api/v1/conditions/?limit=100&cause=shingles",
    "/api/v1/causes/?limit=100&expand=conditions",
    "/api/v1/search/?q=neuropathic",
    "/api/v1/pages/?path=/conditions/neuropathic-pain/",
]


def purged_and_fresh(api, paths, absent=None, present=None):
    for path in paths:
        response = api(path)
        assert response.status_code in (200, 404), path
        if absent:
            assert absent not in response.content, path
        if present:
            assert present in response.content, path


def test_answers_are_cached_and_carry_their_keys(api, seeded):
    for path in CONDITION_DOORS:
        response = cached(api, path)
        assert response["Surrogate-Key"].startswith("collection-"), path


def test_a_linked_page_title_edit_purges_every_answer_that_showed_it(api, seeded, commits):
    from pages.models import CausePage

    for path in CONDITION_DOORS:
        cached(api, path)
    shingles = CausePage.objects.get(slug="shingles")
    shingles.title = "Herpes zoster"
    commits(shingles.save_revision().publish)
    purged_and_fresh(api, CONDITION_DOORS[:4], absent=b'"Shingles"', present=b"Herpes zoster")


def test_a_snippet_edit_and_the_default_disclaimer_purge_what_showed_them(api, seeded, commits):
    from pages.models import Disclaimer, Symptom

    for path in CONDITION_DOORS:
        cached(api, path)
    symptom = Symptom.objects.get(slug="tingling")
    symptom.name = "Pins and needles"
    commits(symptom.save)
    purged_and_fresh(api, CONDITION_DOORS[:3], present=b"Pins and needles")
    cached(api, CONDITION_DOORS[0])
    disclaimer = Disclaimer.objects.get(is_default=True)
    disclaimer.emergency_text = "Call 112 in an emergency."
    commits(disclaimer.save)
    assert b"Call 112" in api(CONDITION_DOORS[0]).content


@pytest.fixture
def no_refresh(monkeypatch):
    """The worker has not run: only the purges on commit where the change happens act."""
    monkeypatch.setattr("api.record.signals.changes.queue_refresh", lambda **change: None)
    monkeypatch.setattr("api.serving.read_path.ask_refresh", lambda pieces: None)


def test_unpublish_purges_on_commit_before_any_refresh(api, seeded, commits, no_refresh):
    from pages.models import CausePage

    for path in CONDITION_DOORS:
        cached(api, path)
    cached(api, "/api/v1/causes/shingles/")
    commits(CausePage.objects.get(slug="shingles").unpublish)
    purged_and_fresh(api, CONDITION_DOORS, absent=b"shingles")
    assert api("/api/v1/causes/shingles/").status_code == 404


def test_a_view_restriction_purges_on_commit_before_any_refresh(api, seeded, commits, no_refresh):
    from pages.models import CausePage

    for path in CONDITION_DOORS:
        cached(api, path)
    shingles = CausePage.objects.get(slug="shingles")
    commits(PageViewRestriction.objects.create, page=shingles, restriction_type="login")
    purged_and_fresh(api, CONDITION_DOORS, absent=b"shingles")


def test_an_expiry_date_ends_the_cached_answers_that_show_the_page(api, seeded, freezer):
    from pages.models import CausePage

    CausePage.objects.filter(slug="shingles").update(
        expire_at=timezone.now() + datetime.timedelta(minutes=5)
    )
    for path in CONDITION_DOORS[:4]:
        cached(api, path)
    freezer.tick(301)
    purged_and_fresh(api, CONDITION_DOORS[:4], absent=b"shingles")


def test_a_bad_request_is_never_cached_and_access_is_checked_first(api, seeded, settings):
    assert api("/api/v1/conditions/?limit=0").status_code == 400
    assert api("/api/v1/conditions/?limit=0").status_code == 400
    cached(api, "/api/v1/conditions/")
    bad_key = "cms_00000000_" + "x" * 43
    assert api("/api/v1/conditions/", AUTHORIZATION=f"Bearer {bad_key}").status_code == 401
    from django.core.cache import cache

    cache.clear()  # no rate counted yet
    settings.API_ANONYMOUS_RATE = "2/min"
    cached(api, "/api/v1/conditions/")  # the window's two requests: stored, then a hit
    assert api("/api/v1/conditions/").status_code == 429  # cached, but over the rate


def test_when_a_key_is_required_no_shared_cache_may_keep_an_answer(api, seeded, settings):
    from api.http.auth import create_key

    settings.API_REQUIRE_KEY = True
    assert api("/api/v1/conditions/").status_code == 401
    _, raw = create_key("Website")
    response = api("/api/v1/conditions/", AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("private")
    again = api("/api/v1/conditions/", AUTHORIZATION=f"Bearer {raw}")
    assert again["Cache-Control"].startswith("private")  # from the response cache too
    assert api("/api/v1/conditions/").status_code == 401  # a cached answer is not a pass


def test_a_redirect_is_cached_with_its_keys_and_purged_with_the_redirect(api, seeded, commits):
    from wagtail.contrib.redirects.models import Redirect

    from pages.models import CausePage

    shingles = CausePage.objects.get(slug="shingles")
    redirect = commits(
        Redirect.objects.create, old_path="/old-shingles", redirect_page=shingles, site=None
    )
    path = "/api/v1/pages/?path=/old-shingles/"
    first = api(path)
    assert first.status_code == 301
    assert f"page-{shingles.pk}" in first["Surrogate-Key"]
    assert api(path).status_code == 301
    commits(redirect.delete)
    assert api(path).status_code == 404
