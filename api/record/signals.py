"""Name what changed, so api/record/changes.py can refresh the items whose representation shows it;
and when a page stops being public (unpublished, deleted, moved, put under a view restriction),
end every cached response showing it as soon as that commits, here, before any refresh runs."""

import threading
import time

from django.core.cache import cache
from django.core.signals import request_finished
from django.db import transaction
from django.db.models import Q
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save

from wagtail.contrib.redirects.models import Redirect
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.signals import (
    page_published,
    page_slug_changed,
    page_unpublished,
    post_page_move,
    published,
    unpublished,
)

from api.channels import email
from api.http import auth
from api.models import ApiKey, RepresentationState
from api.record import changes, events
from api.record.changes import with_translations
from api.serving import response_cache
from pages import media
from pages.models import (
    Campaign,
    Disclaimer,
    EmailBrand,
    EmailWording,
    MedicalCode,
    Reference,
    Reviewer,
    ReviewerTranslation,
    Symptom,
)
from pages.selectors import Visibility
from pages.signals import content_loaded, is_bulk_loading
from shapes import registry
from shapes.representation import (
    DEFAULT_DISCLAIMER_KEY,
    EMAIL_BRAND_KEY,
    EVERY_PAGE_KEY,
    REDIRECTS_KEY,
    SYMPTOMS_KEY,
    collection_key,
    image_key,
    page_key,
    snippet_key,
)
from webhooks import outbox

SNIPPETS = (Symptom, Reviewer, Reference, MedicalCode)
# Pages being deleted in this thread: Wagtail unpublishes a live page on its way out (a
# pre_delete handler); the change is recorded once the row is gone, as a deletion. An entry
# lapses after DELETING_SECONDS, should a deletion fail between its pre- and post_delete.
_deleting = threading.local()
DELETING_SECONDS = 60


def deleting():
    """{page id: monotonic deadline} of the deletions under way in this thread."""
    if not hasattr(_deleting, "pks"):
        _deleting.pks = {}
    return _deleting.pks


def is_being_deleted(pk):
    deadline = deleting().get(pk)
    return deadline is not None and time.monotonic() < deadline


def queue_refresh_unless_loading(**change):
    if not is_bulk_loading():  # the bulk loader sends content_loaded when it is done
        changes.queue_refresh(**change)


def pages_loaded(sender, page_ids, **kwargs):
    changes.queue_refresh(page_ids=page_ids)


def purge_on_commit(keys):
    keys = sorted(keys)
    transaction.on_commit(lambda: response_cache.purge(keys))


def purge_hidden(page_ids):
    """Pages that may have stopped being public: once that commits, end every cached response
    showing them or their translations (public only while what they translate is), before any
    refresh runs: theirs, and those of the items that show them (by the dependency record, read
    now, while it still names them), with their collections."""
    translated = with_translations(Page.objects.filter(pk__in=page_ids))
    page_ids = set(page_ids) | set(translated.values_list("pk", flat=True))
    keys = {page_key(pk) for pk in page_ids}
    showing = RepresentationState.objects.filter(
        Q(page_id__in=page_ids) | Q(keys__key__in=keys)
    ).values_list("page_id", "type", "language")
    for page_id, kind, language in showing.distinct():
        keys |= {page_key(page_id), collection_key(registry.named(kind).collection, language)}
    purge_on_commit(keys | {EVERY_PAGE_KEY, REDIRECTS_KEY})


def purge_section(path):
    purge_hidden(list(Page.objects.filter(path__startswith=path).values_list("pk", flat=True)))


def page_published_handler(sender, instance, **kwargs):
    """Its own answers show the new revision at once (the read path serves it live until its
    copy is stored again); the pages showing it follow with the refresh, and so do its
    translations (each says whether it is still current: pages/translations.py)."""
    item_type = registry.of(type(instance))
    language = Visibility.load().language_of(instance.locale_id)
    collections = [collection_key(item_type.collection, language)] if item_type else []
    purge_on_commit([page_key(instance), EVERY_PAGE_KEY, *collections])
    queue_refresh_unless_loading(page_ids=[instance.pk])


