"""Campaigns (pages/models/campaigns.py) and their API: /api/v1/campaigns/, the campaign email,
its RSS feed; only live versions of published campaigns, only public items."""

import datetime
from urllib.parse import parse_qs, urlsplit

from django.core.exceptions import ValidationError

import feedparser
import pytest

from pages.models import Campaign, CampaignItem, CausePage, ConditionPage, TherapyPage
from tests.api.test_email import assert_email_safe, text_contrasts, visible_text

PATH = "/api/v1/campaigns/spring/"
FEED = "/api/v1/feeds/campaigns/spring.rss"

SEED_ONCE = True  # every database test reads the seed (tests/conftest.py)


def make_campaign(publish=True, **fields):
    campaign = Campaign(
        name="Spring newsletter",
        slug="spring",
        subject="New ways to treat nerve pain",
        preheader="Ketamine infusions, and what causes neuropathic pain",
        intro="<p>This spring, read about <b>new treatments</b>.</p>",
        utm_campaign="spring-2027",
        call_to_action_label="Book a consultation",
        call_to_action_url="https://www.example-clinic.test/contact/",
        live=False,
        **fields,
    )
    therapy = TherapyPage.objects.get(slug="ketamine-infusion-therapy")
    condition = ConditionPage.objects.get(slug="neuropathic-pain")
    campaign.items = [
        CampaignItem(page=therapy, teaser_title="Ketamine: fast relief?", sort_order=0),
        CampaignItem(page=condition, sort_order=1),
        CampaignItem(page=CausePage.objects.get(slug="shingles"), sort_order=2),
    ]
    campaign.save()
    if publish:
        campaign.save_revision().publish()
    return campaign


@pytest.fixture
def campaign(api):
    return make_campaign()


def test_a_published_campaign_is_a_complete_email_document(api, campaign):
    response = api(PATH)
    assert response.status_code == 200
    assert response["ETag"] and f"snippet-campaign-{campaign.pk}" in response["Surrogate-Key"]
    assert len(response.content) < 1_000_000
    body = response.json()
    assert body["subject"] == "New ways to treat nerve pain"
    document = body["html"]
    assert_email_safe(document)
    assert "Ketamine infusions, and what causes neuropathic pain" in document  # preheader
    assert "not personal medical advice" in document  # the disclaimer
    assert not [n.tag for n, ratio in text_contrasts(document) if ratio < 4.5]
    assert [item["title"] for item in body["items"]] == [
        "Ketamine: fast relief?",
        "Neuropathic pain",
        "Shingles",
    ]
    assert body["items"][0]["summary"]  # the page's own where no teaser overrides it
    links = {link["text"]: link["url"] for link in body["links"]}
    query = parse_qs(urlsplit(links["Read our page on Shingles"]).query)
    assert query["utm_campaign"] == ["spring-2027"] and query["utm_content"] == ["shingles"]
    assert parse_qs(urlsplit(links["Book a consultation"]).query)["utm_content"] == [
        "call-to-action"
    ]
    assert body["text"].startswith("Kalypso Wellness Centers\n")  # the brand, then the email
    assert "\n\nNew ways to treat nerve pain\n" in body["text"] and "](" not in body["text"]
    listed = api("/api/v1/campaigns/").json()
    assert [c["slug"] for c in listed["results"]] == ["spring"]
    assert listed["results"][0]["api_url"].endswith("/api/v1/campaigns/spring/")
    feed = feedparser.parse(api(listed["results"][0]["feed_url"].split(".test", 1)[1]).content)
    assert [entry.title for entry in feed.entries] == [item["title"] for item in body["items"]]


def test_a_draft_campaign_is_not_found_and_a_newer_draft_is_never_shown(api):
    draft = make_campaign(publish=False)
    assert api(PATH).status_code == 404
    assert api("/api/v1/campaigns/").json()["results"] == []
    assert api("/api/v1/feeds/campaigns/spring.rss").status_code == 404
    draft.save_revision().publish()
    draft.refresh_from_db()
    draft.subject = "A draft subject nobody approved"
    draft.save_revision()  # a newer draft: the live row keeps the published version
    assert api(PATH).json()["subject"] == "New ways to treat nerve pain"
    draft.unpublish()
    assert api(PATH).status_code == 404


def test_a_campaign_past_its_expiry_is_gone_before_the_worker_runs(api, freezer, settings):
    """Hidden at read time, as pages and snippets are: the list, the email and the feed stop
    showing it the moment `expire_at` passes (the worker unpublishes it later), and nothing
    keeps an answer that shows it, or counts it, beyond that moment."""
    settings.API_RESPONSE_CACHE_SECONDS = 300
    make_campaign(expire_at=datetime.datetime(2026, 3, 10, 9, 2, tzinfo=datetime.UTC))
    paths = (PATH, FEED, "/api/v1/campaigns/")
    for path in paths:
        response = api(path)
        assert response.status_code == 200, path
        assert "s-maxage=120" in response["Cache-Control"], (path, response["Cache-Control"])
    assert [c["slug"] for c in api("/api/v1/campaigns/").json()["results"]] == ["spring"]

    freezer.move_to("2026-03-10 09:03:00")  # expired; the worker has not run
    assert Campaign.objects.get(slug="spring").live
    assert api(PATH).status_code == 404
    assert api(FEED).status_code == 404
    assert api("/api/v1/campaigns/").json() == {
        "count": 0,
        "next": None,
        "previous": None,
        "results": [],
    }


