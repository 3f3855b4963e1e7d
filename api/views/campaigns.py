"""GET /api/v1/campaigns/, /api/v1/campaigns/<slug>/ and /api/v1/feeds/campaigns/<slug>.rss:
published campaigns (pages/models/campaigns.py) for send-time fetchers (Braze Connected Content,
Iterable and Klaviyo feeds) and RSS campaigns.

Only a campaign's live version is ever read (a newer draft lives in its revisions, never in the
row), and only while it is public (pages.selectors.public_snippets: live and not past its
`expire_at`, whether or not the worker has unpublished it yet); of its items only those whose
pages are public now, each in its stored list shape (api/read_path.py) with the campaign's
teaser overrides applied. An answer is kept (Cache-Control, the response cache) no longer than
until the first campaign it shows, or counts, expires.
"""

import hashlib

from django.conf import settings
from django.http import Http404, HttpResponse

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.views import APIView

from api import email
from api.auth import CampaignsKeyWhenConfigured, KeyRequiredWhenConfigured
from api.feeds import RSS
from api.pagination import StrictLimitOffsetPagination, page_parameters
from api.params import Query
from api.read_path import ItemReader, ResponseParts
from api.schema import ERROR_RESPONSES, EmailAnchorSerializer, utm_parameters
from api.stored import render
from api.views.feeds import FeedMixin, feed_schema, feed_utm
from api.views.reading import AnsweringMixin
from pages.models import Campaign, Disclaimer
from pages.selectors import Visibility, public_snippets
from pages.text_safety import safe_href
from shapes.representation import (
    CAMPAIGNS,
    collection_key,
    disclaimer_representation,
    item_api_url,
    page_key,
    snippet_key,
)
from shapes.schema import items_of_any_type
from shapes.serializers import LIST, serializers_by_model

CAMPAIGNS_KEY = collection_key(CAMPAIGNS)
SLUG_PARAMETER = OpenApiParameter(
    "slug",
    {"type": "string", "pattern": r"^[-a-zA-Z0-9_]+$"},
    OpenApiParameter.PATH,
    description="The campaign's slug.",
)


class CampaignSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.SlugField()
    name = serializers.CharField()
    subject = serializers.CharField()
    preheader = serializers.CharField(allow_blank=True)
    api_url = serializers.URLField(help_text="The campaign as an email: subject, html, text.")
    feed_url = serializers.URLField(help_text="Its items as RSS, for RSS-driven campaigns.")
    last_published_at = serializers.DateTimeField(allow_null=True)


class CampaignListSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = CampaignSummarySerializer(many=True)


class CampaignSerializer(serializers.Serializer):
    """A published campaign as one email, for send-time fetchers: `html` a complete document
    (doctype, hidden preheader, 600 px table layout, CSS inlined, no `<style>` or `<script>`,
    the disclaimer at its foot), `text` its plain-text part, `links` every link of `html`,
    `items` its public items' list shapes with the campaign's teasers as title and summary."""

    id = serializers.IntegerField()
    slug = serializers.SlugField()
    subject = serializers.CharField()
    preheader = serializers.CharField(allow_blank=True)
    html = serializers.CharField()
    text = serializers.CharField()
    links = EmailAnchorSerializer(many=True)
    items = items_of_any_type("CampaignItem", serializers_by_model(LIST), many=True)


def campaign_keys(campaign):
    return [CAMPAIGNS_KEY, snippet_key(Campaign, campaign.pk)]


def public_campaigns():
    return public_snippets(Campaign.objects.all())


def live_campaign(slug):
    campaign = public_campaigns().filter(slug=slug).first()
    if campaign is None:
        raise Http404(f"No published campaign has the slug '{slug}'.")
    return campaign


def until_expiry(answer, *moments):
    """`answer`, kept no longer than the earliest of `moments` (expiry dates, None for none)."""
    stamps = [moment.timestamp() for moment in moments if moment is not None]
    if answer.expires is not None:
        stamps.append(answer.expires)
    answer.expires = min(stamps, default=None)
    return answer


def summary(campaign):
    return {
        "id": campaign.pk,
        "slug": campaign.slug,
        "name": campaign.name,
        "subject": campaign.subject,
        "preheader": campaign.preheader,
        "api_url": item_api_url(CAMPAIGNS, campaign.slug),
        "feed_url": f"{item_api_url('feeds/campaigns', campaign.slug).rstrip('/')}.rss",
        "last_published_at": campaign.last_published_at,
    }


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


def default_disclaimer(visibility):
    """The default disclaimer as a campaign's footer shows it, or None."""
    disclaimer = Disclaimer.default()
    return disclaimer_representation(disclaimer, visibility) if disclaimer else None


def campaign_document(campaign, items, disclaimer, utm):
    """The campaign's email ({subject, preheader, html, text, links}) of `items`, with the
    `disclaimer` (from `default_disclaimer`) at its foot."""
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
    return email.campaign_email(facts, items, disclaimer, utm)


def campaign_utm(request, campaign):
    return email.utm_values(
        request, {"utm_campaign": campaign.utm_name(), "utm_content": campaign.slug}
    )


