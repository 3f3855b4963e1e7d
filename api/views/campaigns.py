"""GET /api/v1/campaigns/, /api/v1/campaigns/<slug>/ and /api/v1/feeds/campaigns/<slug>.rss:
published campaigns (pages/models/campaigns.py) for send-time fetchers (Braze Connected Content,
Iterable and Klaviyo feeds) and RSS campaigns.

Only a campaign's live version is ever read (a newer draft lives in its revisions, never in the
row), and only while it is public (pages.selectors.public_snippets: live and not past its
`expire_at`, whether or not the worker has unpublished it yet); of its items only those whose
pages are public now, each in its stored list shape (api/serving/read_path.py) with the campaign's
teaser overrides applied. An answer is kept (Cache-Control, the response cache) no longer than
until the first campaign it shows, or counts, expires.

`locale=` (or Accept-Language, answered with a redirect) names the language: a campaign's
reviewed translation, its items in that language, the email channel's TRANSLATION_FALLBACK for
items without a public translation (api/channels/campaigns.py).
"""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.views import APIView

from api.channels import email
from api.channels.campaigns import (
    campaign_document,
    campaign_items,
    campaign_keys,
    campaign_links,
    campaign_utm,
    campaigns_key,
    default_disclaimer,
    email_items,
    live_campaign,
    public_campaigns,
    summary,
    with_teaser,
)
from api.channels.feeds import RSS
from api.http import locales
from api.http.auth import CampaignsKeyWhenConfigured, KeyRequiredWhenConfigured
from api.http.pagination import StrictLimitOffsetPagination, page_parameters
from api.http.schema import (
    ERROR_RESPONSES,
    LOCALE_REDIRECT,
    EmailAnchorSerializer,
    email_parameters,
    locale_parameters,
)
from api.serving.read_path import (
    ItemReader,
    ResponseParts,
    earliest,
    fixed_answer,
    language_keys,
)
from api.serving.stored import render
from api.views.feeds import FeedMixin, feed_schema, feed_utm
from api.views.reading import AnsweringMixin
from pages.models import Campaign
from shapes.representation import (
    CAMPAIGNS,
    EMAIL_BRAND_KEY,
    page_key,
    snippet_key,
    website_home_url,
)
from shapes.schema import LANGUAGES, CampaignSummarySerializer, items_of_any_type, paged
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
    locale = serializers.ChoiceField(choices=LANGUAGES, help_text="The campaign's language.")
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


class CampaignLanguage(locales.AnswersInLanguage, AnsweringMixin):
    """The language of a campaign request (`locale=`, the email channel's fallback)."""

    def read_choice(self, request):
        """`locale=` read (BadQuery for an unknown language), for the email channel's policy."""
        self.choice = locales.LanguageChoice.read(request, locales.EMAIL)

    def checked(self, request, esp=False):
        """The request's parameters checked (one 400 naming each bad one): its UTM values, the
        ESP where `esp`, its language. Returns the visibility of that language."""
        checks = [lambda: self.read_choice(request)]
        email.check_utm(request, also=(locales.PARAM,), esp=esp, checks=checks)
        return self.choice.visibility()

    def language_keys(self):
        return language_keys(CAMPAIGNS, self.choice.language)


@extend_schema_view(
    get=extend_schema(
        summary="List published campaigns",
        operation_id="campaigns_list",
        parameters=[*page_parameters(), *locale_parameters()],
        responses={
            200: paged("CampaignList", CampaignSummarySerializer(many=True)),
            **LOCALE_REDIRECT,
            **ERROR_RESPONSES,
        },
    )
)
class CampaignListView(CampaignLanguage, APIView):
    """Published campaigns in a language, by name: what each is and where its email and feed
    are."""

    http_method_names = ["get", "head"]
    permission_classes = [KeyRequiredWhenConfigured, CampaignsKeyWhenConfigured]

    def get(self, request):
        paginator = StrictLimitOffsetPagination()
        self.read_page_and_language(request, paginator, locales.EMAIL)
        visibility = self.choice.visibility()
        return self.answered_in_language(
            request, lambda: self.answer(request, paginator, visibility), self.language_keys()
        )

    def answer(self, request, paginator, visibility):
        language = visibility.language
        live = public_campaigns(visibility).order_by("name", "pk")
        campaigns = paginator.paginate_rows(
            request, live.count, lambda offset, limit: live[offset : offset + limit]
        )
        results = [summary(c, language) for c in campaigns]
        body = render({**paginator.envelope(), "results": results})
        keys = [*self.language_keys(), *(snippet_key(Campaign, c.pk) for c in campaigns)]
        # the first expiry among all of them ends the count too, not only this page's items
        expiring = live.filter(expire_at__isnull=False).order_by("expire_at")
        first_expiry = expiring.values_list("expire_at", flat=True).first()
        answer = fixed_answer(body, keys, [campaigns_key(language)])
        answer.headers["Content-Language"] = language
        return until_expiry(answer, first_expiry)


