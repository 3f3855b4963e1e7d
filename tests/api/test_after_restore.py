"""`manage.py after_restore` (api/record/backups.py): a restored database's answers are never
confused with the old database's: a new response-cache namespace, everything cached purged (here and
at the CDN, also for processes still holding the old namespace), the cached database facts
dropped, stale stored copies refreshed. (tests/resilience/test_restore.py restores real
backups.)"""

import io

from django.core.cache import cache
from django.core.management import call_command
from django.db import DatabaseError

import pytest

from api.models import RepresentationState, ResponseCacheNamespace
from api.serving import response_cache, stored
from api.serving.response_cache import RecordingPurger
from pages.models import ConditionPage
from pages.selectors import VISIBILITY_CACHE_KEY

DETAIL = "/api/v1/conditions/neuropathic-pain/"


@pytest.fixture
def cached(api, settings):
    settings.API_RESPONSE_CACHE_SECONDS = 300
    settings.API_CDN_PURGER = "api.serving.response_cache.RecordingPurger"
    RecordingPurger.purged = []
    return api


def restored_underneath():
    """What a restore does to the database: other content, and no signal, no purge."""
    ConditionPage.objects.filter(slug="neuropathic-pain").update(title="Nerve pain (restored)")
    RepresentationState.objects.filter(slug="neuropathic-pain").update(version=0)


def after_restore():
    out = io.StringIO()
    call_command("after_restore", stdout=out)
    return out.getvalue()


def test_nothing_cached_before_the_restore_is_served_after_it(cached):
    assert cached(DETAIL).json()["title"] == "Neuropathic pain"
    restored_underneath()
    assert cached(DETAIL).json()["title"] == "Neuropathic pain"  # the cached answer
    old = response_cache.namespace()
    output = after_restore()
    assert response_cache.namespace() != old
    assert ResponseCacheNamespace.objects.get().value == response_cache.namespace()
    assert ["*"] in RecordingPurger.purged  # the CDN purged everything
    assert "new namespace" in output and "Refreshing 1 stored item(s)" in output
    assert cached(DETAIL).json()["title"] == "Nerve pain (restored)"


def test_a_process_still_holding_the_old_namespace_serves_nothing_older(cached, monkeypatch):
    old = response_cache.namespace()
    cached(DETAIL)
    restored_underneath()
    after_restore()
    monkeypatch.setattr(response_cache, "_namespace", old)  # read before the restore
    assert cached(DETAIL).json()["title"] == "Nerve pain (restored)"


def test_stale_stored_copies_and_cached_facts_are_renewed(api):
    RepresentationState.objects.update(version=0)  # e.g. a backup made by an older release
    cache.set(VISIBILITY_CACHE_KEY, "facts of the lost database", None)
    after_restore()
    assert cache.get(VISIBILITY_CACHE_KEY) is None
    states = RepresentationState.objects.filter(public=True)
    assert states.exists() and all(stored.is_current(state) for state in states)


def test_a_configured_cdn_purger_that_cannot_purge_everything_is_named(api, settings):
    settings.API_CDN_PURGER = "tests.api.test_after_restore.KeysOnlyPurger"
    assert "KeysOnlyPurger cannot purge everything" in after_restore()


class KeysOnlyPurger(response_cache.SurrogateKeyPurger):
    def purge(self, keys):
        pass


def test_while_the_database_is_away_the_namespace_last_seen_is_used(db, monkeypatch):
    monkeypatch.setattr(response_cache, "_namespace", None)
    seen = response_cache.namespace()  # read from the database, remembered in the cache
    monkeypatch.setattr(response_cache, "_namespace", None)  # a process started in an outage

    def unreachable(*args, **kwargs):
        raise DatabaseError("connection refused")

    monkeypatch.setattr(ResponseCacheNamespace.objects, "filter", unreachable)
    assert response_cache.namespace() == seen
    assert response_cache._namespace is None  # read again once the database is back
