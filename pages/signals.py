"""Drop cached public-visibility facts when what they were computed from changes; tell
listeners (the API's change tracking) when content was loaded in bulk."""

from contextlib import contextmanager
from contextvars import ContextVar

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal

from wagtail.models import PageViewRestriction, Site
from wagtail.signals import page_published, page_slug_changed, post_page_move

from pages import media
from pages.models import Disclaimer
from pages.models.snippets import DEFAULT_DISCLAIMER_CACHE_KEY
from pages.selectors import forget_visibility

# Sent by seed_content and generate_content once they have written pages in bulk, with
# `page_ids`: the pages they created. Inside `bulk_loading()`, per-page signals are noise.
content_loaded = Signal()
_bulk_loading = ContextVar("bulk_loading", default=False)


@contextmanager
def bulk_loading():
    token = _bulk_loading.set(True)
    try:
        yield
    finally:
        _bulk_loading.reset(token)


def is_bulk_loading():
    return _bulk_loading.get()


def forget_default_disclaimer(**kwargs):
    cache.delete(DEFAULT_DISCLAIMER_CACHE_KEY)


def connect():
    for model in (Site, PageViewRestriction):
        post_save.connect(
            forget_visibility, sender=model, dispatch_uid=f"visibility-{model.__name__}"
        )
        post_delete.connect(
            forget_visibility, sender=model, dispatch_uid=f"visibility-del-{model.__name__}"
        )
    # Restricted paths and the site root's url_path move with their pages.
    post_page_move.connect(forget_visibility, dispatch_uid="visibility-move")
    page_slug_changed.connect(forget_visibility, dispatch_uid="visibility-slug")
    post_save.connect(forget_default_disclaimer, sender=Disclaimer, dispatch_uid="disclaimer")
    post_delete.connect(forget_default_disclaimer, sender=Disclaimer, dispatch_uid="disclaimer-del")
    # a document a page links to opens once the page is published (pages/media.py)
    page_published.connect(media.record_references, dispatch_uid="references-published")
