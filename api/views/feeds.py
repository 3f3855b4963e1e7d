"""GET /api/v1/feeds/<collection>.rss and .atom: each collection's newest public items as a feed
(api/channels/feeds.py). Readable without an API key even when API_REQUIRE_KEY is on: RSS readers
such as Mailchimp cannot send headers (a key that is sent is still checked, and the rate limit
counts every request)."""

from django.conf import settings
from django.http import Http404

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import BaseRenderer
from rest_framework.views import APIView

from api.channels import email, feeds
from api.http import locales
from api.http.schema import (
    ERROR_RESPONSES,
    LOCALE_REDIRECT,
    PROBLEM,
    locale_parameters,
    utm_parameters,
)
from api.serving.read_path import ItemReader, ResponseParts, language_keys
from api.views.reading import AnsweringMixin
from pages.prepared import MOMENT, Prepared
from pages.selectors import default_language
from shapes import registry
from shapes.representation import WEB, collection_website_url
from shapes.serializers import LIST

NEWEST = Prepared(  # a collection's newest public items, by first publication
    lambda visibility, model, now: (
        visibility.pages(model, now=now)
        .order_by("-first_published_at", "-id")
        .values("pk")[: feeds.ITEMS]
    ),
    now=MOMENT,
)


class FeedRenderer(BaseRenderer):
    """Stands for the feed's media type in negotiation; the view returns the bytes itself."""

    media_type = "application/xml"
    format = "xml"
    charset = None


class AnyAccept(BaseContentNegotiation):
    """A feed is the one thing its URL names: answered whatever the reader's Accept says
    (they send everything from `*/*` to `text/xml`)."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type

    def select_parser(self, request, parsers):
        return None


def feed_schema(kind, summary, path_parameter, languages=False):
    """The OpenAPI description of a feed; `languages`: it takes `locale` (a collection's)."""
    return extend_schema(
        summary=summary,
        description=f"Newest first by first publication, at most {feeds.ITEMS} items; links "
        "carry UTM parameters (defaults: utm_source=feed, utm_medium=rss, the feed's name as "
        "utm_campaign, each item's slug as utm_content). Readable without an API key.",
        parameters=[
            path_parameter,
            *utm_parameters(),
            *(locale_parameters() if languages else []),
        ],
        responses={
            (200, feeds.FORMATS[kind]): OpenApiResponse(OpenApiTypes.STR, description="The feed."),
            **(LOCALE_REDIRECT if languages else {}),
            **{key: value for key, value in ERROR_RESPONSES.items() if key != (406, PROBLEM)},
        },
        auth=[],
    )


def feed_utm(request, campaign):
    """The UTM parameters of a feed's links: utm_source=feed, utm_medium=rss and the feed's
    campaign name by default, each overridable by its query parameter; no utm_content unless
    asked (then each item's slug, api/channels/feeds.py). The view has checked them
    (email.check_utm)."""
    utm = email.utm_values(
        request, {"utm_source": "feed", "utm_medium": "rss", "utm_campaign": campaign}
    )
    if "utm_content" not in request.query_params:
        utm.pop("utm_content", None)
    return utm


class FeedMixin(AnsweringMixin):
    http_method_names = ["get", "head"]
    renderer_classes = [FeedRenderer]
    content_negotiation_class = AnyAccept
    permission_classes = []  # readable without a key (module docstring)

    def feed_answer(self, kind, reader, ids, texts, utm, validators, adjust=None, watched=()):
        """The ResponseParts of a feed of the public items among `ids` (in order). `texts`: the
        feed's (title, description, website link); `adjust(item data)`: the item as the feed
        shows it (a campaign's teasers); `watched`: keys that also end a cached copy but are
        not named in its headers (pages it may show once they are public)."""
        pieces = reader.copies(reader.rows_in_order(ids, LIST), LIST)
        shown = [pieces[pk] for pk in ids if pk in pieces]
        title, description, link = texts
        language = reader.visibility.language
        self_url = settings.API_BASE_URL + self.request.path
        if language != default_language():  # each language's feed is a feed of its own
            self_url += f"?{locales.PARAM}={language}"
        return ResponseParts(
            etag=reader.etag(
                f"feed|{kind}|{email.utm_signature(utm)}", shown, [repr(texts).encode()]
            ),
            keys=[*validators, *sorted(reader.keys)],
            expires=reader.expires,
            body=lambda: feeds.feed_bytes(
                kind,
                title,
                description,
                link,
                self_url,
                [(adjust or dict)(piece.data()) for piece in shown],
                utm,
                language,
            ),
            validators=[*validators, *watched],
            headers={"Content-Type": f"{feeds.FORMATS[kind]}; charset=utf-8"},
        )


COLLECTIONS = sorted(item_type.collection for item_type in registry.item_types())
COLLECTION_PARAMETER = OpenApiParameter(
    "collection",
    {"type": "string", "enum": COLLECTIONS},
    OpenApiParameter.PATH,
    description="The collection: " + ", ".join(COLLECTIONS) + ".",
)


class CollectionFeedView(locales.AnswersInLanguage, FeedMixin, APIView):
    """A collection's newest public items as a feed (RSS 2.0 here, Atom in the subclass), in
    the language `locale=` names (the website channel's stand-ins for missing translations)."""

    kind = feeds.RSS

    @feed_schema(feeds.RSS, "A collection as RSS", COLLECTION_PARAMETER, languages=True)
    def get(self, request, collection):
        return self.collection_feed(request, collection)

    def collection_feed(self, request, collection):
        email.check_utm(
            request, also=(locales.PARAM,), checks=[lambda: locales.locale_param(request)]
        )
        self.choice = locales.LanguageChoice.read(request, WEB)
        item_type = registry.in_collection(collection)
        if item_type is None:
            names = ", ".join(t.collection for t in registry.item_types())
            raise Http404(f"No collection '{collection}'; feeds: {names}.")
        utm = feed_utm(request, collection)
        return self.answered_in_language(request, lambda: self.answer(item_type.model, utm))

    def answer(self, model, utm):
        visibility = self.choice.visibility()
        reader = ItemReader(visibility, self.request)
        ids = [row["pk"] for row in NEWEST.rows((visibility, model), now=reader.now)]
        name = registry.of(model).collection
        site = settings.WAGTAIL_SITE_NAME
        texts = (
            f"{site}: {name.title()}",
            f"The newest {name} from {site}.",
            collection_website_url(name, visibility.language),
        )
        keys = language_keys(name, visibility.language)
        return self.feed_answer(self.kind, reader, ids, texts, utm, keys)


class AtomCollectionFeedView(CollectionFeedView):
    kind = feeds.ATOM

    @feed_schema(feeds.ATOM, "A collection as Atom", COLLECTION_PARAMETER, languages=True)
    def get(self, request, collection):
        return self.collection_feed(request, collection)
