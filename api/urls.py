from django.urls import include, path, re_path

from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from api.http.openapi import CachedSchemaGenerator
from api.http.problems import api_not_found, problem_type
from api.views.campaigns import CampaignDetailView, CampaignFeedView, CampaignListView
from api.views.content import content_viewset
from api.views.feeds import AtomCollectionFeedView, CollectionFeedView
from api.views.health import healthz, readyz
from api.views.lookup import PageByPathView, SearchView
from api.views.preview import EmailPreviewView, PreviewTokenView, PreviewView
from api.views.site import ApiRootView, NavigationView, SitemapView
from api.views.symptoms import SymptomListView
from api.views.sync import SyncView
from shapes import registry

READ_ONLY = ["get", "head"]  # anything else is a 405 problem with `Allow: GET, HEAD`
router = SimpleRouter(trailing_slash=True)
for item_type in registry.item_types():
    collection = item_type.collection
    router.register(collection, content_viewset(item_type.model), basename=collection)

api_v1 = [
    path("", ApiRootView.as_view(), name="root"),
    path("navigation/", NavigationView.as_view(), name="navigation"),
    path("sitemap/", SitemapView.as_view(), name="sitemap"),
    path("symptoms/", SymptomListView.as_view(), name="symptoms"),
    path("search/", SearchView.as_view(), name="search"),
    path("pages/", PageByPathView.as_view(), name="page-by-path"),
    path("sync/", SyncView.as_view(), name="sync"),
    path("preview/", PreviewView.as_view(), name="preview"),
    path("preview/email/", EmailPreviewView.as_view(), name="preview-email"),
    path("preview/tokens/", PreviewTokenView.as_view(), name="preview-tokens"),
    path("campaigns/", CampaignListView.as_view(), name="campaigns"),
    path("campaigns/<slug:slug>/", CampaignDetailView.as_view(), name="campaign"),
    path("feeds/campaigns/<slug:slug>.rss", CampaignFeedView.as_view(), name="campaign-feed"),
    path("feeds/<slug:collection>.rss", CollectionFeedView.as_view(), name="feed-rss"),
    path("feeds/<slug:collection>.atom", AtomCollectionFeedView.as_view(), name="feed-atom"),
    path(
        "schema/",
        SpectacularAPIView.as_view(
            http_method_names=READ_ONLY, generator_class=CachedSchemaGenerator
        ),
        name="schema",
    ),
    path(
        "docs/",
        SpectacularSwaggerView.as_view(url_name="api-v1:schema", http_method_names=READ_ONLY),
        name="docs",
    ),
    path("problems/<slug:slug>/", problem_type, name="problem-type"),
    *router.urls,
    re_path(r"^.*$", api_not_found),  # unknown API paths: problem+json, even with DEBUG on
]

urlpatterns = [
    path("healthz/", healthz, name="healthz"),
    path("readyz/", readyz, name="readyz"),
    path("api/v1/", include((api_v1, "api-v1"))),
    # Other versions, and //api/... (the resolver strips one leading slash): problem+json 404s
    # rather than the website redirect every other path gets.
    re_path(r"^(?:/*)api(?:/|$)", api_not_found),
]
