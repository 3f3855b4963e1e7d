"""The admin's preview modes of content pages and campaigns beyond the website templates: the
app's JSON, the email, and each headless client's own preview screen (PREVIEW_URLS, opened
with a preview token, as wagtail-headless-preview does). The API builds them and says so when it
is ready (api/apps.py: `render_previews_with`): pages/ never imports api/, the layers point down
(docs/architecture.md, "Apps and layers")."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

APP, EMAIL, CLIENT = "app", "email", "client-"
_renderer = []  # the one function that renders them


def render_previews_with(renderer):
    """`renderer(request, obj, mode)` renders the previews beyond the website's from now on."""
    _renderer[:] = [renderer]


def page_preview_modes():
    modes = [("", "Website"), (APP, "App"), (EMAIL, "Email")]
    for channel in sorted(settings.PREVIEW_URLS):
        modes.append((f"{CLIENT}{channel}", f"{channel.title()} client's preview screen"))
    return modes


def serve_preview(request, obj, mode):
    """The HttpResponse showing `obj` (a page or campaign, as the preview form holds it) in
    preview `mode` (one of `page_preview_modes` but the website's)."""
    if not _renderer:
        raise ImproperlyConfigured("No app renders the App, Email and client previews: add 'api'.")
    return _renderer[0](request, obj, mode)
