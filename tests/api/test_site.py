"""The website's structure: the API's index, the home page and the sections by path, the
navigation and the sitemap (api/channels/site.py), as a web team builds a site from them."""

from django.conf import settings

from wagtail.models import Page, PageViewRestriction

import pytest

from api.models import RepresentationState
from pages.models import (
    CauseIndexPage,
    CausePage,
    ConditionIndexPage,
    ConditionPage,
    HomePage,
    Symptom,
    TherapyIndexPage,
)
from shapes import registry

SITE = settings.WEBSITE_BASE_URL
SECTIONS = ["/conditions/", "/causes/", "/treatments/", "/therapies/"]

SEED_ONCE = True  # every database test reads the seed (tests/conftest.py)


def ok(api, path):
    response = api(path)
    assert response.status_code == 200, response.content
    return response.json()


def test_the_index_names_every_endpoint_with_working_urls(api):
    root = ok(api, "/api/v1/")
    assert root["docs"].endswith("/api/v1/docs/") and root["schema"].endswith("/api/v1/schema/")
    names = [endpoint["name"] for endpoint in root["endpoints"]]
    collections = [item_type.collection for item_type in registry.item_types()]
    assert names[: len(collections)] == collections
    assert {"pages", "navigation", "sitemap", "search", "symptoms", "sync"} <= set(names)
    for endpoint in root["endpoints"]:
        path = endpoint["url"].split("://", 1)[1].split("/", 1)[1]
        assert api(f"/{path}").status_code == 200, endpoint
    problem = api("/api/v1/?limit=1")
    assert problem.status_code == 400
    assert problem["Content-Type"] == "application/problem+json"


def test_the_home_page_is_its_intro_and_its_sections_in_the_editors_order(api):
    home = ok(api, "/api/v1/pages/?path=/")
    assert (home["type"], home["path"], home["intro"]) == ("home", "/", "Medical content.")
    assert [section["path"] for section in home["sections"]] == SECTIONS
    conditions = home["sections"][0]
    assert conditions["item_type"] == "condition"
    assert conditions["intro"] == "The conditions our clinicians treat."
    assert conditions["api_url"].endswith("/api/v1/conditions/")
    assert ok(api, "/api/v1/pages/?path=/&channel=app") == home


def test_a_section_pages_its_items_in_either_channel(api):
    causes = ok(api, "/api/v1/pages/?path=/causes/&limit=3")
    assert (causes["type"], causes["item_type"], causes["title"]) == ("section", "cause", "Causes")
    assert causes["breadcrumbs"] == [
        {"title": "Kalypso Wellness Centers", "path": "/", "url": f"{SITE}/"}
    ]
    public = list(CausePage.objects.live().order_by("path").values_list("slug", flat=True))
    items = causes["items"]
    assert items["count"] == len(public) == 8
    assert [item["slug"] for item in items["results"]] == public[:3]
    listed = {item["slug"]: item for item in ok(api, "/api/v1/causes/?limit=100")["results"]}
    assert items["results"][0] == listed[public[0]]
    second = ok(api, "/api/v1/pages/?path=/causes/&limit=3&offset=3")["items"]
    assert [item["slug"] for item in second["results"]] == public[3:6]
    assert "offset=6" in second["next"] and "offset" not in second["previous"]
    app = ok(api, "/api/v1/pages/?path=/causes/&channel=app&limit=3")["items"]["results"]
    listed = ok(api, "/api/v1/causes/?channel=app&limit=100")["results"]
    assert app == [next(item for item in listed if item["slug"] == slug) for slug in public[:3]]
    assert api("/api/v1/pages/?path=/causes/&limit=0").status_code == 400


def test_a_sections_own_edit_changes_its_answer_and_its_etag(api):
    first = api("/api/v1/pages/?path=/conditions/")
    section = ConditionIndexPage.objects.get()
    section.intro = "Conditions, new words."
    section.save_revision().publish()
    second = api("/api/v1/pages/?path=/conditions/")
    assert second.json()["intro"] == "Conditions, new words."
    assert second["ETag"] != first["ETag"]
    assert f"page-{section.pk}" in second["Surrogate-Key"].split()


def answer(api, path):
    response = api(path)
    return response.status_code, response.content


@pytest.mark.parametrize("restriction", ["login", "password"])
def test_a_private_section_answers_as_a_path_that_never_existed(api, restriction):
    section = TherapyIndexPage.objects.get()
    PageViewRestriction.objects.create(page=section, restriction_type=restriction, password="x")
    assert answer(api, "/api/v1/pages/?path=/therapies/")[0] == 404
    hidden = answer(api, "/api/v1/pages/?path=/therapies/")[1].replace(b"therapies", b"nothing")
    assert hidden == answer(api, "/api/v1/pages/?path=/nothing/")[1]
    assert "/therapies/" not in [s["path"] for s in ok(api, "/api/v1/pages/?path=/")["sections"]]
    assert "/therapies/" not in [i["path"] for i in ok(api, "/api/v1/navigation/")["items"]]
    sitemap = [entry["path"] for entry in ok(api, "/api/v1/sitemap/")["results"]]
    assert not [path for path in sitemap if path.startswith("/therapies/")]


