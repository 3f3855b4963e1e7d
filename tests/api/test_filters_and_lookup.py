from django.utils import timezone

from wagtail.contrib.redirects.models import Redirect

import pytest

from pages.models import CausePage, ConditionPage

SEED_ONCE = True  # every database test reads the seed (tests/conftest.py)


def slugs(api, path):
    response = api(path)
    assert response.status_code == 200, response.content
    return [item["slug"] for item in response.json()["results"]]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/api/v1/conditions/?symptom=tingling", ["neuropathic-pain"]),
        ("/api/v1/conditions/?cause=shingles", ["neuropathic-pain"]),
        ("/api/v1/conditions/?treatment=opioids", ["neuropathic-pain"]),
        ("/api/v1/conditions/?therapy=ketamine-infusion-therapy", ["neuropathic-pain"]),
        ("/api/v1/conditions/?symptom=no-such-symptom", []),
        ("/api/v1/therapies/?condition=neuropathic-pain", ["ketamine-infusion-therapy"]),
        ("/api/v1/treatments/?category=topical", ["topical-creams-and-patches"]),
        (
            "/api/v1/treatments/?category=alternative-medicine&ordering=-title",
            ["herbal-remedies", "dietary-supplements", "acupuncture"],
        ),
        ("/api/v1/conditions/?review_status=current", ["neuropathic-pain"]),
        ("/api/v1/conditions/?review_status=overdue", []),
        ("/api/v1/conditions/?updated_since=2026-03-01T00:00:00Z", ["neuropathic-pain"]),
        ("/api/v1/conditions/?updated_since=2026-04-01T00:00:00Z", []),
        ("/api/v1/conditions/?search=nerve%20pain", ["neuropathic-pain"]),
    ],
)
def test_filters(api, path, expected):
    assert slugs(api, path) == expected


def test_causes_of_a_condition(api):
    found = slugs(api, "/api/v1/causes/?condition=neuropathic-pain&limit=100")
    assert len(found) == 8 and found == sorted(found)


def test_review_status_moves_with_the_clock(api, freezer):
    freezer.move_to("2027-02-20")  # next review due 2027-03-10: within 30 days
    assert slugs(api, "/api/v1/conditions/?review_status=due_soon") == ["neuropathic-pain"]
    freezer.move_to("2027-03-11")
    assert slugs(api, "/api/v1/conditions/?review_status=overdue") == ["neuropathic-pain"]


def test_search_across_types_is_ranked_and_list_shaped(api):
    body = api("/api/v1/search/?q=nerve%20pain").json()
    assert body["results"][0]["slug"] == "neuropathic-pain"
    assert {"id", "type", "slug", "url", "api_url"} <= set(body["results"][0])
    types = {item["type"] for item in api("/api/v1/search/?q=ketamine&limit=100").json()["results"]}
    assert "therapy" in types


def test_page_lookup_by_path(api, seeded):
    item = api("/api/v1/pages/?path=/conditions/neuropathic-pain/").json()
    assert item["type"] == "condition" and item["slug"] == "neuropathic-pain"
    assert "schema_org" in item
    same = api("/api/v1/pages/?path=/conditions/neuropathic-pain").json()
    assert same["id"] == item["id"]


def test_page_lookup_follows_redirects(api, seeded, django_capture_on_commit_callbacks):
    page = CausePage.objects.get(slug="shingles")
    page.slug = "herpes-zoster"
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()
    assert Redirect.objects.filter(old_path="/causes/shingles").exists()
    response = api("/api/v1/pages/?path=/causes/shingles/")
    assert response.status_code == 301
    assert response["Location"] == (
        "https://api.example-clinic.test/api/v1/pages/?path=%2Fcauses%2Fherpes-zoster%2F"
    )
    body = response.json()
    assert body["redirect_to"]["path"] == "/causes/herpes-zoster/"
    assert body["redirect_to"]["item"]["slug"] == "herpes-zoster"
    assert body["permanent"] is True
    app = api("/api/v1/pages/?path=/causes/shingles/&channel=app")
    assert app.status_code == 301 and app["Location"].endswith("&channel=app")


def test_updated_since_uses_publish_time(api, seeded, freezer):
    freezer.move_to("2026-06-01 12:00:00")
    page = ConditionPage.objects.get(slug="neuropathic-pain")
    page.save_revision().publish()
    page.refresh_from_db()
    assert page.last_published_at.date() == timezone.localdate()
    assert slugs(api, "/api/v1/conditions/?updated_since=2026-05-31T00:00:00Z") == [
        "neuropathic-pain"
    ]
