"""Cross-type search and lookup by website path."""

import re
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Q
from django.http import Http404

from wagtail.contrib.redirects.models import Redirect

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from api.pagination import StrictLimitOffsetPagination
from api.params import SEARCH_SCHEMA, check_parameters, search_text
from api.problems import BadQuery
from api.represent import DETAIL, LIST, keys_of, load, represent, represent_pages
from api.schema import ERROR_RESPONSES, RedirectSerializer, items_of_any_type, search_results
from api.serializers import DETAIL_SERIALIZERS, LIST_SERIALIZERS
from pages.models import CONTENT_PAGE_MODELS
from pages.representation import API_PREFIX, collection_key, page_reference
from pages.search import search_public
from pages.selectors import Visibility

# A website path: starts with "/", no empty segment, no control characters.
PATH_PATTERN = r"^/([^/\x00-\x1f\x7f]+/)*[^/\x00-\x1f\x7f]*$"
PATH_MAX_LENGTH = 500


def specific_model(page):
    return page.specific_class if page.specific_class in CONTENT_PAGE_MODELS else None


class SearchView(APIView):
    """Ranked search across conditions, causes, treatments and therapies (titles, other names,
    summaries, bodies). Results are list-shaped items of mixed `type`, most relevant first."""

    pagination_class = StrictLimitOffsetPagination
    http_method_names = ["get", "head"]

    @extend_schema(
        summary="Search all content",
        parameters=[
            OpenApiParameter("q", SEARCH_SCHEMA, required=True, description="1 to 200 characters"),
        ],
        responses={200: search_results(LIST_SERIALIZERS), **ERROR_RESPONSES},
    )
    def get(self, request):
        check_parameters(request, {"q", "limit", "offset"})
        query = search_text(request, "q", required=True)
        visibility = Visibility.load()
        ranked = search_public(query, visibility=visibility)
        paginator = self.pagination_class()
        page_of_hits = paginator.paginate_queryset(ranked, request, view=self)
        by_model = {}
        for hit in page_of_hits:
            by_model.setdefault(hit.specific_class, []).append(hit.pk)
        pages = load(by_model, visibility, LIST)
        items = represent_pages(pages, visibility, LIST, request=request)
        response = paginator.get_paginated_response(
            [items[h.pk].data for h in page_of_hits if h.pk in items]
        )
        response.surrogate_keys = [collection_key("search"), *keys_of(items.values())]
        return response


class PageByPathView(APIView):
    """The item at a website path, for the website's router. An old path that has a redirect
    answers 301/302 with `Location` (this endpoint for the new path) and a body naming it."""

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
            OpenApiParameter(
                "Location",
                OpenApiTypes.URI,
                OpenApiParameter.HEADER,
                response=[301, 302],
                description="This endpoint for the new path.",
            ),
        ],
        responses={
            200: items_of_any_type("PageDetail", DETAIL_SERIALIZERS),
            301: OpenApiResponse(RedirectSerializer, description="Moved for good."),
            302: OpenApiResponse(RedirectSerializer, description="Moved for now."),
            **ERROR_RESPONSES,
        },
    )
    def get(self, request):
        check_parameters(request, {"path"})
        path = request.query_params.get("path", "")
        if len(path) > PATH_MAX_LENGTH or not re.fullmatch(PATH_PATTERN, path):
            raise BadQuery(
                {
                    "path": [
                        "Give the page's path on the website, e.g. /conditions/neuropathic-pain/."
                    ]
                }
            )
        visibility = Visibility.load()
        root_path = visibility.root_path
        url_path = root_path + path.strip("/") + "/" if path.strip("/") else root_path
        page = visibility.pages().filter(url_path=url_path).first()
        model = page and specific_model(page)
        if model:
            item = represent(model, [page.pk], visibility, DETAIL, request=request)[page.pk]
            response = Response(item.data)
            response.surrogate_keys = [collection_key(model.api_collection), *keys_of([item])]
            return response
        redirect = (
            Redirect.objects.filter(Q(site_id=visibility.site_id) | Q(site__isnull=True))
            .filter(old_path=Redirect.normalise_path(path))
            .first()
        )
        response = redirect and self.redirect_response(redirect, visibility)
        if response:
            return response
        # The same answer whether nothing ever lived here or what did (or what a redirect from
        # here points at) is not public.
        raise Http404(f"No public content at {path}.")

    def redirect_response(self, redirect, visibility):
        """The redirect's answer; None when it points at a page the public may not see."""
        root_path = visibility.root_path
        target = redirect.redirect_page
        if target is not None:
            if not visibility.shows(target):
                return None
            model = specific_model(target)
            reference = page_reference(target, root_path, model=model) if model else None
            new_path = target.url_path[len(root_path) - 1 :]
        else:
            reference, new_path = None, redirect.redirect_link
        location = f"{settings.API_BASE_URL}{API_PREFIX}/pages/?{urlencode({'path': new_path})}"
        status = 301 if redirect.is_permanent else 302
        response = Response(
            {
                "redirect_to": {"path": new_path, "item": reference},
                "permanent": redirect.is_permanent,
            },
            status=status,
            headers={"Location": location},
        )
        return response
