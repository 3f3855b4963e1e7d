"""The admin's Email preview of pages and campaigns. The email is built by the API's email
channel (api/previews.py, named by the EMAIL_PREVIEW setting), which pages/ cannot import: the
layers point down (DESIGN.md)."""

from django.conf import settings
from django.utils.module_loading import import_string

EMAIL = "email"


def email_preview(request, obj):
    """The HttpResponse showing `obj` (a page or campaign, its draft) as its email."""
    return import_string(settings.EMAIL_PREVIEW)(request, obj)
