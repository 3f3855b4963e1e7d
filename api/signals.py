"""Name what changed, so api/changes.py can refresh the items whose representation shows it."""

from django.db.models.signals import post_delete, post_save, pre_save

from wagtail.images import get_image_model
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move

from api import auth, changes
from api.models import ApiKey
from pages.models import Disclaimer, MedicalCode, Reference, Reviewer, Symptom
from pages.representation import image_key, snippet_key
from pages.signals import content_loaded, is_bulk_loading

SNIPPETS = (Symptom, Reviewer, Reference, MedicalCode)


def track(**change):
    if not is_bulk_loading():  # the bulk loader sends content_loaded when it is done
        changes.track(**change)


def pages_loaded(sender, page_ids, **kwargs):
    changes.track(page_ids=page_ids)


def page_changed(sender, instance, **kwargs):
    track(page_ids=[instance.pk])


def page_deleted(sender, instance, **kwargs):
    if isinstance(instance, Page) and type(instance) is not Page:
        track(page_ids=[instance.pk])


def section_changed(sender, instance, **kwargs):
    """A moved or renamed page changes every URL under it."""
    track(sections=[instance.path])


def restriction_changed(sender, instance, **kwargs):
    path = Page.objects.filter(pk=instance.page_id).values_list("path", flat=True).first()
    if path:
        track(sections=[path])


def snippet_changed(sender, instance, **kwargs):
    track(keys=[snippet_key(sender, instance.pk)])


def image_changed(sender, instance, **kwargs):
    """A new file or focal point makes new renditions for every item showing the image."""
    track(keys=[image_key(instance.pk)])


def disclaimer_changed(sender, instance, **kwargs):
    """A page without its own disclaimer shows the default one, whichever that now is."""
    pks = {*Disclaimer.objects.values_list("pk", flat=True), instance.pk}
    track(keys={snippet_key(Disclaimer, pk) for pk in pks})


def site_changed(sender, instance, **kwargs):
    track(everything=True)


def connect():
    pre_save.connect(auth.revoke_date, sender=ApiKey, dispatch_uid="apikey-revoked")
    post_save.connect(auth.forget_key, sender=ApiKey, dispatch_uid="apikey-saved")
    post_delete.connect(auth.forget_key, sender=ApiKey, dispatch_uid="apikey-deleted")
    content_loaded.connect(pages_loaded, dispatch_uid="changes-loaded")
    page_published.connect(page_changed, dispatch_uid="changes-published")
    page_unpublished.connect(page_changed, dispatch_uid="changes-unpublished")
    post_delete.connect(page_deleted, dispatch_uid="changes-page-deleted")
    post_page_move.connect(section_changed, dispatch_uid="changes-moved")
    page_slug_changed.connect(section_changed, dispatch_uid="changes-slug")
    for signal, suffix in ((post_save, "saved"), (post_delete, "deleted")):
        signal.connect(restriction_changed, sender=PageViewRestriction, dispatch_uid=f"r-{suffix}")
        signal.connect(site_changed, sender=Site, dispatch_uid=f"site-{suffix}")
        signal.connect(disclaimer_changed, sender=Disclaimer, dispatch_uid=f"disc-{suffix}")
        signal.connect(image_changed, sender=get_image_model(), dispatch_uid=f"image-{suffix}")
        for model in SNIPPETS:
            signal.connect(snippet_changed, sender=model, dispatch_uid=f"{model.__name__}-{suffix}")
