"""Scoped API keys: `read` (the default), `preview` (POST /api/v1/preview/tokens/), `campaigns`
(campaigns when CAMPAIGNS_REQUIRE_KEY); a missing scope is a 403 naming it; a key's last use
is written at most once a minute."""

import io
import json

from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.http.auth import create_key
from api.models import ApiKey
from pages.models import Campaign, CampaignItem, HomePage, TherapyPage

TOKENS = "/api/v1/preview/tokens/"

SEED_ONCE = True  # every database test reads the seed (tests/conftest.py)


def problem(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    return response.json()


def bearer(*scopes, channel="web"):
    _, raw = create_key("Preview screen", channel, scopes=scopes)
    return {"authorization": f"Bearer {raw}"}


@pytest.fixture
def therapy(seeded):
    return TherapyPage.objects.get(slug="ketamine-infusion-therapy")


def mint(client, body, **headers):
    payload = body if isinstance(body, str) else json.dumps(body)
    return client.post(TOKENS, payload, content_type="application/json", headers=headers)


def test_a_key_without_the_read_scope_cannot_read(api, client):
    body = problem(client.get("/api/v1/conditions/", headers=bearer("preview")), 403)
    assert "'read' scope" in body["detail"]
    assert body["type"].endswith("/problems/scope-missing/")
    assert client.get("/api/v1/problems/scope-missing/").status_code == 200
    assert client.get("/api/v1/conditions/", headers=bearer("read")).status_code == 200


def test_minting_needs_a_key_with_the_preview_scope(client, therapy):
    body = problem(mint(client, {"page": therapy.pk}), 401)
    assert "'preview' scope" in body["detail"]
    body = problem(mint(client, {"page": therapy.pk}, **bearer("read")), 403)
    assert "'preview' scope" in body["detail"]


def test_a_minted_token_previews_the_draft(client, therapy):
    therapy.title = "Ketamine infusion therapy (draft)"
    therapy.save_revision()
    response = mint(client, {"page": therapy.pk, "ttl": 600}, **bearer("read", "preview"))
    assert response.status_code == 201, response.content
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert set(body) == {"token", "expires_at", "preview_url"}
    assert body["preview_url"].startswith("https://api.example-clinic.test/api/v1/preview/?token=")
    assert body["preview_url"].endswith("&channel=web")
    draft = client.get(body["preview_url"].removeprefix("https://api.example-clinic.test"))
    assert draft.status_code == 200 and draft.json()["title"].endswith("(draft)")


def test_an_app_key_gets_the_app_preview_url(client, therapy):
    response = mint(client, {"page": therapy.pk}, **bearer("preview", channel="app"))
    assert response.json()["preview_url"].endswith("&channel=app")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"page": 0}, "page"),
        ({"page": "x"}, "page"),
        ({}, "page"),
        ({"page": 1, "ttl": 10**9}, "ttl"),
        ({"page": 1, "ttl": 0}, "ttl"),
        ({"page": 1, "extra": True}, "extra"),
        ([1, 2], "body"),
    ],
)
def test_a_bad_body_is_a_400_naming_the_field(client, therapy, body, field):
    body = problem(mint(client, body, **bearer("preview")), 400)
    assert field in body["errors"], body


def test_a_page_that_is_missing_or_not_content_is_a_404(client, therapy):
    home = HomePage.objects.get()
    body = problem(mint(client, {"page": home.pk}, **bearer("preview")), 404)
    assert "is not a condition, cause, treatment or therapy" in body["detail"]
    body = problem(mint(client, {"page": 999_999}, **bearer("preview")), 404)
    assert "No page has the id 999999" in body["detail"]


def test_malformed_json_and_other_media_types_are_refused(client, therapy):
    problem(mint(client, "{not json", **bearer("preview")), 400)
    response = client.post(TOKENS, {"page": therapy.pk}, headers=bearer("preview"))  # a form
    problem(response, 415)
    problem(client.get(TOKENS, headers=bearer("preview")), 405)


def test_campaigns_may_need_a_key_with_the_campaigns_scope(client, therapy, settings):
    campaign = Campaign(name="Spring", slug="spring", subject="Spring", live=False)
    campaign.items = [CampaignItem(page=therapy, sort_order=0)]
    campaign.save()
    campaign.save_revision().publish()
    paths = [
        "/api/v1/campaigns/",
        "/api/v1/campaigns/spring/",
        "/api/v1/feeds/campaigns/spring.rss",
    ]
    for path in paths:
        assert client.get(path).status_code == 200
    settings.CAMPAIGNS_REQUIRE_KEY = True
    reader, marketer = bearer("read"), bearer("read", "campaigns")
    for path in paths:
        problem(client.get(path), 401)
        assert "'campaigns' scope" in problem(client.get(path, headers=reader), 403)["detail"]
        assert client.get(path, headers=marketer).status_code == 200, path


def test_last_use_is_written_at_most_once_a_minute(api, client, freezer):
    key, raw = create_key("Website production")
    headers = {"authorization": f"Bearer {raw}"}
    with CaptureQueriesContext(connection) as queries:
        for _ in range(5):
            assert client.get("/api/v1/conditions/?fields=slug", headers=headers).status_code == 200
    updates = [
        q["sql"] for q in queries if q["sql"].startswith("UPDATE") and "api_apikey" in q["sql"]
    ]
    assert len(updates) == 1
    key.refresh_from_db()
    first = key.last_used_at
    assert first is not None
    freezer.tick(61)
    cache.delete(
        f"api:key:used:{key.pk}"
    )  # the minute's gate lapses (Redis expires it in real time)
    client.get("/api/v1/conditions/?fields=slug", headers=headers)
    key.refresh_from_db()
    assert key.last_used_at > first


def test_create_api_key_takes_scopes(db):
    out = io.StringIO()
    call_command("create_api_key", "Preview server", "--scopes", "read,preview", stdout=out)
    assert ApiKey.objects.get().scopes == ["read", "preview"]
    assert "scopes: read, preview" in out.getvalue()
    with pytest.raises(CommandError, match="Unknown scope"):
        call_command("create_api_key", "x", "--scopes", "read,admin")
    with pytest.raises(CommandError, match="Unknown scope"):
        call_command("create_api_key", "x", "--scopes", ",")


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=JSON | st.fixed_dictionaries({"page": JSON}, optional={"ttl": JSON}))
def test_any_json_body_is_a_201_a_readable_400_or_a_404(client, therapy, body):
    response = mint(client, body, **bearer("preview"))
    assert response.status_code in (201, 400, 404), (body, response.content)
    if response.status_code == 400:
        assert response.json()["errors"]