def test_the_navigation_shows_what_editors_put_in_menus_and_is_public(api):
    menu = ok(api, "/api/v1/navigation/")
    assert menu["home"]["path"] == "/" and menu["home"]["type"] == "home"
    assert [item["path"] for item in menu["items"]] == SECTIONS
    assert all(item["type"] == "section" for item in menu["items"])
    condition = ConditionPage.objects.get(slug="neuropathic-pain")
    condition.show_in_menus = True
    condition.save_revision().publish()
    causes = ConditionIndexPage.objects.get()
    causes.show_in_menus = False
    causes.save_revision().publish()
    menu = ok(api, "/api/v1/navigation/")
    assert "/conditions/" not in [item["path"] for item in menu["items"]]
    shown = CausePage.objects.get(slug="shingles")
    shown.show_in_menus = True
    shown.save_revision().publish()
    menu = ok(api, "/api/v1/navigation/")
    causes_item = next(item for item in menu["items"] if item["path"] == "/causes/")
    assert causes_item["children"] == [
        {
            "id": shown.pk,
            "type": "cause",
            "title": shown.title,
            "path": "/causes/shingles/",
            "url": f"{SITE}/causes/shingles/",
        }
    ]
    shown.unpublish()
    menu = ok(api, "/api/v1/navigation/")
    assert not next(i for i in menu["items"] if i["path"] == "/causes/")["children"]


def test_the_sitemap_lists_every_public_page_with_its_last_change(api, freezer):
    entries = ok(api, "/api/v1/sitemap/")["results"]
    public = Page.objects.live().filter(depth__gte=2).exclude(pk=HomePage.objects.get().pk)
    assert len(entries) == public.count() + 1
    assert entries[0]["path"] == "/" and entries[0]["type"] == "home"
    by_path = {entry["path"]: entry for entry in entries}
    pain = by_path["/conditions/neuropathic-pain/"]
    state = RepresentationState.objects.get(slug="neuropathic-pain")
    assert pain["lastmod"] == state.changed_at.isoformat().replace("+00:00", "Z")
    assert pain["url"] == f"{SITE}/conditions/neuropathic-pain/"
    assert pain["alternates"] == [{"locale": "en", "path": pain["path"], "url": pain["url"]}]
    freezer.move_to("2026-03-12 10:00:00")
    ConditionPage.objects.get(slug="neuropathic-pain").unpublish()
    entries = ok(api, "/api/v1/sitemap/")["results"]
    assert "/conditions/neuropathic-pain/" not in [entry["path"] for entry in entries]
    first = ok(api, "/api/v1/sitemap/?limit=2")
    assert [e["path"] for e in first["results"]] == [e["path"] for e in entries[:2]]
    assert api("/api/v1/sitemap/?limit=1001").status_code == 400


def test_a_restricted_home_page_hides_the_whole_site(api):
    home = HomePage.objects.get()
    PageViewRestriction.objects.create(page=home, restriction_type="login")
    assert api("/api/v1/pages/?path=/").status_code == 404
    assert ok(api, "/api/v1/navigation/") == {"home": None, "items": []}
    assert ok(api, "/api/v1/sitemap/")["results"] == []


def test_every_item_carries_its_breadcrumbs_and_follows_a_renamed_section(api):
    detail = ok(api, "/api/v1/causes/shingles/")
    assert detail["breadcrumbs"] == [
        {"title": "Kalypso Wellness Centers", "path": "/", "url": f"{SITE}/"},
        {"title": "Causes", "path": "/causes/", "url": f"{SITE}/causes/"},
    ]
    assert ok(api, "/api/v1/causes/shingles/?channel=app")["breadcrumbs"] == detail["breadcrumbs"]
    section = CauseIndexPage.objects.get()
    section.title = "Causes of nerve pain"
    section.save_revision().publish()
    stored = RepresentationState.objects.get(slug="shingles")
    assert b"Causes of nerve pain" in bytes(stored.detail)  # the stored copy followed
    detail = ok(api, "/api/v1/causes/shingles/")
    assert detail["breadcrumbs"][1]["title"] == "Causes of nerve pain"
    assert f"page-{section.pk}" in api("/api/v1/causes/shingles/")["Surrogate-Key"].split()


def test_symptoms_are_listed_with_the_public_items_that_show_them(api):
    listed = ok(api, "/api/v1/symptoms/")
    names = [symptom["name"] for symptom in listed["results"]]
    assert names == sorted(names) and listed["count"] == Symptom.objects.count()
    tingling = next(s for s in listed["results"] if s["slug"] == "tingling")
    assert [item["slug"] for item in tingling["shown_by"]] == ["neuropathic-pain"]
    assert tingling["shown_by"][0]["type"] == "condition"
    ConditionPage.objects.get(slug="neuropathic-pain").unpublish()
    tingling = next(s for s in ok(api, "/api/v1/symptoms/")["results"] if s["slug"] == "tingling")
    assert tingling["shown_by"] == []
    Symptom.objects.get(slug="tingling").unpublish()
    slugs = [s["slug"] for s in ok(api, "/api/v1/symptoms/")["results"]]
    assert "tingling" not in slugs
    assert api("/api/v1/symptoms/?limit=0").status_code == 400
