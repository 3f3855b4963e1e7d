"""Campaigns as the channels deliver them (pages/models/campaigns.py): only a campaign's live
version while it is public (pages.selectors.public_snippets), its public items in its order as
their stored list shapes with its teasers applied, and its email. Served by
api/views/campaigns.py and previewed by api/channels/drafts.py.

In another language than the default, a campaign is its reviewed translation (public_snippets
in that locale), found by its own slug or by its source's; each item it links is shown in the
campaign's language (the linked page's public translation, whichever language the editor
linked), or, with no public translation, as the email channel's TRANSLATION_FALLBACK says (by
default left out); the disclaimer is the default one's reviewed translation."""

from django.http import Http404, HttpResponse

from api.channels import email
from api.http.locales import EMAIL, LanguageChoice
from api.serving.read_path import ItemReader
from pages.models import Campaign, Disclaimer
from pages.selectors import Visibility, default_locale_id, public_snippets
from pages.text_safety import safe_href
from shapes.build import build
from shapes.representation import (
    CAMPAIGNS,
    collection_key,
    disclaimer_representation,
    endpoint_url,
    item_api_url,
    locale_query,
    page_key,
    snippet_key,
    translated_snippets,
)
from shapes.schema import CampaignSummarySerializer
from shapes.serializers import DETAIL, LIST

CAMPAIGNS_KEY = collection_key(CAMPAIGNS)


def campaigns_key(language=None):
    """The key of the list of campaigns in `language` (every language's answers carry the
    default language's key too: api.serving.read_path.language_keys)."""
    return collection_key(CAMPAIGNS, language)


def campaign_keys(campaign, language=None):
    return sorted({CAMPAIGNS_KEY, campaigns_key(language), snippet_key(Campaign, campaign.pk)})


def public_campaigns(visibility=None):
    """The public campaigns in `visibility`'s language (the default language's without one)."""
    if visibility is None or visibility.is_default_language:
        return public_snippets(Campaign.objects.all())
    return public_snippets(Campaign.objects.all(), locale_id=visibility.locale_id)


def live_campaign(slug, visibility=None):
    """The public campaign with `slug` in `visibility`'s language; in another language than the
    default, also the translation of the default language's campaign with `slug` (a
    translation may have a slug of its own). 404 otherwise, whether or not a hidden one has it."""
    live = public_campaigns(visibility)
    campaign = live.filter(slug=slug).first()
    if campaign is None and visibility is not None and not visibility.is_default_language:
        source = Campaign.objects.filter(slug=slug, locale_id=default_locale_id())
        campaign = live.filter(translation_key__in=source.values("translation_key")).first()
    if campaign is None:
        raise Http404(f"No published campaign has the slug '{slug}'.")
    return campaign


def summary(campaign, language=None):
    return build(
        CampaignSummarySerializer,
        campaign,
        api_url=item_api_url(CAMPAIGNS, campaign.slug, language),
        feed_url=endpoint_url(f"feeds/campaigns/{campaign.slug}.rss{locale_query(language)}"),
    )


def campaign_links(campaign, visibility=None):
    """The campaign's item links in its order, and the distinct page ids they name; in another
    language than the default, each link names the page shown for it in that language (its
    public translation where there is one)."""
    links = list(campaign.items.order_by("sort_order", "pk"))
    if visibility is not None and not visibility.is_default_language and links:
        versions = visibility.link_versions({link.page_id for link in links})
        shown = {pk: facts[-1] for pk, facts in versions.items()}
        for link in links:
            link.linked_page_id, link.page_id = link.page_id, shown.get(link.page_id, link.page_id)
    return links, list(dict.fromkeys(link.page_id for link in links))


def with_teaser(data, link):
    """An item's list shape as the campaign shows it: its teaser instead of the page's own."""
    return {
        **data,
        "title": link.teaser_title or data["title"],
        "summary": link.teaser_summary or data.get("summary", ""),
    }


def campaign_items(campaign, reader, visibility=None):
    """(pieces shown, [item data with the teasers applied], every item's page key) of
    `campaign`'s public items, in its order, in `visibility`'s language; every item's page key
    validates the answer (one that becomes public must appear)."""
    links, ids = campaign_links(campaign, visibility)
    pieces = reader.copies(reader.rows_in_order(ids, LIST), LIST)
    language = reader.visibility.language
    items = [
        with_teaser(pieces[link.page_id].data_answered(language), link)
        for link in links
        if link.page_id in pieces
    ]
    shown = [pieces[pk] for pk in ids if pk in pieces]
    linked = {getattr(link, "linked_page_id", link.page_id) for link in links}
    return shown, items, [page_key(pk) for pk in sorted({*ids, *linked})]


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
    """The default disclaimer as a campaign's footer shows it (in `visibility`'s language where
    its reviewed translation is public), or None."""
    disclaimer = Disclaimer.default()
    if disclaimer is None:
        return None
    (shown,) = translated_snippets([disclaimer], visibility)
    return disclaimer_representation(shown, visibility)


def campaign_document(campaign, items, disclaimer, utm, esp, brand=None):
    """The campaign's email ({subject, preheader, html, text, links}) of `items` (from
    `email_items`), with the `disclaimer` (from `default_disclaimer`) at its foot."""
    facts = {
        "language": Visibility.load().language_of(campaign.locale_id),
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
    published (items that are not public left out), in its language."""
    language = Visibility.load().language_of(campaign.locale_id)
    visibility = LanguageChoice(language, True, EMAIL).visibility()
    reader = ItemReader(visibility, request)
    _, items, _ = campaign_items(campaign, reader, visibility)
    _, items = email_items(items, reader)
    utm = email.utm_values(
        None, {"utm_campaign": campaign.utm_name(), "utm_content": campaign.slug}
    )
    esp = email.esp_of(None, campaign.esp)
    document = campaign_document(campaign, items, default_disclaimer(visibility), utm, esp)
    return HttpResponse(document["html"])
