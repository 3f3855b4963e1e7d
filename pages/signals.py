"""Drop cached public-visibility facts when what they were computed from changes."""

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save

from wagtail.models import PageViewRestriction, Site
from wagtail.signals import page_slug_changed, post_page_move

from pages.models import Disclaimer
from pages.models.snippets import DEFAULT_DISCLAIMER_CACHE_KEY
from pages.selectors import forget_visibility


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
