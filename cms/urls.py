from django.conf import settings
from django.urls import include, path, re_path

from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from pages.media import serve_document
from pages.views import WEBSITE_ROUTE_NAME, website_redirect

handler404 = "api.http.problems.handler404"
handler500 = "api.http.problems.handler500"

urlpatterns = [
    path("", include("api.urls")),
    path("admin/", include(wagtailadmin_urls)),
    # Wagtail's document view, behind the redirect of a replaced file's URL (pages/media.py)
    re_path(r"^documents/(\d+)/(.*)$", serve_document),
    path("documents/", include(wagtaildocs_urls)),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Last: every other path (page routes, Wagtail's /_util/ routes, unknown paths, newlines
# included) is answered the same way, by a redirect to the website (pages/views.py).
urlpatterns += [re_path(r"^([\s\S]*)$", website_redirect, name=WEBSITE_ROUTE_NAME)]