class CampaignListView(AnsweringMixin, APIView):
    """Published campaigns, by name: what each is and where its email and feed are."""

    http_method_names = ["get", "head"]
    permission_classes = [KeyRequiredWhenConfigured, CampaignsKeyWhenConfigured]

    @extend_schema(
        summary="List published campaigns",
        operation_id="campaigns_list",
        parameters=page_parameters(),
        responses={200: CampaignListSerializer, **ERROR_RESPONSES},
    )
    def get(self, request):
        query = Query(request, {"limit", "offset"})
        StrictLimitOffsetPagination().check(query)
        query.done()
        return self.answered(request, lambda: self.answer(request))

    def answer(self, request):
        paginator = StrictLimitOffsetPagination()
        live = public_campaigns().order_by("name", "pk")
        campaigns = paginator.paginate_rows(
            request, live.count, lambda offset, limit: live[offset : offset + limit]
        )
        body = render({**paginator.envelope(), "results": [summary(c) for c in campaigns]})
        keys = [CAMPAIGNS_KEY, *(snippet_key(Campaign, c.pk) for c in campaigns)]
        # the first expiry among all of them ends the count too, not only this page's items
        expiring = live.filter(expire_at__isnull=False).order_by("expire_at")
        first_expiry = expiring.values_list("expire_at", flat=True).first()
        return until_expiry(fixed_answer(body, keys, [CAMPAIGNS_KEY]), first_expiry)


def fixed_answer(body, keys, validators):
    """An ResponseParts for a body already built (a few rows of our own, no stored pieces)."""
    return ResponseParts(
        etag=f'W/"{hashlib.sha256(body).hexdigest()[:40]}"',
        keys=keys,
        expires=None,
        body=lambda: body,
        validators=validators,
    )


class CampaignDetailView(AnsweringMixin, APIView):
    """A published campaign as one email: `html` a complete document (doctype, hidden
    preheader, 600 px table layout, inlined CSS, the disclaimer at its foot), `text` its
    plain-text part, `items` its public items' list shapes with the teasers applied."""

    http_method_names = ["get", "head"]
    permission_classes = [KeyRequiredWhenConfigured, CampaignsKeyWhenConfigured]

    @extend_schema(
        summary="One published campaign as an email",
        operation_id="campaigns_retrieve",
        parameters=[SLUG_PARAMETER, *utm_parameters()],
        responses={200: CampaignSerializer, **ERROR_RESPONSES},
    )
    def get(self, request, slug):
        email.check_utm(request)
        campaign = live_campaign(slug)
        utm = campaign_utm(request, campaign)
        return self.answered(request, lambda: self.answer(campaign, utm))

    def answer(self, campaign, utm):
        visibility = Visibility.load()
        reader = ItemReader(visibility, self.request)
        shown, items, item_keys = campaign_items(campaign, reader)
        disclaimer = default_disclaimer(visibility)

        def body():
            document = campaign_document(campaign, items, disclaimer, utm)
            return render({"id": campaign.pk, "slug": campaign.slug, **document, "items": items})

        facts = render([summary(campaign), campaign.intro, campaign.call_to_action_url, utm])
        extra = [facts, render(disclaimer)]
        answer = ResponseParts(
            etag=reader.etag(f"campaign|{email.VERSION}", shown, extra),
            keys=[*campaign_keys(campaign), *sorted(reader.keys)],  # what it shows, no more
            expires=reader.expires,
            body=body,
            # every item's page, public or not: one that becomes public must appear
            validators=[*campaign_keys(campaign), *item_keys],
        )
        return until_expiry(answer, campaign.expire_at)


class CampaignFeedView(FeedMixin, APIView):
    """A published campaign's public items, in its order, as RSS (for RSS-driven campaigns)."""

    permission_classes = [CampaignsKeyWhenConfigured]  # otherwise readable without a key

    @feed_schema(RSS, "A campaign's items as RSS", SLUG_PARAMETER)
    def get(self, request, slug):
        email.check_utm(request)
        campaign = live_campaign(slug)
        utm = feed_utm(request, campaign.utm_name())
        return self.answered(request, lambda: self.answer(campaign, utm))

    def answer(self, campaign, utm):
        reader = ItemReader(Visibility.load(), self.request)
        links, ids = campaign_links(campaign)
        first = {}  # a page named twice shows once, with its first teaser
        for link in links:
            first.setdefault(link.page_id, link)

        def teased(data):
            return with_teaser(data, first[data["id"]])

        texts = (
            campaign.subject,
            campaign.preheader or campaign.subject,
            settings.WEBSITE_BASE_URL + "/",
        )
        answer = self.feed_answer(
            RSS, reader, ids, texts, utm, campaign_keys(campaign), teased, map(page_key, ids)
        )
        return until_expiry(answer, campaign.expire_at)


def campaign_preview(request, campaign):
    """The admin's Email preview of a campaign: its draft as the API will show it once
    published (items that are not public left out)."""
    visibility = Visibility.load()
    reader = ItemReader(visibility, request)
    _, items, _ = campaign_items(campaign, reader)
    utm = email.utm_values(
        None, {"utm_campaign": campaign.utm_name(), "utm_content": campaign.slug}
    )
    document = campaign_document(campaign, items, default_disclaimer(visibility), utm)
    return HttpResponse(document["html"])
