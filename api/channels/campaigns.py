"""Campaigns as the channels deliver them (pages/models/campaigns.py): only a campaign's live
version while it is public (pages.selectors.public_snippets), its public items in its order as
their stored list shapes with its teasers applied, and its email. Served by
api/views/campaigns.py and previewed by api/channels/drafts.py."""

from django.http import Http404, HttpResponse

from api.channels import email
from api.serving.read_path import ItemReader
from pages.models import Campaign, Disclaimer
from pages.selectors import Visibility, public_snippets
from pages.text_safety import safe_href
from shapes.build import build
from shapes.representation import (
    CAMPAIGNS,
    collection_key,
    disclaimer_representation,
    item_api_url,
    page_key,
    snippet_key,
)
from shapes.schema import CampaignSummarySerializer
from shapes.serializers import DETAIL, LIST

CAMPAIGNS_KEY = collection_key(CAMPAIGNS)


def campaign_keys(campaign):
    return [CAMPAIGNS_KEY, snippet_key(Campaign, campaign.pk)]


def public_campaigns():
    return public_snippets(Campaign.objects.all())


def live_campaign(slug):
    campaign = public_campaigns().filter(slug=slug).first()
    if campaign is None:
        raise Http404(f"No published campaign has the slug '{slug}'.")
    return campaign


def summary(campaign):
    return build(
        CampaignSummarySerializer,
        campaign,
        api_url=item_api_url(CAMPAIGNS, campaign.slug),
        feed_url=f"{item_api_url('feeds/campaigns', campaign.slug).rstrip('/')}.rss",
    )


def campaign_links(campaign):
    """The campaign's item links in its order, and the distinct page ids they name."""
    links = list(campaign.items.order_by("sort_order", "pk"))
    return links, list(dict.fromkeys(link.page_id for link in links))


def with_teaser(data, link):
    """An item's list shape as the campaign shows it: its teaser instead of the page's own."""
    return {
        **data,
        "title": link.teaser_title or data["title"],
        "summary": link.teaser_summary or data.get("summary", ""),
    }


def campaign_items(campaign, reader):
    """(pieces shown, [item data with the teasers applied], every item's page key) of
    `campaign`'s public items, in its order; every item's page key validates the answer (one
    that becomes public must appear)."""
    links, ids = campaign_links(campaign)
    pieces = reader.copies(reader.rows_in_order(ids, LIST), LIST)
    items = [
        with_teaser(pieces[link.page_id].data(), link) for link in links if link.page_id in pieces
    ]
    shown = [pieces[pk] for pk in ids if pk in pieces]
    return shown, items, [page_key(pk) for pk in ids]


def email_items(items, reader):
    """(detail pieces read, `items` as the email shows them): each with its page's own
    `page_title` (a link's text must make sense whatever the teaser says) and, for an item
    with safety information (a therapy), that reviewed `safety`, which no teaser changes."""
    ids = list(dict.fromkeys(item["id"] for item in items))
    details = reader.copies(reader.rows_in_order(ids, DETAIL), DETAIL)
    facts = {pk: piece.data() for pk, piece in details.items()}
    shown = []
    for item in items:
        detail = facts.get(item["id"], {})
        extra = {"page_title": detail.get("title") or item["title"]}
        if detail.get("safety"):
            extra["safety"] = detail["safety"]
        shown.append({**item, **extra})
    return list(details.values()), shown


def default_disclaimer(visibility):
    """The default disclaimer as a campaign's footer shows it, or None."""
    disclaimer = Disclaimer.default()
    return disclaimer_representation(disclaimer, visibility) if disclaimer else None


def campaign_document(campaign, items, disclaimer, utm, esp, brand=None):
    """The campaign's email ({subject, preheader, html, text, links}) of `items` (from
    `email_items`), with the `disclaimer` (from `default_disclaimer`) at its foot."""
    facts = {
        "subject": campaign.subject,
        "preheader": campaign.preheader,
        "intro": campaign.intro,
        "call_to_action": (
            {"label": campaign.call_to_action_label, "url": campaign.call_to_action_url}
            if safe_href(campaign.call_to_action_url)
            else None
        ),
    }
    return email.campaign_email(facts, items, disclaimer, utm, esp, brand)


def campaign_utm(request, campaign):
    return email.utm_values(
        request, {"utm_campaign": campaign.utm_name(), "utm_content": campaign.slug}
    )


def campaign_preview(request, campaign):
    """The admin's Email preview of a campaign: its draft as the API will show it once
    published (items that are not public left out)."""
    visibility = Visibility.load()
    reader = ItemReader(visibility, request)
    _, items, _ = campaign_items(campaign, reader)
    _, items = email_items(items, reader)
    utm = email.utm_values(
        None, {"utm_campaign": campaign.utm_name(), "utm_content": campaign.slug}
    )
    esp = email.esp_of(None, campaign.esp)
    document = campaign_document(campaign, items, default_disclaimer(visibility), utm, esp)
    return HttpResponse(document["html"])
