"""GET /api/v1/ (the index of the API), /api/v1/navigation/ and /api/v1/sitemap/: what a website
builds its header, footer and sitemap.xml from (api/channels/site.py). The home page and the
sections are answered by path lookup (api/views/lookup.py)."""

from django.utils import timezone

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.views import APIView

from api.channels import site
from api.http import locales
from api.http.pagination import StrictLimitOffsetPagination, page_parameters
from api.http.params import Query
from api.http.schema import ERROR_RESPONSES, LOCALE_REDIRECT, locale_parameters
from api.serving.read_path import fixed_answer
from api.serving.stored import render
from api.views.reading import AnsweringMixin
from shapes import registry
from shapes.build import build
from shapes.representation import WEB, endpoint_url
from shapes.schema import NavigationSerializer, sitemap_serializer


class EndpointSerializer(serializers.Serializer):
    name = serializers.CharField()
    url = serializers.URLField()
    description = serializers.CharField()


class ApiRootSerializer(serializers.Serializer):
    """What this API serves and where its documentation is."""

    name = serializers.CharField()
    version = serializers.CharField()
    docs = serializers.URLField(help_text="The interactive documentation.")
    schema = serializers.URLField(help_text="The OpenAPI document.")
    endpoints = EndpointSerializer(many=True)


def endpoints():
    """(name, path, description) of every public endpoint, collections first; where one needs
    a parameter, the path carries an example."""
    collections = [
        (
            item_type.collection,
            f"{item_type.collection}/",
            f"Published {item_type.name} items: filters, ordering, fields=, expand=; "
            f"{item_type.collection}/<slug>/ for one, <slug>/email/ as an email.",
        )
        for item_type in registry.item_types()
    ]
    feeds = [
        (f"{item_type.collection} feed", f"feeds/{item_type.collection}.rss", "RSS; .atom: Atom.")
        for item_type in registry.item_types()
    ]
    return [
        *collections,
        ("pages", "pages/?path=/", "The home page, a section or an item by its website path."),
        ("navigation", "navigation/", "The website's menu, from 'Show in menus'."),
        ("sitemap", "sitemap/", "Every public URL with its last change, for sitemap.xml."),
        ("search", "search/?q=nerve+pain", "Ranked search across every type."),
        ("symptoms", "symptoms/", "Published symptoms, each with the items that show it."),
        ("sync", "sync/", "Changes since a cursor, for the app's offline copy."),
        ("campaigns", "campaigns/", "Published email campaigns."),
        *feeds,
    ]


class ApiRootView(AnsweringMixin, APIView):
    """The index of the API, as DRF's browsable root: every endpoint and the documentation."""

    http_method_names = ["get", "head"]

    @extend_schema(
        summary="The index of the API",
        operation_id="api_root",
        responses={200: ApiRootSerializer, **ERROR_RESPONSES},
    )
    def get(self, request):
        Query(request, set()).done()
        return self.answered(request, self.answer)

    def answer(self):
        data = build(
            ApiRootSerializer,
            name="Clinic content API",
            version="v1",
            docs=endpoint_url("docs/"),
            schema=endpoint_url("schema/"),
            endpoints=[
                build(EndpointSerializer, name=name, url=endpoint_url(path), description=text)
                for name, path, text in endpoints()
            ],
        )
        return fixed_answer(render(data), keys=[], validators=[])


class NavigationView(locales.AnswersInLanguage, AnsweringMixin, APIView):
    """The website's menu: the home page and its public children that editors show in menus
    (Promote tab, "Show in menus"), each with its own such children, in the editors' order;
    titles and paths for a header and a footer."""

    http_method_names = ["get", "head"]

    @extend_schema(
        summary="The website's navigation",
        operation_id="navigation",
        parameters=locale_parameters(),
        responses={200: NavigationSerializer, **LOCALE_REDIRECT, **ERROR_RESPONSES},
    )
    def get(self, request):
        query = Query(request, {locales.PARAM})
        self.read_language(query, WEB)
        query.done()
        visibility = self.choice.own_visibility()
        return self.answered_in_language(
            request, lambda: site.navigation_answer(visibility, timezone.now())
        )


class SitemapPagination(StrictLimitOffsetPagination):
    """`limit` 1 to 1,000 (default 1,000): a sitemap.xml holds up to 50,000 URLs, so a site
    builds one from a few requests."""

    default_limit = 1000
    max_limit = 1000


class SitemapView(locales.AnswersInLanguage, AnsweringMixin, APIView):
    """Every public page of the website (the home page, sections, items) in path order, with
    when what the public sees of each last changed and its language versions (hreflang)."""

    http_method_names = ["get", "head"]

    @extend_schema(
        summary="The website's sitemap",
        operation_id="sitemap",
        parameters=[*page_parameters(SitemapPagination), *locale_parameters()],
        responses={200: sitemap_serializer(), **LOCALE_REDIRECT, **ERROR_RESPONSES},
    )
    def get(self, request):
        paginator = SitemapPagination()
        self.read_page_and_language(request, paginator, WEB)
        visibility = self.choice.own_visibility()
        return self.answered_in_language(
            request, lambda: site.sitemap_answer(visibility, timezone.now(), paginator, request)
        )
