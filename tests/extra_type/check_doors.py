"""Every door finds the procedure type, registered by tests/extra_type/ alone (run by
tests/test_extra_type.py under tests.extra_type.settings), and none tells a hidden procedure
from one that never existed."""

import json
import re
from urllib.parse import quote

from django.core.cache import cache

import pytest
from drf_spectacular.generators import SchemaGenerator

from api.channels import preview_tokens
from pages.models import ConditionPage
from shapes import registry
from tests.api.test_openapi import response_validator
from tests.extra_type.models import ProcedureConditionLink, ProcedureIndexPage, ProcedurePage
from webhooks.models import Endpoint, Event

SHOWN = "nerve-block"
HIDDEN = {"draft": "qdraftprocedurex", "unpublished": "qwithdrawnprocedurex"}
UNKNOWN = "qneverprocedurex"


@pytest.fixture
def get(client):
    return lambda path: client.get(path)


@pytest.fixture
def world(seeded):
    """The seed content plus a procedures section: a published nerve block used for
    neuropathic pain, a draft and a withdrawn procedure (their slugs say what they are)."""
    from wagtail.models import Site

    home = Site.objects.get(is_default_site=True).root_page
    Endpoint.objects.create(url="http://127.0.0.1:9/events")
    index = home.add_child(instance=ProcedureIndexPage(title="Procedures", slug="procedures"))
    index.save_revision().publish()
    condition = ConditionPage.objects.get(slug="neuropathic-pain")

    def procedure(slug, title, publish=True):
        page = ProcedurePage(
            title=title,
            slug=slug,
            summary=f"{title}: numbing a nerve for a while.",
            duration="about an hour",
            live=publish,
        )
        page.condition_links = [ProcedureConditionLink(condition=condition, note="short relief")]
        index.add_child(instance=page)
        revision = page.save_revision()
        if publish:
            revision.publish()
        return ProcedurePage.objects.get(pk=page.pk)

    shown = procedure(SHOWN, "Nerve block")
    procedure(HIDDEN["draft"], "Qdraftprocedurex", publish=False)
    procedure(HIDDEN["unpublished"], "Qwithdrawnprocedurex").unpublish()
    cache.clear()
    return shown


def test_the_type_is_registered_by_its_app_alone():
    assert registry.named("procedure").model is ProcedurePage
    assert registry.ITEM_TYPE_NAMES[-1] == "procedure"


def test_list_detail_fields_expand_and_filters(world, get):
    listed = get("/api/v1/procedures/").json()
    assert [item["slug"] for item in listed["results"]] == [SHOWN]
    item = listed["results"][0]
    assert item["type"] == "procedure" and item["duration"] == "about an hour"
    assert item["conditions"][0]["slug"] == "neuropathic-pain"
    assert item["conditions"][0]["note"] == "short relief"

    detail = get(f"/api/v1/procedures/{SHOWN}/").json()
    assert detail["api_url"].endswith(f"/api/v1/procedures/{SHOWN}/")
    assert detail["schema_org"]["about"]["@type"] == "MedicalProcedure"
    assert detail["medical_review"]["status"] and detail["disclaimer"]
    sparse = get(f"/api/v1/procedures/{SHOWN}/?fields=duration").json()
    assert sparse == {"id": world.pk, "type": "procedure", "duration": "about an hour"}
    expanded = get(f"/api/v1/procedures/{SHOWN}/?expand=conditions").json()
    assert expanded["conditions"][0]["summary"]  # the condition's list shape

    assert get("/api/v1/procedures/?condition=neuropathic-pain").json()["count"] == 1
    assert get("/api/v1/procedures/?condition=shingles").json()["count"] == 0
    refused = get("/api/v1/procedures/?cause=shingles")  # procedures declare no such filter
    assert refused.status_code == 400 and "cause" in refused.json()["errors"]
    assert get("/api/v1/procedures/?search=nerve%20block").json()["count"] == 1


