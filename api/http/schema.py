"""OpenAPI pieces of the HTTP layer (drf-spectacular): query parameters, the error responses,
envelopes and the hooks that shape the document. The shapes themselves are documented by
shapes/schema.py.
"""

from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers

from api.channels.email import (
    ESP_DESCRIPTION,
    ESP_PARAM,
    ESP_SCHEMA,
    UTM_DESCRIPTIONS,
    UTM_PARAMS,
    UTM_SCHEMA,
)
from api.http import locales
from api.http.problems import PROBLEM_CONTENT_TYPE
from shapes.drf import plain_schema
from shapes.schema import (
    FALLBACK_MARKERS,
    LANGUAGES,
    PageReferenceSerializer,
    items_of_any_type_by_channel,
    paged,
)


def channel_parameter(default="web"):
    return OpenApiParameter(
        "channel",
        {"type": "string", "enum": ["web", "app"], "default": default},
        description="Whose shapes to answer with: `web` (rich text as HTML, named image "
        "renditions) or `app` (rich text as a tree of RichTextNode, image renditions per "
        "screen density). Responses differ by it alone, so a CDN caches each channel apart.",
    )


def locale_parameters():
    """`locale=` and the Accept-Language it stands in for (api/http/locales.py)."""
    return [
        OpenApiParameter(
            locales.PARAM,
            locales.parameter_schema(),
            description="The content language to answer in (default: the default language, "
            f"`{locales.languages()[0]}`). Where an item has no public reviewed translation, "
            "the default language's item stands in, marked `fallback: true` with "
            "`requested_locale` (or the answer is a 404, as the channel is configured); "
            "`translation_status` says whether a translation is current or outdated.",
        ),
        OpenApiParameter(
            "Accept-Language",
            {"type": "string"},
            OpenApiParameter.HEADER,
            description="Read when `locale` is absent: a request preferring another content "
            "language than the default is redirected (302) to this URL with `locale=` added. "
            "Never refused: a value naming no content language (or unreadable) is ignored.",
        ),
        OpenApiParameter(
            "Location",
            OpenApiTypes.URI,
            OpenApiParameter.HEADER,
            response=[302],
            description="This URL with `locale=` (the language Accept-Language prefers).",
        ),
    ]


LOCALE_REDIRECT = {
    302: OpenApiResponse(
        description="Found: Accept-Language prefers another content language; `Location` is "
        "this URL with `locale=` added (so caches keep each language under its own URL)."
    )
}


# Responses ---------------------------------------------------------------------------------------


# The email channel (api/channels/email.py)
# -------------------------------------------------------------


class EmailAnchorSerializer(serializers.Serializer):
    url = serializers.URLField(help_text="Absolute; links to the website carry the UTM parameters.")
    text = serializers.CharField(help_text="The link's text, whitespace collapsed.")


class ItemEmailSerializer(serializers.Serializer):
    """One item as an email: `html` a complete, responsive document (MJML: fluid from 320 to
    600 px, CSS inlined, media queries and dark mode in `<style>`, Outlook's conditional
    comments; the clinic's header, a footer with its postal address and the ESP's unsubscribe
    merge tag), `text` its plain-text alternative. A therapy's email always carries its safety
    information before its call to action, and every email the disclaimer; when the body would
    take `html` past Gmail's clipping size, the body ends early with a link to the page and
    `clipped` is true. What ESPs execute (`{{ }}`, `{% %}`, `*| |*`) is escaped in content."""

    locale = serializers.ChoiceField(
        choices=LANGUAGES, help_text="The email's language: its item's (its labels too)."
    )
    requested_locale = serializers.ChoiceField(
        choices=LANGUAGES,
        required=False,
        help_text=FALLBACK_MARKERS["requested_locale"]["description"],
    )
    fallback = serializers.BooleanField(
        required=False, help_text=FALLBACK_MARKERS["fallback"]["description"]
    )
    subject = serializers.CharField()
    preheader = serializers.CharField(allow_blank=True, help_text="The inbox preview text.")
    html = serializers.CharField()
    text = serializers.CharField()
    links = EmailAnchorSerializer(
        many=True, help_text="Every link in `html`, in order, but the unsubscribe merge tag."
    )
    clipped = serializers.BooleanField()


