"""Marketing composes campaigns in the admin: drafts, publishing (refused with the reasons
while an item's page is not public) and the Email preview."""

from django.urls import reverse

from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

import pytest

from pages.models import Campaign, CausePage, TherapyPage

SEED_ONCE = True  # every database test reads the seed (tests/conftest.py)


def campaign_form(*pages, **fields):
    data = {
        "name": "Spring newsletter",
        "slug": "spring",
        "subject": "New ways to treat nerve pain",
        "preheader": "Ketamine infusions and more",
        "intro": rich_text("<p>This spring, read about new treatments.</p>"),
        "utm_campaign": "spring-2027",
        "call_to_action_label": "",
        "call_to_action_url": "",
        "items": inline_formset(
            [{"page": str(page.pk), "teaser_title": "", "teaser_summary": ""} for page in pages]
        ),
        **fields,
    }
    return nested_form_data(data)


@pytest.fixture
def pages(seeded):
    return (
        TherapyPage.objects.get(slug="ketamine-infusion-therapy"),
        CausePage.objects.get(slug="shingles"),
    )


def test_publishing_is_refused_while_an_item_is_not_public(admin_client, pages):
    therapy, shingles = pages
    shingles.unpublish()
    data = campaign_form(therapy, shingles, **{"action-publish": "action-publish"})
    response = admin_client.post(reverse("wagtailsnippets_pages_campaign:add"), data)
    assert response.status_code == 200  # the form again, with the reason
    assert "“Shingles” is not public" in response.content.decode()
    assert not Campaign.objects.filter(live=True).exists()
    draft = admin_client.post(
        reverse("wagtailsnippets_pages_campaign:add"), campaign_form(therapy, shingles)
    )
    assert draft.status_code == 302  # a draft may name it: it is not shown to anyone
    assert Campaign.objects.get(slug="spring").live is False


def test_a_campaign_published_from_the_admin_is_served(admin_client, client, pages):
    data = campaign_form(*pages, **{"action-publish": "action-publish"})
    response = admin_client.post(reverse("wagtailsnippets_pages_campaign:add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    body = client.get("/api/v1/campaigns/spring/").json()
    assert [item["title"] for item in body["items"]] == [
        "Ketamine infusion therapy",
        "Shingles",
    ]


def test_the_email_preview_of_a_campaign_in_the_admin(admin_client, pages):
    campaign = Campaign(name="x", slug="spring", subject="s", live=False)
    campaign.save()
    url = reverse("wagtailsnippets_pages_campaign:preview_on_edit", args=[campaign.pk])
    data = campaign_form(*pages, subject="A subject only the preview knows")
    assert admin_client.post(url, data).json()["is_valid"] is True
    shown = admin_client.get(url).content.decode()
    assert "A subject only the preview knows" in shown and "Shingles" in shown
    assert "<script" not in shown[shown.index("<body") :]
