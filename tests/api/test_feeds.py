"""RSS and Atom feeds (api/channels/feeds.py), read back with feedparser as a feed reader would."""

import re
from urllib.parse import parse_qs, urlsplit

from django.conf import settings

import feedparser
import pytest

from pages.models import CausePage, TherapyPage
from tests.factories import give_hero_image

COLLECTIONS = ["conditions", "causes", "treatments", "therapies"]

SEED_ONCE = True  # every database test reads the seed (tests/conftest.py)


def parsed(response):
    assert response.status_code == 200, response.content
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    return feed


@pytest.mark.parametrize("kind", ["rss", "atom"])
@pytest.mark.parametrize("collection", COLLECTIONS)
def test_every_collection_has_a_feed_of_its_public_items(api, collection, kind):
    response = api(f"/api/v1/feeds/{collection}.{kind}")
    expected = "application/rss+xml" if kind == "rss" else "application/atom+xml"
    assert response["Content-Type"].startswith(expected)
    assert f"collection-{collection}" in response["Surrogate-Key"].split()
    assert response["ETag"] and response["Cache-Control"]
    feed = parsed(response)
    listed = api(f"/api/v1/{collection}/?limit=100&ordering=-first_published_at,-id").json()
    assert [entry.title for entry in feed.entries] == [i["title"] for i in listed["results"]]
    # the channel's own link is the website in RSS as in Atom; the feed's URL is rel="self"
    assert feed.feed.link.startswith(settings.WEBSITE_BASE_URL + "/")
    own = [link.href for link in feed.feed.links if link.rel == "self"]
    assert own and own[0].endswith(f"/api/v1/feeds/{collection}.{kind}")
    if kind == "rss":
        assert re.search(
            rb"<channel><title>[^<]*</title><link>https://www\.example-clinic", response.content
        )
    for entry in feed.entries:
        assert entry.link.startswith(settings.WEBSITE_BASE_URL + "/")
        query = parse_qs(urlsplit(entry.link).query)
        assert query["utm_source"] == ["feed"] and query["utm_medium"] == ["rss"]
        assert query["utm_campaign"] == [collection]
        assert query["utm_content"] == [urlsplit(entry.link).path.strip("/").split("/")[-1]]
        assert entry.id.startswith("tag:") and entry.summary
        assert entry.published_parsed


def test_pubdate_is_the_first_publication_so_an_edit_is_not_new(api, freezer):
    first = parsed(api("/api/v1/feeds/therapies.rss")).entries[0]
    freezer.move_to("2026-05-01 10:00:00")
    page = TherapyPage.objects.get(slug="ketamine-infusion-therapy")
    page.title = "Ketamine infusions"
    page.save_revision().publish()
    again = parsed(api("/api/v1/feeds/therapies.atom")).entries[0]
    assert again.title == "Ketamine infusions"
    assert again.id == first.id  # the same guid: readers do not see a new item
    assert again.published_parsed == first.published_parsed
    assert again.updated_parsed[:3] == (2026, 5, 1)


def test_a_hero_image_is_media_content_with_its_size_and_type(api, settings, tmp_path):
    give_hero_image(settings, tmp_path, "A clinician")
    for kind in ("rss", "atom"):
        feed = parsed(api(f"/api/v1/feeds/conditions.{kind}"))
        (entry,) = [e for e in feed.entries if e.title == "Neuropathic pain"]
        (media,) = entry.media_content
        assert media["medium"] == "image"
        assert (media["width"], media["height"]) == ("600", "338")
        assert media["type"] in {"image/jpeg", "image/png"}
        assert media["url"].startswith(settings.API_BASE_URL + "/media/")


def test_a_hidden_page_leaves_the_feed_at_once(api):
    assert "Shingles" in [e.title for e in parsed(api("/api/v1/feeds/causes.rss")).entries]
    CausePage.objects.get(slug="shingles").unpublish()
    feed = parsed(api("/api/v1/feeds/causes.rss"))
    assert "Shingles" not in [e.title for e in feed.entries]
    assert "shingles" not in api("/api/v1/feeds/causes.atom").content.decode()


def test_feeds_answer_whatever_a_reader_accepts_and_refuse_bad_parameters(api, get):
    for accept in ["application/rss+xml", "text/xml", "application/xml;q=0.9, */*;q=0.8", "x/y"]:
        assert get("/api/v1/feeds/conditions.rss", Accept=accept).status_code == 200
    custom = parsed(api("/api/v1/feeds/conditions.rss?utm_source=mailchimp&utm_content=nl"))
    query = parse_qs(urlsplit(custom.entries[0].link).query)
    assert query["utm_source"] == ["mailchimp"] and query["utm_content"] == ["nl"]
    for path in [
        "/api/v1/feeds/conditions.rss?utm_source=a%20b",
        "/api/v1/feeds/conditions.rss?limit=5",
    ]:
        response = api(path)
        assert response.status_code == 400
        assert response["Content-Type"] == "application/problem+json"
    assert api("/api/v1/feeds/nothing.rss").status_code == 404
    assert api("/api/v1/feeds/conditions.json").status_code == 404


def test_feeds_stay_readable_without_a_key_when_the_json_api_requires_one(api, settings):
    settings.API_REQUIRE_KEY = True
    assert api("/api/v1/conditions/").status_code == 401
    assert api("/api/v1/feeds/conditions.rss").status_code == 200
    bad_key = api("/api/v1/feeds/conditions.rss", Authorization="Api-Key nonsense")
    assert bad_key.status_code == 401  # a key that is sent is still checked
