"""Drop cached public-visibility facts when what they were computed from changes; tell
listeners (the API's change tracking) when content was loaded in bulk; clean the text of every
row and revision written (pages.text_safety)."""

from contextlib import contextmanager
from contextvars import ContextVar

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import Signal

from wagtail.models import Locale, PageViewRestriction, Revision, Site
from wagtail.signals import page_published, page_slug_changed, post_page_move

from pages import media
from pages.models import Disclaimer
from pages.models.snippets import DEFAULT_DISCLAIMER_CACHE_KEY
from pages.selectors import forget_default_locale, forget_visibility
from pages.text_safety import clean_instance, clean_serialized

# Apps whose rows carry text the public reads (pages, snippets, campaigns, their inline rows;
# images' and documents' titles).
CLEANED_APPS = {"pages", "wagtailimages", "wagtaildocs"}

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


def clean_row(sender, instance, raw=False, **kwargs):
    """Every row of CLEANED_APPS is saved with clean text and safe URLs (pages.text_safety)."""
    if not raw and sender._meta.app_label in CLEANED_APPS:
        clean_instance(instance)


def clean_revision(sender, instance, raw=False, **kwargs):
    """A revision's content is cleaned like a row: the admin writes a live page's edits only
    as a revision (save_revision, autosave), published later as it was stored."""
    if raw or not instance.content_type_id:
        return
    model = ContentType.objects.get_for_id(instance.content_type_id).model_class()
    if model is not None and model._meta.app_label in CLEANED_APPS:
        instance.content = clean_serialized(model, instance.content)


def connect():
    pre_save.connect(clean_row, dispatch_uid="clean-text")
    pre_save.connect(clean_revision, sender=Revision, dispatch_uid="clean-revision-text")
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
    post_save.connect(forget_default_locale, sender=Locale, dispatch_uid="default-locale")
    post_delete.connect(forget_default_locale, sender=Locale, dispatch_uid="default-locale-del")
    post_save.connect(forget_default_disclaimer, sender=Disclaimer, dispatch_uid="disclaimer")
    post_delete.connect(forget_default_disclaimer, sender=Disclaimer, dispatch_uid="disclaimer-del")
    # a document a page links to opens once the page is published (pages/media.py)
    page_published.connect(media.record_references, dispatch_uid="references-published")
