"""The admin's preview modes of content pages and campaigns beyond the website templates: the
app's JSON, the email, and each headless client's own preview screen (PREVIEW_URLS, opened
with a preview token, as wagtail-headless-preview does). The API builds them
(api/channels/drafts.py, named by the HEADLESS_PREVIEW setting): pages/ cannot import api/, the
layers point down (docs/architecture.md, "Apps and layers")."""

from django.conf import settings
from django.utils.module_loading import import_string

APP, EMAIL, CLIENT = "app", "email", "client-"


def page_preview_modes():
    modes = [("", "Website"), (APP, "App (JSON)"), (EMAIL, "Email")]
    for channel in sorted(settings.PREVIEW_URLS):
        modes.append((f"{CLIENT}{channel}", f"{channel.title()} client's preview screen"))
    return modes


def serve_preview(request, obj, mode):
    """The HttpResponse showing `obj` (a page or campaign, as the preview form holds it) in
    preview `mode` (one of `page_preview_modes` but the website's)."""
    return import_string(settings.HEADLESS_PREVIEW)(request, obj, mode)