def utm_parameters():
    """The UTM query parameters of every email rendition and feed (api/channels/email.py
    validates them)."""
    return [
        OpenApiParameter(name, UTM_SCHEMA, description=UTM_DESCRIPTIONS[name])
        for name in UTM_PARAMS
    ]


def email_parameters():
    """The query parameters of every email: the UTM values and the ESP."""
    return [*utm_parameters(), OpenApiParameter(ESP_PARAM, ESP_SCHEMA, description=ESP_DESCRIPTION)]


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details; `errors` names each wrong query parameter."""

    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    instance = serializers.CharField()
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False
    )


PROBLEM = PROBLEM_CONTENT_TYPE
ERROR_RESPONSES = {
    304: OpenApiResponse(description="Not Modified: the If-None-Match ETag is current."),
    (400, PROBLEM): OpenApiResponse(ProblemSerializer, description="Invalid query parameters."),
    (401, PROBLEM): OpenApiResponse(ProblemSerializer, description="Unauthorized."),
    (403, PROBLEM): OpenApiResponse(ProblemSerializer, description="Forbidden."),
    (404, PROBLEM): OpenApiResponse(ProblemSerializer, description="No such item."),
    (405, PROBLEM): OpenApiResponse(
        ProblemSerializer, description="Method Not Allowed: the API is read-only (see `Allow`)."
    ),
    (406, PROBLEM): OpenApiResponse(
        ProblemSerializer, description="Not Acceptable: the API answers application/json."
    ),
    (414, "text/html"): OpenApiResponse(
        OpenApiTypes.STR,
        description="URI Too Long: gunicorn refuses a request line over 8,190 bytes "
        "(gunicorn.conf.py) before the API sees it (its own HTML page, not problem+json).",
    ),
    (429, PROBLEM): OpenApiResponse(ProblemSerializer, description="Too many requests."),
    (431, "text/html"): OpenApiResponse(
        OpenApiTypes.STR,
        description="Request Header Fields Too Large: refused by gunicorn (over 8,190 bytes in "
        "one header, or over 100 headers), before the API sees the request.",
    ),
    (500, PROBLEM): OpenApiResponse(ProblemSerializer, description="The server failed; logged."),
    (503, PROBLEM): OpenApiResponse(
        ProblemSerializer,
        description="Service Unavailable: the database cannot be reached and no cached copy of "
        "the answer was at hand (type `service-unavailable`). Retry after `Retry-After` seconds.",
    ),
}


def search_results(list_serializers_by_channel):
    """The search envelope: list-shaped items of any type, most relevant first."""
    return paged(
        "SearchResults",
        items_of_any_type_by_channel("SearchResult", list_serializers_by_channel, many=True),
    )


class RedirectTargetSerializer(serializers.Serializer):
    path = serializers.CharField(
        help_text="The new path on the website, or the URL an editor redirected to."
    )
    item = PageReferenceSerializer(
        allow_null=True, help_text="The public item at the new path; null for a plain URL."
    )


class RedirectSerializer(serializers.Serializer):
    """An old path that now redirects (also named by the `Location` header)."""

    redirect_to = RedirectTargetSerializer()
    permanent = serializers.BooleanField()


def only_public_api(endpoints, **kwargs):
    """drf-spectacular preprocessing hook: document /api/v1/ only (not Wagtail's admin API)."""
    return [
        (path, path_regex, method, callback)
        for path, path_regex, method, callback in endpoints
        if path.startswith("/api/v1/") and "{" not in path.split("/api/v1/")[0]
    ]


# What drf-spectacular cannot see from a serializer ----------------------------------------------


class ClosedRequestSchema(OpenApiSerializerExtension):
    """A request body that takes its fields and no others (the view refuses unknown ones)."""

    target_class = "api.views.preview.PreviewTokenRequestSerializer"

    def map_serializer(self, auto_schema, direction):
        schema = plain_schema(auto_schema, self.target, direction)
        return {**schema, "additionalProperties": False}