class CampaignDetailView(CampaignLanguage, APIView):
    """A published campaign as one responsive email document for the ESP the request or the
    campaign names, with its plain-text part, its links and its public items (the teasers
    applied)."""

    http_method_names = ["get", "head"]
    permission_classes = [KeyRequiredWhenConfigured, CampaignsKeyWhenConfigured]

    @extend_schema(
        summary="One published campaign as an email",
        operation_id="campaigns_retrieve",
        parameters=[SLUG_PARAMETER, *email_parameters(), *locale_parameters()],
        responses={200: CampaignSerializer, **LOCALE_REDIRECT, **ERROR_RESPONSES},
    )
    def get(self, request, slug):
        visibility = self.checked(request, esp=True)
        campaign = live_campaign(slug, visibility)
        utm = campaign_utm(request, campaign)
        brand = email.brand()
        esp = email.esp_of(request, campaign.esp, brand)
        return self.answered_in_language(
            request, lambda: self.answer(campaign, utm, esp, brand, visibility)
        )

    def answer(self, campaign, utm, esp, brand, visibility):
        language = visibility.language
        reader = ItemReader(visibility, self.request)
        shown, items, item_keys = campaign_items(campaign, reader, visibility)
        details, email_shown = email_items(items, reader)
        disclaimer = default_disclaimer(visibility)

        def body():
            document = campaign_document(campaign, email_shown, disclaimer, utm, esp, brand)
            head = {"id": campaign.pk, "slug": campaign.slug, "locale": language}
            return render({**head, **document, "items": items})

        facts = render(
            [summary(campaign, language), campaign.intro, campaign.call_to_action_url]
            + [utm, esp, brand]
        )
        extra = [facts, render(disclaimer)]
        keys = campaign_keys(campaign, language)
        answer = ResponseParts(
            etag=reader.etag(f"campaign|{email.VERSION}", [*shown, *details], extra),
            keys=[*keys, EMAIL_BRAND_KEY, *sorted(reader.keys)],
            expires=reader.expires,
            body=body,
            # every item's page, public or not: one that becomes public must appear
            validators=[*keys, EMAIL_BRAND_KEY, *item_keys],
            headers={"Content-Language": language},
        )
        return until_expiry(answer, campaign.expire_at)


class CampaignFeedView(CampaignLanguage, FeedMixin, APIView):
    """A published campaign's public items, in its order, as RSS (for RSS-driven campaigns),
    in the language `locale=` names."""

    permission_classes = [CampaignsKeyWhenConfigured]  # otherwise readable without a key

    @feed_schema(RSS, "A campaign's items as RSS", SLUG_PARAMETER, languages=True)
    def get(self, request, slug):
        visibility = self.checked(request)
        campaign = live_campaign(slug, visibility)
        utm = feed_utm(request, campaign.utm_name())
        return self.answered_in_language(request, lambda: self.answer(campaign, utm, visibility))

    def answer(self, campaign, utm, visibility):
        reader = ItemReader(visibility, self.request)
        links, ids = campaign_links(campaign, visibility)
        first = {}  # a page named twice shows once, with its first teaser
        for link in links:
            first.setdefault(link.page_id, link)

        def teased(data):
            return with_teaser(data, first[data["id"]])

        texts = (
            campaign.subject,
            campaign.preheader or campaign.subject,
            website_home_url(visibility.language),
        )
        keys = campaign_keys(campaign, visibility.language)
        linked = {getattr(link, "linked_page_id", link.page_id) for link in links}
        watched = map(page_key, sorted({*ids, *linked}))
        answer = self.feed_answer(RSS, reader, ids, texts, utm, keys, teased, watched)
        return until_expiry(answer, campaign.expire_at)
