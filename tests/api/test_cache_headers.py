"""Every endpoint's cache headers match its key requirement: an answer that needed an API key
or a scope is `private` (no CDN or proxy may keep it and replay it to someone else), every
other answer keeps the shared-cache policy (API_CACHE_CONTROL), and the rule holds for fresh
answers, response-cache hits and 304s alike."""

import itertools
from urllib.parse import urlencode

from django.core.cache import cache
from django.test import Client

import pytest

from api.channels import preview_tokens
from api.http.auth import create_key
from api.models import ApiKey
from pages.models import TherapyPage
from tests.api.test_hostile_input import ENDPOINTS, seed_once  # noqa: F401 (a fixture)

GET_ENDPOINTS = [
    e
    for e in ENDPOINTS
    if "GET" in e.methods and e.path.startswith("/api/") and "unknown" not in e.name
]
SHARED = {"public", "s-maxage", "stale-while-revalidate", "stale-if-error"}
SETTINGS = list(itertools.product([False, True], repeat=2))  # API_REQUIRE_KEY, CAMPAIGNS_...


def directives(response):
    value = response.get("Cache-Control", "")
    return {part.split("=")[0].strip().lower() for part in value.split(",") if part.strip()}


def needs_key(endpoint, require_key, campaigns_require_key):
    """Whether this configuration answers `endpoint` only to a key."""
    if endpoint.name.startswith("campaign"):
        return campaigns_require_key or (require_key and endpoint.name != "campaign-feed")
    if endpoint.name.startswith("feed") or endpoint.name.startswith("preview"):
        return False  # feeds are for RSS readers; a preview's token is its credential
    return require_key and endpoint.name not in {"schema", "docs", "problem-type"}


@pytest.fixture
def world(seed_once, db, settings):  # noqa: F811
    settings.API_RESPONSE_CACHE_SECONDS = 300  # hits go through the same rule
    _, raw = create_key("Every scope", scopes=list(ApiKey.Scope.values))
    cache.clear()
    return Client(), {"authorization": f"Bearer {raw}"}


def with_query(endpoint):
    """The endpoint's path with what a request needs: its base parameters, a preview token."""
    params = list(endpoint.base)
    if endpoint.name.startswith("preview"):
        therapy = TherapyPage.objects.get(slug="ketamine-infusion-therapy")
        params.append(("token", preview_tokens.mint(therapy.pk)[0]))
    return endpoint.path + (f"?{urlencode(params)}" if params else "")


@pytest.mark.parametrize(("require_key", "campaigns_require_key"), SETTINGS)
def test_every_answer_that_needed_a_key_is_private(
    world, settings, require_key, campaigns_require_key
):
    settings.API_REQUIRE_KEY = require_key
    settings.CAMPAIGNS_REQUIRE_KEY = campaigns_require_key
    client, key = world
    wrong = []
    for endpoint in GET_ENDPOINTS:
        path = with_query(endpoint)
        anonymous = client.get(path)
        needed = needs_key(endpoint, require_key, campaigns_require_key)
        if needed != (anonymous.status_code in (401, 403)):
            wrong.append(f"{path}: anonymous {anonymous.status_code}; a key needed: {needed}")
            continue
        for attempt in ("fresh", "cached"):
            keyed = client.get(path, headers=key)
            if keyed.status_code not in (200, 301, 302):
                continue  # a preview without its token, a schema of its own: no copy to keep
            etag = keyed.get("ETag")
            answers = [keyed]
            if etag:
                answers.append(client.get(path, headers={**key, "if-none-match": etag}))
            for answer in answers:
                found = directives(answer)
                if needed and ("private" not in found or found & SHARED):
                    wrong.append(
                        f"{path} ({attempt}, {answer.status_code}): {answer['Cache-Control']}"
                    )
                if not needed and "private" in found:
                    wrong.append(f"{path} ({attempt}) needs no key but is private")
        if not needed and anonymous.status_code == 200 and "private" in directives(anonymous):
            wrong.append(f"{path}: anonymous answer is private")
    assert not wrong, "\n".join(wrong)


def test_a_keyed_campaign_answer_is_never_kept_by_a_shared_cache(world, settings):
    settings.CAMPAIGNS_REQUIRE_KEY = True
    client, key = world
    for path in (
        "/api/v1/campaigns/",
        "/api/v1/campaigns/spring/",
        "/api/v1/feeds/campaigns/spring.rss",
    ):
        response = client.get(path, headers=key)
        assert response.status_code == 200, path
        assert response["Cache-Control"] == "private, max-age=60", path
        assert client.get(path).status_code == 401, path
