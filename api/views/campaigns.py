"""GET /api/v1/campaigns/, /api/v1/campaigns/<slug>/ and /api/v1/feeds/campaigns/<slug>.rss:
published campaigns (pages/models/campaigns.py) for send-time fetchers (Braze Connected Content,
Iterable and Klaviyo feeds) and RSS campaigns.

Only a campaign's live version is ever read (a newer draft lives in its revisions, never in the
row), and only while it is public (pages.selectors.public_snippets: live and not past its
`expire_at`, whether or not the worker has unpublished it yet); of its items only those whose
pages are public now, each in its stored list shape (api/serving/read_path.py) with the campaign's
teaser overrides applied. An answer is kept (Cache-Control, the response cache) no longer than
until the first campaign it shows, or counts, expires.
"""

from django.conf import settings

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.views import APIView

from api.channels import email
from api.channels.campaigns import (
    CAMPAIGNS_KEY,
    campaign_document,
    campaign_items,
    campaign_keys,
    campaign_links,
    campaign_utm,
    default_disclaimer,
    email_items,
    live_campaign,
    public_campaigns,
    summary,
    with_teaser,
)
from api.channels.feeds import RSS
from api.http.auth import CampaignsKeyWhenConfigured, KeyRequiredWhenConfigured
from api.http.pagination import page_parameters
from api.http.schema import (
    ERROR_RESPONSES,
    EmailAnchorSerializer,
    email_parameters,
)
from api.serving.read_path import ItemReader, ResponseParts, earliest, fixed_answer
from api.serving.stored import render
from api.views.feeds import FeedMixin, feed_schema, feed_utm
from api.views.reading import AnsweringMixin, PagedListView
from pages.models import Campaign
from pages.selectors import Visibility
from shapes.representation import EMAIL_BRAND_KEY, page_key, snippet_key
from shapes.schema import CampaignSummarySerializer, items_of_any_type, paged
from shapes.serializers import LIST, serializers_by_model

SLUG_PARAMETER = OpenApiParameter(
    "slug",
    {"type": "string", "pattern": r"^[-a-zA-Z0-9_]+$"},
    OpenApiParameter.PATH,
    description="The campaign's slug.",
)


class CampaignSerializer(serializers.Serializer):
    """A published campaign as one email, for send-time fetchers: `html` a complete, responsive
    document (MJML: 320 to 600 px, the brand's header, each therapy's safety line, the
    disclaimer, a footer with the clinic's address and the ESP's unsubscribe merge tag), `text`
    its plain-text part, `links` every link of `html` but the unsubscribe tag, `items` its
    public items' list shapes with the campaign's teasers as title and summary."""

    id = serializers.IntegerField()
    slug = serializers.SlugField()
    subject = serializers.CharField()
    preheader = serializers.CharField(allow_blank=True)
    html = serializers.CharField()
    text = serializers.CharField()
    links = EmailAnchorSerializer(many=True)
    items = items_of_any_type("CampaignItem", serializers_by_model(LIST), many=True)


def until_expiry(answer, *moments):
    """`answer`, kept no longer than the earliest of `moments` (expiry dates, None for none)."""
    stamps = [stamp for stamp in (earliest(moments), answer.expires) if stamp is not None]
    answer.expires = min(stamps, default=None)
    return answer


@extend_schema_view(
    get=extend_schema(
        summary="List published campaigns",
        operation_id="campaigns_list",
        parameters=page_parameters(),
        responses={
            200: paged("CampaignList", CampaignSummarySerializer(many=True)),
            **ERROR_RESPONSES,
        },
    )
)
class CampaignListView(PagedListView, AnsweringMixin, APIView):
    """Published campaigns, by name: what each is and where its email and feed are."""

    permission_classes = [KeyRequiredWhenConfigured, CampaignsKeyWhenConfigured]

    def answer(self, request, paginator):
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


class CampaignDetailView(AnsweringMixin, APIView):
    """A published campaign as one responsive email document for the ESP the request or the
    campaign names, with its plain-text part, its links and its public items (the teasers
    applied)."""

    http_method_names = ["get", "head"]
    permission_classes = [KeyRequiredWhenConfigured, CampaignsKeyWhenConfigured]

    @extend_schema(
        summary="One published campaign as an email",
        operation_id="campaigns_retrieve",
        parameters=[SLUG_PARAMETER, *email_parameters()],
        responses={200: CampaignSerializer, **ERROR_RESPONSES},
    )
    def get(self, request, slug):
        email.check_utm(request, esp=True)
        campaign = live_campaign(slug)
        utm = campaign_utm(request, campaign)
        brand = email.brand()
        esp = email.esp_of(request, campaign.esp, brand)
        return self.answered(request, lambda: self.answer(campaign, utm, esp, brand))

    def answer(self, campaign, utm, esp, brand):
        visibility = Visibility.load()
        reader = ItemReader(visibility, self.request)
        shown, items, item_keys = campaign_items(campaign, reader)
        details, email_shown = email_items(items, reader)
        disclaimer = default_disclaimer(visibility)

        def body():
            document = campaign_document(campaign, email_shown, disclaimer, utm, esp, brand)
            return render({"id": campaign.pk, "slug": campaign.slug, **document, "items": items})

        facts = render(
            [summary(campaign), campaign.intro, campaign.call_to_action_url, utm, esp, brand]
        )
        extra = [facts, render(disclaimer)]
        answer = ResponseParts(
            etag=reader.etag(f"campaign|{email.VERSION}", [*shown, *details], extra),
            keys=[*campaign_keys(campaign), EMAIL_BRAND_KEY, *sorted(reader.keys)],
            expires=reader.expires,
            body=body,
            # every item's page, public or not: one that becomes public must appear
            validators=[*campaign_keys(campaign), EMAIL_BRAND_KEY, *item_keys],
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