def test_a_campaign_cannot_be_published_with_an_item_that_is_not_public(api):
    campaign = make_campaign(publish=False)
    CausePage.objects.get(slug="shingles").unpublish()
    with pytest.raises(ValidationError, match="Shingles"):
        campaign.save_revision().publish()
    assert api(PATH).status_code == 404


def test_a_scheduled_campaign_with_a_hidden_item_is_unscheduled_not_a_stuck_worker(api, freezer):
    from django.core.management import call_command

    campaign = make_campaign(publish=False)
    revision = campaign.save_revision(approved_go_live_at="2026-03-11T09:00:00Z")
    CausePage.objects.get(slug="shingles").unpublish()
    freezer.move_to("2026-03-12 09:00:00")
    call_command("publish_scheduled", verbosity=0)  # what run_worker runs each round
    revision.refresh_from_db()
    assert revision.approved_go_live_at is None
    assert api(PATH).status_code == 404


def test_an_item_that_stops_being_public_leaves_the_campaign_at_once(
    api, campaign, settings, django_capture_on_commit_callbacks
):
    settings.API_RESPONSE_CACHE_SECONDS = 300
    assert "Shingles" in api(PATH).content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # the purge runs on commit
        CausePage.objects.get(slug="shingles").unpublish()
    body = api(PATH).json()
    assert [item["title"] for item in body["items"]] == [
        "Ketamine: fast relief?",
        "Neuropathic pain",
    ]
    assert "shingles" not in body["html"].lower()
    assert "Shingles" not in api("/api/v1/feeds/campaigns/spring.rss").content.decode()


def test_an_edit_of_an_item_and_the_campaigns_publication_purge_it(
    api, campaign, settings, django_capture_on_commit_callbacks
):
    settings.API_RESPONSE_CACHE_SECONDS = 300
    first = api(PATH)
    assert api(PATH, **{"If-None-Match": first["ETag"]}).status_code == 304
    condition = ConditionPage.objects.get(slug="neuropathic-pain")
    condition.title = "Nerve pain"
    with django_capture_on_commit_callbacks(execute=True):
        condition.save_revision().publish()
    assert [i["title"] for i in api(PATH).json()["items"]][1] == "Nerve pain"
    campaign.refresh_from_db()
    campaign.subject = "Spring, revised"
    with django_capture_on_commit_callbacks(execute=True):
        campaign.save_revision().publish()
    assert api(PATH).json()["subject"] == "Spring, revised"
    assert api("/api/v1/campaigns/").json()["results"][0]["subject"] == "Spring, revised"


def test_campaign_parameters_are_validated(api, campaign):
    assert api(PATH + "?utm_source=a%20b").status_code == 400
    assert api(PATH + "?limit=3").status_code == 400
    assert api("/api/v1/campaigns/?limit=0").status_code == 400
    custom = api(PATH + "?utm_campaign=override").json()
    website = [link["url"] for link in custom["links"] if "example-clinic.test" in link["url"]]
    assert all(parse_qs(urlsplit(url).query)["utm_campaign"] == ["override"] for url in website)


def test_the_admin_preview_shows_the_draft_as_the_email_it_will_be(api, rf):
    draft = make_campaign(publish=False)
    draft.subject = "An unsaved subject"
    CausePage.objects.get(slug="shingles").unpublish()
    response = draft.serve_preview(rf.get("/admin/"), "email")
    document = response.content.decode()
    assert response.status_code == 200
    assert_email_safe(document)
    assert "An unsaved subject" in document and "Ketamine: fast relief?" in document
    assert "Shingles" not in document  # left out, as the API would


def test_a_therapy_in_a_campaign_carries_its_reviewed_safety_line_whatever_its_teaser(api):
    campaign = make_campaign(publish=False)
    therapy = campaign.items.get(sort_order=0)
    therapy.teaser_summary = "Safe for everyone, no side effects!"  # a teaser cannot drop it
    therapy.save()
    campaign.save_revision().publish()
    body = api(PATH).json()
    seen = visible_text(body["html"])
    line = (
        "Safety: off-label use (approved for anesthesia, not for this use). Not for people "
        "with poorly controlled cardiovascular disease, pregnancy, active psychosis, severe "
        "liver disease, raised intracranial pressure or raised intraocular pressure. Full "
        "safety information for Ketamine infusion therapy"
    )
    assert line in seen and line.replace("Full safety", "\nFull safety") not in body["text"]
    assert seen.index(line) < seen.index("Book a consultation")  # safety before the action
    assert "Safety:" in body["text"] and "not for this use" in body["text"]
    texts = [link["text"] for link in body["links"]]
    # link text that makes sense alone: the page's own title, never the teaser's question
    assert "Read our page on Ketamine infusion therapy" in texts
    assert not any(text.startswith("Read") and "fast relief" in text for text in texts)
    for item in ("Neuropathic pain", "Shingles"):  # no safety line where there is none
        teaser = seen[
            seen.index(f"Read our page on {item}") - 400 : seen.index(f"Read our page on {item}")
        ]
        assert "Safety:" not in teaser.split("Read our page on")[-1]
    assert "This email is general information" in seen  # the disclaimer worded for email