def page_unpublished_handler(sender, instance, **kwargs):
    purge_hidden([instance.pk])
    if not is_being_deleted(instance.pk):
        queue_refresh_unless_loading(page_ids=[instance.pk])


def translations_changed(sender, instance, **kwargs):
    """published / unpublished of a page (Wagtail sends them after page_published and
    page_unpublished, and pages/translations.py has recorded the source's new live revision by
    then): its translations say whether they are still current, and are public only while it
    is; items linking to it or a version of it show the version in their own language."""
    if isinstance(instance, Page) and not is_being_deleted(instance.pk):
        others = Page.objects.filter(translation_key=instance.translation_key)
        ids = list(others.exclude(pk=instance.pk).values_list("pk", flat=True))
        if ids:  # (the refresh reaches the items showing them: they show the version in
            # their own language)
            queue_refresh_unless_loading(page_ids=ids)


def page_deleting(sender, instance, **kwargs):
    if isinstance(instance, Page):
        deleting()[instance.pk] = time.monotonic() + DELETING_SECONDS


def page_deleted(sender, instance, **kwargs):
    if not isinstance(instance, Page):
        return
    deleting().pop(instance.pk, None)
    if type(instance) is not Page:
        purge_hidden([instance.pk])
        queue_refresh_unless_loading(page_ids=[instance.pk])


def section_changed(sender, instance, **kwargs):
    """A moved or renamed page changes every URL under it."""
    purge_section(instance.path)
    queue_refresh_unless_loading(sections=[instance.path])


def restriction_changed(sender, instance, **kwargs):
    path = Page.objects.filter(pk=instance.page_id).values_list("path", flat=True).first()
    if path:
        purge_section(path)
        queue_refresh_unless_loading(sections=[path])


def redirect_changed(sender, instance, **kwargs):
    purge_on_commit([REDIRECTS_KEY])


def snippet_changed(sender, instance, **kwargs):
    """The items showing it, or a version of it in another language (an item shows the version
    in its own language where that one is public)."""
    if sender is Symptom:  # the symptom index shows every symptom, shown by an item or not
        purge_on_commit([SYMPTOMS_KEY])
    queue_refresh_unless_loading(keys=[snippet_key(sender, pk) for pk in versions_of(instance)])


def reviewer_translation_changed(sender, instance, **kwargs):
    """A reviewer's credentials in another language: the items the reviewer reviewed."""
    queue_refresh_unless_loading(keys=[snippet_key(Reviewer, instance.reviewer_id)])


def versions_of(snippet):
    """Ids of `snippet` and of its versions in other languages."""
    key = getattr(snippet, "translation_key", None)
    if key is None:
        return [snippet.pk]
    others = type(snippet)._default_manager.filter(translation_key=key)
    return sorted({snippet.pk, *others.values_list("pk", flat=True)})


def image_changed(sender, instance, **kwargs):
    """A new file or focal point makes new renditions for every item showing the image (and
    for the email brand's logo, should it be that image)."""
    transaction.on_commit(lambda: cache.delete(email.BRAND_CACHE_KEY))
    queue_refresh_unless_loading(keys=[image_key(instance.pk)])


def document_deleting(sender, instance, **kwargs):
    """The pages linking to a document about to go: the reference index forgets them with it."""
    instance._linking_page_ids = media.pages_referring_to(instance)


def document_changed(sender, instance, **kwargs):
    """A new file changes the URL of every link to the document (it ends with the file's
    name): the pages whose live content links to it (Wagtail's reference index) refresh."""
    page_ids = getattr(instance, "_linking_page_ids", None)
    if page_ids is None:
        page_ids = media.pages_referring_to(instance)
    if page_ids:
        queue_refresh_unless_loading(page_ids=page_ids)


def disclaimer_changed(sender, instance, **kwargs):
    """A page without its own disclaimer shows the default one, whichever that now is."""
    pks = {*Disclaimer.objects.values_list("pk", flat=True), instance.pk}
    queue_refresh_unless_loading(
        keys={DEFAULT_DISCLAIMER_KEY, *(snippet_key(Disclaimer, pk) for pk in pks)}
    )


