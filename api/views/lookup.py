"""Cross-type search and lookup by website path."""

import re
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Q
from django.http import Http404

from wagtail.contrib.redirects.models import Redirect

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.views import APIView

from api.channels import site
from api.http import locales
from api.http.pagination import StrictLimitOffsetPagination, page_parameters
from api.http.params import (
    LIST_MAX_LENGTH,
    SEARCH_SCHEMA,
    Query,
    channel_param,
    search_text,
    subset_param,
)
from api.http.problems import BadQuery
from api.http.schema import (
    ERROR_RESPONSES,
    LOCALE_REDIRECT,
    RedirectSerializer,
    channel_parameter,
    locale_parameters,
    search_results,
)
from api.serving.read_path import (
    ItemReader,
    ResponseParts,
    item_answer,
    language_keys,
    page_answer,
)
from api.serving.stored import render
from api.views.content import names_pattern
from api.views.reading import AnsweringMixin
from pages.search import search_public
from pages.selectors import Visibility
from shapes import registry
from shapes.relations import search_links
from shapes.representation import (
    API_PREFIX,
    EVERY_PAGE_KEY,
    REDIRECTS_KEY,
    WEB,
    page_key,
    page_reference,
    website_path,
)
from shapes.schema import site_pages_by_channel
from shapes.serializers import DETAIL, LIST, serializer_for, serializers_by_channel

# A website path: starts with "/", no empty segment, no control characters.
PATH_PATTERN = r"^/([^/\x00-\x1f\x7f]+/)*[^/\x00-\x1f\x7f]*$"
PATH_MAX_LENGTH = 500


def path_param(request):
    """?path=: a website path, at most PATH_MAX_LENGTH characters."""
    path = request.query_params.get("path", "")
    if len(path) > PATH_MAX_LENGTH or not re.fullmatch(PATH_PATTERN, path):
        raise BadQuery(
            {"path": ["Give the page's path on the website, e.g. /conditions/neuropathic-pain/."]}
        )
    return path


def specific_model(page):
    return page.specific_class if registry.of(page.specific_class) else None


def search_fields():
    """Every key a list shape of any type has: what `fields=` may name in search results."""
    return sorted({name for model in registry.models() for name in list_fields(model)})


def list_fields(model):
    return serializer_for(model, LIST).field_names()


class SearchView(locales.AnswersInLanguage, AnsweringMixin, APIView):
    """Ranked search across every type (pages/search.py): any word of the query in any of its
    forms, through the content's own synonyms (other names, symptoms, what a therapy relieves,
    a condition's causes), the item that is about the query first. Results are list-shaped
    items of mixed `type`; `type=` keeps some types, `fields=` trims each item."""

    pagination_class = StrictLimitOffsetPagination
    http_method_names = ["get", "head"]

    @extend_schema(
        summary="Search all content",
        parameters=[
            OpenApiParameter("q", SEARCH_SCHEMA, required=True, description="1 to 200 characters"),
            OpenApiParameter(
                "type",
                {"type": "string", "pattern": names_pattern(registry.ITEM_TYPE_NAMES)},
                description="Comma-separated item types to keep, e.g. condition,therapy: "
                f"{', '.join(registry.ITEM_TYPE_NAMES)}. Default: every type.",
            ),
            OpenApiParameter(
                "fields",
                {
                    "type": "string",
                    "pattern": names_pattern(search_fields()),
                    "maxLength": LIST_MAX_LENGTH,
                },
                description="Comma-separated fields to return of each item (`id` and `type` "
                "always stay; a field an item's type lacks is left out): "
                f"{', '.join(search_fields())}.",
            ),
            *page_parameters(),
            channel_parameter(),
            *locale_parameters(),
        ],
        responses={
            200: search_results(serializers_by_channel(LIST)),
            **LOCALE_REDIRECT,
            **ERROR_RESPONSES,
        },
    )
    def get(self, request):
        allowed = {"q", "limit", "offset", "channel", "type", "fields", locales.PARAM}
        query = Query(request, allowed)
        text = query.value("q", lambda: search_text(request, "q", required=True))
        channel = query.value("channel", lambda: channel_param(request))
        self.read_language(query, channel or WEB)
        names = query.value(
            "type",
            lambda: subset_param(request, "type", registry.ITEM_TYPE_NAMES, "type(s)"),
        )
        fields = query.value(
            "fields", lambda: subset_param(request, "fields", search_fields(), "field(s)")
        )
        self.pagination_class().check(query)
        query.done()
        models = [t.model for t in registry.item_types() if not names or t.name in names]
        return self.answered_in_language(
            request, lambda: self.search_answer(text, channel, models, sorted(fields or ()))
        )

    def search_answer(self, query, channel, models, fields):
        visibility = self.choice.visibility()
        ranked = search_public(
            query,
            models,
            visibility=visibility,
            links=search_links(models),
            sources=registry.models(),
        )
        paginator = self.pagination_class()
        ids = [hit.pk for hit in paginator.paginate_list(ranked, self.request)]
        reader = ItemReader(visibility, self.request, channel)
        return page_answer(
            reader,
            reader.rows_in_order(ids, LIST),
            paginator.envelope(),
            fields=fields,
            keys=[EVERY_PAGE_KEY],
        )