def test_search_lookup_sync_feeds_email_preview_and_webhooks(world, get):
    found = get("/api/v1/search/?q=nerve%20block").json()["results"]
    assert SHOWN in [item["slug"] for item in found if item["type"] == "procedure"]

    looked_up = get(f"/api/v1/pages/?path=/procedures/{SHOWN}/")
    assert looked_up.status_code == 200 and looked_up.json()["type"] == "procedure"

    synced = get("/api/v1/sync/?types=procedures").json()
    assert [item["slug"] for item in synced["items"]] == [SHOWN]
    assert [row["slug"] for row in synced["deleted"]] == []  # withdrawn before any cursor
    every = get("/api/v1/sync/?limit=100").json()
    assert "procedure" in {item["type"] for item in every["items"]}

    for feed in ("/api/v1/feeds/procedures.rss", "/api/v1/feeds/procedures.atom"):
        response = get(feed)
        assert response.status_code == 200 and b"Nerve block" in response.content

    email = get(f"/api/v1/procedures/{SHOWN}/email/").json()
    assert email["subject"] == "Nerve block"
    assert "How long it takes" in email["html"] and "about an hour" in email["text"]

    token, _ = preview_tokens.mint(world.pk)
    previewed = get(f"/api/v1/preview/?token={token}").json()
    assert previewed["type"] == "procedure" and previewed["duration"] == "about an hour"

    announced = [json.loads(event.body)["data"] for event in Event.objects.all()]
    ours = [data for data in announced if data["type"] == "procedure"]
    assert {data["slug"] for data in ours} == {SHOWN, HIDDEN["unpublished"]}
    assert all("/api/v1/procedures/" in data["api_url"] for data in ours)


def test_the_websites_structure_finds_its_section(world, get):
    section = get("/api/v1/pages/?path=/procedures/").json()
    assert (section["type"], section["item_type"]) == ("section", "procedure")
    assert [item["slug"] for item in section["items"]["results"]] == [SHOWN]
    home = get("/api/v1/pages/?path=/").json()
    assert "/procedures/" in [s["path"] for s in home["sections"]]
    menu = get("/api/v1/navigation/").json()
    assert "/procedures/" in [item["path"] for item in menu["items"]]
    sitemap = get("/api/v1/sitemap/").json()["results"]
    ours = [entry["path"] for entry in sitemap if entry["path"].startswith("/procedures/")]
    assert ours == ["/procedures/", f"/procedures/{SHOWN}/"]
    assert "procedures" in [e["name"] for e in get("/api/v1/").json()["endpoints"]]


def test_the_openapi_document_describes_the_type(world, get):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert {"/api/v1/procedures/", "/api/v1/procedures/{slug}/"} <= set(schema["paths"])
    components = schema["components"]["schemas"]
    assert "procedure" in components["ItemTypeEnum"]["enum"]
    assert "ProcedureItem" in components and "SchemaOrgMedicalProcedure" in components
    assert "duration" in components["ProcedureList"]["properties"]
    assert "duration" in components["ProcedureListApp"]["properties"]
    for url, path in [
        ("/api/v1/procedures/", "/api/v1/procedures/"),
        (f"/api/v1/procedures/{SHOWN}/?expand=conditions", "/api/v1/procedures/{slug}/"),
        ("/api/v1/sync/?types=procedures", "/api/v1/sync/"),
    ]:
        for channel in ("web", "app"):
            validator = response_validator(schema, path, 200, channel)
            body = get(f"{url}{'&' if '?' in url else '?'}channel={channel}").json()
            errors = [error.message for error in validator.iter_errors(body)]
            assert not errors, f"{url} ({channel}): {errors[:5]}"


def answers(get, slug):
    """What every door answers about `slug`, with the slug itself blanked out."""
    urls = [
        f"/api/v1/procedures/{slug}/",
        f"/api/v1/procedures/{slug}/?fields=title",
        f"/api/v1/procedures/{slug}/email/",
        f"/api/v1/pages/?path={quote(f'/procedures/{slug}/')}",
        f"/api/v1/search/?q={slug}",
        f"/api/v1/procedures/?search={slug}",
        f"/api/v1/conditions/?search={slug}",
    ]
    found = []
    for url in urls:
        response = get(url)
        body = response.content.decode()
        body = re.sub(r'"(instance|detail)":"[^"]*"', "", body.replace(slug, "SLUG"))
        found.append((url.replace(slug, "SLUG"), response.status_code, body))
    return found


@pytest.mark.parametrize("fate", sorted(HIDDEN))
def test_a_hidden_procedure_answers_as_one_that_never_existed(world, get, fate):
    hidden = HIDDEN[fate]
    assert answers(get, hidden) == answers(get, UNKNOWN)
    title = hidden.title()
    for url in (
        "/api/v1/procedures/",
        "/api/v1/sync/?limit=100",
        "/api/v1/feeds/procedures.rss",
        "/api/v1/feeds/procedures.atom",
        f"/api/v1/procedures/{SHOWN}/",
        "/api/v1/search/?q=procedure",
    ):
        content = get(url).content.decode()
        assert hidden not in content and title not in content, url