def campaign_changed(sender, instance, **kwargs):
    """A campaign's live version changed (published, unpublished, deleted): its answers and
    the list of campaigns in its language end once that commits."""
    purge_on_commit(events.campaign_keys(instance))


def campaign_published(sender, instance, **kwargs):
    campaign_changed(sender, instance)
    if events.campaign_served(instance):  # a translation: once its review is recorded
        outbox.emit([events.campaign_event("campaign.published", instance)])


def campaign_unpublished(sender, instance, **kwargs):
    campaign_changed(sender, instance)
    if events.campaign_served(instance):
        outbox.emit([events.campaign_event("campaign.unpublished", instance)])


def campaign_deleted(sender, instance, **kwargs):
    campaign_changed(sender, instance)
    if instance.live and events.campaign_served(instance):  # its deletion ends what was served
        outbox.emit([events.campaign_event("campaign.unpublished", instance)])


def email_brand_changed(sender, instance, **kwargs):
    """Every email shows the brand: its cached answers end once the change commits."""
    transaction.on_commit(lambda: cache.delete(email.BRAND_CACHE_KEY))
    purge_on_commit([EMAIL_BRAND_KEY])


def site_changed(sender, instance, **kwargs):
    queue_refresh_unless_loading(everything=True)


def connect():
    pre_save.connect(auth.revoke_date, sender=ApiKey, dispatch_uid="apikey-revoked")
    post_save.connect(auth.forget_key, sender=ApiKey, dispatch_uid="apikey-saved")
    post_delete.connect(auth.forget_key, sender=ApiKey, dispatch_uid="apikey-deleted")
    request_finished.connect(auth.write_last_uses, dispatch_uid="apikey-last-use")
    content_loaded.connect(pages_loaded, dispatch_uid="changes-loaded")
    page_published.connect(page_published_handler, dispatch_uid="changes-published")
    page_unpublished.connect(page_unpublished_handler, dispatch_uid="changes-unpublished")
    # after pages/translations.py's receivers (the pages app is ready first)
    published.connect(translations_changed, dispatch_uid="changes-translations-published")
    unpublished.connect(translations_changed, dispatch_uid="changes-translations-unpublished")
    pre_delete.connect(page_deleting, dispatch_uid="changes-page-deleting")
    post_delete.connect(page_deleted, dispatch_uid="changes-page-deleted")
    post_page_move.connect(section_changed, dispatch_uid="changes-moved")
    published.connect(campaign_published, sender=Campaign, dispatch_uid="campaign-published")
    unpublished.connect(campaign_unpublished, sender=Campaign, dispatch_uid="campaign-unpublished")
    post_delete.connect(campaign_deleted, sender=Campaign, dispatch_uid="campaign-deleted")
    page_slug_changed.connect(section_changed, dispatch_uid="changes-slug")
    pre_delete.connect(document_deleting, sender=get_document_model(), dispatch_uid="doc-deleting")
    for signal, suffix in ((post_save, "saved"), (post_delete, "deleted")):
        signal.connect(restriction_changed, sender=PageViewRestriction, dispatch_uid=f"r-{suffix}")
        signal.connect(site_changed, sender=Site, dispatch_uid=f"site-{suffix}")
        signal.connect(redirect_changed, sender=Redirect, dispatch_uid=f"redirect-{suffix}")
        signal.connect(email_brand_changed, sender=EmailBrand, dispatch_uid=f"brand-{suffix}")
        signal.connect(email_brand_changed, sender=EmailWording, dispatch_uid=f"words-{suffix}")
        signal.connect(
            reviewer_translation_changed, sender=ReviewerTranslation, dispatch_uid=f"rt-{suffix}"
        )
        signal.connect(disclaimer_changed, sender=Disclaimer, dispatch_uid=f"disc-{suffix}")
        signal.connect(image_changed, sender=get_image_model(), dispatch_uid=f"image-{suffix}")
        signal.connect(document_changed, sender=get_document_model(), dispatch_uid=f"doc-{suffix}")
        for model in SNIPPETS:
            signal.connect(snippet_changed, sender=model, dispatch_uid=f"{model.__name__}-{suffix}")