class PageByPathView(locales.AnswersInLanguage, AnsweringMixin, APIView):
    """The page at a website path, for the website's router: an item, a section (its intro
    and a page of its items) or the home page (its intro and its sections). An old path that
    has a redirect answers 301/302 with `Location` (this endpoint for the new path) and a body
    naming it."""

    http_method_names = ["get", "head"]

    @extend_schema(
        summary="Look up an item by its website path",
        parameters=[
            OpenApiParameter(
                "path",
                {"type": "string", "pattern": PATH_PATTERN, "maxLength": PATH_MAX_LENGTH},
                required=True,
                description="e.g. /conditions/neuropathic-pain/",
                examples=[
                    OpenApiExample("A condition", "/conditions/neuropathic-pain/"),
                    OpenApiExample("A therapy", "/therapies/ketamine-infusion-therapy/"),
                ],
            ),
            channel_parameter(),
            *(
                OpenApiParameter(
                    parameter.name,
                    parameter.type,
                    description=f"{parameter.description} Pages a section's items; an item "
                    "or the home page ignores it.",
                )
                for parameter in page_parameters()
            ),
            OpenApiParameter(
                "Location",
                OpenApiTypes.URI,
                OpenApiParameter.HEADER,
                response=[301, 302],
                description="This endpoint for the new path.",
            ),
        ],
        responses={
            200: site_pages_by_channel(
                "PageDetail", serializers_by_channel(DETAIL), serializers_by_channel(LIST)
            ),
            301: OpenApiResponse(RedirectSerializer, description="Moved for good."),
            302: OpenApiResponse(RedirectSerializer, description="Moved for now."),
            **ERROR_RESPONSES,
        },
    )
    def get(self, request):
        query = Query(request, {"path", "channel", "limit", "offset"})
        path = query.value("path", lambda: path_param(request))
        channel = query.value("channel", lambda: channel_param(request))
        paginator = StrictLimitOffsetPagination()
        paginator.check(query)
        query.done()
        return self.answered(request, lambda: self.path_answer(path, channel, paginator))

    def path_answer(self, path, channel, paginator):
        """The language's prefix (e.g. /es/) names the language: where nothing public is at
        the path in it, the default language's page at the same path stands in as the
        channel's TRANSLATION_FALLBACK says (api/http/locales.py)."""
        language, url_path = Visibility.load().locate(path)
        self.choice = locales.LanguageChoice(language, True, channel)
        visibility = self.choice.visibility()
        reader = ItemReader(visibility, self.request, channel)
        rows = reader.page_by_url_path(url_path) if url_path else []
        if not rows and url_path and visibility.fallback:
            _, original = visibility.fallback.locate(path.removeprefix(visibility.home.prefix))
            rows = reader.page_by_url_path(original) if original else []
        model = rows and reader.models.get(rows[0]["content_type_id"])
        if model:
            keys = language_keys(registry.of(model).collection, language)
            answer = item_answer(reader, model, rows, extra_keys=keys)
            if answer:
                return answer
        elif url_path:
            answer = site.structure_answer(reader, url_path, paginator)
            if answer:
                return answer
        redirect = (
            Redirect.objects.filter(Q(site_id=visibility.site_id) | Q(site__isnull=True))
            .filter(old_path=Redirect.normalise_path(path))
            .first()
        )
        answer = redirect and self.redirect_answer(redirect, visibility, channel)
        if answer:
            return answer
        # The same answer whether nothing ever lived here or what did (or what a redirect from
        # here points at) is not public.
        raise Http404(f"No public content at {path}.")

    def redirect_answer(self, redirect, visibility, channel):
        """The redirect's answer (its `Location` in the same channel); None when it points at
        a page the public may not see."""
        target = redirect.redirect_page
        if target is not None:
            if not visibility.shows(target):
                return None
            model = specific_model(target)
            reference = page_reference(target, visibility, model=model) if model else None
            new_path = website_path(target.url_path, visibility)
        else:
            reference, new_path = None, redirect.redirect_link
        query = {"path": new_path, **({"channel": channel} if channel != WEB else {})}
        location = f"{settings.API_BASE_URL}{API_PREFIX}/pages/?{urlencode(query)}"
        redirect_to = {"path": new_path, "item": reference}
        body = render({"redirect_to": redirect_to, "permanent": redirect.is_permanent})
        keys = [REDIRECTS_KEY, *([page_key(target)] if target else [])]
        return ResponseParts(
            etag=None,
            keys=keys,
            validators=keys,
            expires=target.expire_at.timestamp() if target and target.expire_at else None,
            body=lambda: body,
            status=301 if redirect.is_permanent else 302,
            headers={"Location": location},
        )
