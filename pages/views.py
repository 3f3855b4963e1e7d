"""Wagtail's page routes on this service: the website is a separate app, so a public request for
a page path is sent to the same path on WEBSITE_BASE_URL.

Every path gets the same answer whether or not a page lives there (unpublished, private, expired
or unknown alike), so the answer reveals nothing about the page tree: GET/HEAD → 302 to
`WEBSITE_BASE_URL + path + query`, anything else → 405. Editors see pages through the admin's
preview, which renders the templates without this view.
"""

from django.conf import settings
from django.http import (
    HttpResponseNotAllowed,
    HttpResponsePermanentRedirect,
    HttpResponseRedirect,
)
from django.urls import Resolver404, resolve
from django.views.decorators.csrf import csrf_exempt

WEBSITE_ROUTE_NAME = "wagtail_serve"  # Page.get_url_parts reverses it: admin "View live" links


@csrf_exempt  # a POST gets the 405 every other path gets, not a CSRF failure page
def website_redirect(request, path=""):
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    slash_redirect = service_route_with_slash(request)
    if slash_redirect:
        return slash_redirect
    return HttpResponseRedirect(settings.WEBSITE_BASE_URL + request.get_full_path())


def service_route_with_slash(request):
    """`/admin` → `/admin/` (what CommonMiddleware's APPEND_SLASH did before this catch-all
    matched every path): only for this service's own routes, never for page paths."""
    if not settings.APPEND_SLASH or request.path_info.endswith("/"):
        return None
    try:
        match = resolve(request.path_info + "/")
    except Resolver404:
        return None
    if match.url_name == WEBSITE_ROUTE_NAME:
        return None
    return HttpResponsePermanentRedirect(request.get_full_path(force_append_slash=True))
