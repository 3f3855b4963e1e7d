"""Only live, public content appears anywhere: items, relations, expansions, search, lookup."""

import datetime

from django.utils import timezone

from wagtail.models import PageViewRestriction

import pytest

from pages.models import CausePage, ConditionPage

SEED_ONCE = True  # every database test reads the seed (tests/conftest.py)


@pytest.fixture
def shingles(seeded):
    return CausePage.objects.get(slug="shingles")


def everywhere(api):
    """Slugs of causes visible through every door of the API."""
    return {
        "list": {c["slug"] for c in api("/api/v1/causes/?limit=100").json()["results"]},
        "relation": {
            c["slug"] for c in api("/api/v1/conditions/neuropathic-pain/").json()["causes"]
        },
        "expansion": {
            c["slug"]
            for c in api("/api/v1/conditions/?expand=causes").json()["results"][0]["causes"]
        },
        "therapy": {
            r["slug"]
            for r in api("/api/v1/therapies/ketamine-infusion-therapy/").json()["relieves"]
        },
        "approach": {
            c["slug"]
            for c in api("/api/v1/conditions/neuropathic-pain/").json()["treatment_approach"][0][
                "value"
            ]["causes"]
        },
        "search": {i["slug"] for i in api("/api/v1/search/?q=shingles").json()["results"]},
        "detail": api("/api/v1/causes/shingles/").status_code,
        "path": api("/api/v1/pages/?path=/causes/shingles/").status_code,
    }


def assert_hidden(api):
    seen = everywhere(api)
    for door in ("list", "relation", "expansion", "therapy", "approach", "search"):
        assert "shingles" not in seen[door], door
    assert seen["detail"] == 404 and seen["path"] == 404


def test_visible_when_live(api, shingles):
    seen = everywhere(api)
    for door in ("list", "relation", "expansion", "therapy", "approach", "search"):
        assert "shingles" in seen[door], door
    assert seen["detail"] == 200 and seen["path"] == 200


def test_unpublished(api, shingles):
    shingles.unpublish()
    assert_hidden(api)


def test_expired_by_flag(api, shingles):
    CausePage.objects.filter(pk=shingles.pk).update(expired=True)
    assert_hidden(api)


def test_expire_at_in_the_past_without_the_flag_yet(api, shingles, freezer):
    CausePage.objects.filter(pk=shingles.pk).update(
        expire_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    assert_hidden(api)


def test_expire_at_in_the_future_is_still_visible(api, shingles):
    CausePage.objects.filter(pk=shingles.pk).update(
        expire_at=timezone.now() + datetime.timedelta(days=1)
    )
    assert "shingles" in everywhere(api)["list"]


def test_private_page(api, shingles):
    PageViewRestriction.objects.create(
        page=shingles, restriction_type=PageViewRestriction.PASSWORD, password="s3cret"
    )
    assert_hidden(api)


def test_private_section_hides_its_children(api, shingles):
    PageViewRestriction.objects.create(page=shingles.get_parent(), restriction_type="login")
    assert api("/api/v1/causes/").json()["count"] == 0
    assert api("/api/v1/conditions/neuropathic-pain/").json()["causes"] == []


def test_a_draft_shows_the_published_version(api, seeded):
    page = ConditionPage.objects.get(slug="neuropathic-pain")
    published_revision = page.live_revision_id
    page.title = "Draft title"
    page.summary = "Draft summary"
    page.save_revision()  # not published
    item = api("/api/v1/conditions/neuropathic-pain/").json()
    assert item["title"] == "Neuropathic pain"
    assert item["summary"] != "Draft summary"
    assert item["revision_id"] == published_revision


def test_rich_text_link_to_a_hidden_page_is_unwrapped(api, shingles):
    page = ConditionPage.objects.get(slug="neuropathic-pain")
    link = f'<a linktype="page" id="{shingles.pk}">shingles</a>'
    page.body = [{"type": "paragraph", "value": f"<p>See {link}.</p>"}]
    page.save_revision().publish()
    shingles.unpublish()
    html = api("/api/v1/conditions/neuropathic-pain/").json()["body"][0]["value"]
    assert html == "<p>See shingles.</p>"
