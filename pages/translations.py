"""Translations under medical review: which source revision each was made from, when it goes
stale, and who may say a source change does not touch it.

Editors translate with Wagtail's simple_translation ("Translate" on a page, a medical snippet
or a campaign): it copies the source as a draft in the other locale (a page's review fields
stay behind: BaseContentPage.exclude_fields_in_copy; a snippet's copy is never live:
TranslatedUnderReview), and `record` notes which source revision the copy was made from
(one TranslationOrigin per translation, named by base content type and id; the source's live
revision is kept on it as the source is published and unpublished: `source_published`). The
draft then goes through the Medical review workflow like any page;
recording its review (an approval, or "Mark reviewed") says it matches the source as it is
live now. When the source gets a new live revision, every translation made from or reviewed
against an older one is outdated (`status`), unless the reviewer approving the source's change
chose "Approve and publish: no change for translations" (`impact_waived`), which carries the
translations that were current along to the new revision.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.contrib.admin.utils import quote
from django.contrib.contenttypes.models import ContentType
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from wagtail.actions.copy_for_translation import CopyPageForTranslationAction
from wagtail.log_actions import log
from wagtail.models import Locale, Page, TranslatableMixin

CURRENT = "current"
OUTDATED = "outdated"
NO_IMPACT = "pages.translation_impact_waived"

_impact_waived = ContextVar("translation_impact_waived", default=False)


def ensure_locales(**kwargs):
    """post_migrate: a Wagtail locale for every content language (CONTENT_LANGUAGES), so adding
    a language is a setting and a migrate. A locale no longer configured is left alone: content
    in it stays until an administrator deletes the locale (Settings > Locales)."""
    from pages.selectors import forget_default_locale

    for code, _ in settings.WAGTAIL_CONTENT_LANGUAGES:
        Locale.objects.get_or_create(language_code=code)
    forget_default_locale()  # a flushed database (tests) makes its locales anew


def originals(model):
    """The rows of a translatable snippet model in the default language (a new row gets that
    language too), for lookups by a natural key that translations share (slug, DOI, code)."""
    from pages.selectors import default_locale_id

    return model.objects.filter(locale_id=default_locale_id())


def copy_page(source, locale):
    """A draft translation of page `source` in `locale`, as Translate makes it (the sections
    above made first); for code that translates without the admin (the seed, tests)."""
    make_parents(source, locale)
    action = CopyPageForTranslationAction(source, locale)
    return action.execute(skip_permission_checks=True).specific


def make_parents(page, locale):
    """The sections above `page` in `locale`, made as aliases of the source's where missing
    (simple_translation refuses to translate a page whose parent is not translated)."""
    parent = page.get_parent().specific
    if not parent.is_root() and not parent.has_translation(locale):
        parent.copy_for_translation(locale, copy_parents=True, alias=True)


def key(obj):
    """(base content type, id as text): how the record names a page, snippet or campaign."""
    return obj.get_base_content_type(), str(obj.pk)


def origins_of(obj):
    """The records of `obj`'s translations (it is their source)."""
    from pages.models import TranslationOrigin

    content_type, pk = key(obj)
    return TranslationOrigin.objects.filter(content_type=content_type, source_id=pk)


def origin_of(obj):
    """The record of translation `obj`, or None when it is not a translation."""
    from pages.models import TranslationOrigin

    content_type, pk = key(obj)
    return TranslationOrigin.objects.filter(content_type=content_type, translation_id=pk).first()


def record(source, translation):
    """`translation` (saved) was made from `source` as it is now: its live revision, else its
    latest (a draft-only source)."""
    from pages.models import TranslationOrigin

    source = type(source)._default_manager.get(pk=source.pk)  # as stored, not as copied
    made_from = source.live_revision_id if source.live else source.latest_revision_id
    content_type, pk = key(translation)
    TranslationOrigin.objects.update_or_create(
        content_type=content_type,
        translation_id=pk,
        defaults={
            "source_id": str(source.pk),
            "made_from_id": made_from,
            "source_live_id": source.live_revision_id,
        },
    )


def record_copy(sender, source_obj, target_obj, **kwargs):
    """copy_for_translation_done, for pages (saved by then; a snippet's copy is recorded when
    it is saved: TranslatedUnderReview). Aliases of untranslated parents mirror their source:
    nothing to record."""
    if isinstance(target_obj, Page) and target_obj.pk is not None and not target_obj.alias_of_id:
        record(source_obj, target_obj)


def source_published(sender, instance, **kwargs):
    """published / unpublished (pages and snippets alike): the translations of
    `instance` compare against its live revision from now on (none while it is not live)."""
    if isinstance(instance, TranslatableMixin):
        origins_of(instance).update(source_live_id=instance.live_revision_id)


def forget(sender, instance, **kwargs):
    """post_delete: a deleted translation has no record; a deleted source's translations stand
    alone."""
    if isinstance(instance, TranslatableMixin) and hasattr(instance, "get_base_content_type"):
        from pages.models import TranslationOrigin

        content_type, pk = key(instance)
        TranslationOrigin.objects.filter(content_type=content_type).filter(
            Q(translation_id=pk) | Q(source_id=pk)
        ).delete()


def status(obj):
    """None for content that is not a translation; else CURRENT, or OUTDATED when its source
    has a live revision other than the one it was made from or last reviewed against."""
    origin = origin_of(obj)
    if origin is None:
        return None
    return OUTDATED if origin.outdated else CURRENT


def page_statuses(pages):
    """{page id: status} of `pages` (one query): None for a page that is no translation."""
    from pages.models import TranslationOrigin

    found = dict.fromkeys((page.pk for page in pages), None)
    origins = TranslationOrigin.objects.filter(
        content_type=ContentType.objects.get_for_model(Page),
        translation_id__in=[str(pk) for pk in found],
    )
    for origin in origins:
        found[int(origin.translation_id)] = OUTDATED if origin.outdated else CURRENT
    return found


def outdated():
    """Every outdated translation's record, with `.translation` and `.source` (the objects),
    the latest source change first."""
    from pages.models import TranslationOrigin

    found = list(
        TranslationOrigin.objects.filter(source_live__isnull=False)
        .exclude(made_from_id=F("source_live_id"))
        .order_by("-source_live_id", "pk")
    )
    by_type = {}
    for origin in found:
        by_type.setdefault(origin.content_type_id, set()).update(
            {origin.translation_id, origin.source_id}
        )
    objects = {}
    for content_type_id, pks in by_type.items():
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        rows = model._default_manager.filter(pk__in=pks).select_related("locale")
        objects.update({(content_type_id, str(row.pk)): row for row in rows})
    for origin in found:
        origin.translation = objects.get((origin.content_type_id, origin.translation_id))
        origin.source = objects.get((origin.content_type_id, origin.source_id))
    return [origin for origin in found if origin.translation and origin.source]


def record_review(obj):
    """A review of translation `obj` was recorded: it has been reviewed (a page in another
    language is served only then: pages.selectors.Visibility), and it now matches its source
    as live."""
    origin = origin_of(obj)
    if origin is None:
        return
    origin.reviewed_at = timezone.now()
    if origin.source_live_id is not None:
        origin.made_from_id = origin.source_live_id
    origin.save(update_fields=["made_from", "reviewed_at", "updated_at"])


@contextmanager
def impact_waived():
    """Within this block, a source approved and published carries its current translations
    along (the approving reviewer said the change does not touch them)."""
    token = _impact_waived.set(True)
    try:
        yield
    finally:
        _impact_waived.reset(token)


def carry_along(source, previous_live_revision_id, user):
    """After `source` was published: if the reviewer waived the translation impact, every
    translation that matched the previous live revision matches the new one (an outdated one
    stays outdated); logged on the source."""
    if not _impact_waived.get() or previous_live_revision_id is None:
        return 0
    live = type(source)._default_manager.get(pk=source.pk).live_revision_id
    carried = (
        origins_of(source)
        .filter(made_from_id=previous_live_revision_id)
        .update(made_from_id=live, source_live_id=live)
    )
    log(
        instance=source,
        action=NO_IMPACT,
        user=user,
        data={"revision": live, "translations": carried},
    )
    return carried


def has_translations(obj):
    return isinstance(obj, TranslatableMixin) and origins_of(obj).exists()


def edit_url(obj):
    if isinstance(obj, Page):
        return reverse("wagtailadmin_pages:edit", args=[obj.pk])
    return reverse(obj.snippet_viewset.get_url_name("edit"), args=[quote(obj.pk)])


def changes_url(origin, source):
    """The admin's comparison of the source as the translation knows it with the source as it
    is live now (its edit view once that revision has been purged)."""
    from wagtail.models import Revision

    if not Revision.objects.filter(pk=origin.made_from_id).exists():
        return edit_url(source)
    ids = [origin.made_from_id, origin.source_live_id]
    if isinstance(source, Page):
        return reverse("wagtailadmin_pages:revisions_compare", args=[source.pk, *ids])
    name = source.snippet_viewset.get_url_name("revisions_compare")
    return reverse(name, args=[quote(source.pk), *ids])


def outdated_warning(obj):
    """What the editor of translation `obj` is told when its source changed since, or None."""
    origin = origin_of(obj)
    if origin is None or not origin.outdated:
        return None
    source = type(obj)._default_manager.filter(pk=origin.source_id).first()
    if source is None:
        return None
    published = getattr(source, "last_published_at", None)
    when = f" on {published:%d %B %Y}" if published else ""
    return (
        f"This translation is outdated: its source “{source}” was published{when} after "
        "this translation was made or last reviewed. Compare the changes, update the "
        "translation and submit it for medical review.",
        changes_url(origin, source),
    )


def translations_note(obj):
    """What the editor of a source is told about its translations, or None."""
    if not isinstance(obj, TranslatableMixin):
        return None
    ids = origins_of(obj).values_list("translation_id", flat=True)
    model = Page if isinstance(obj, Page) else type(obj)
    languages = sorted(
        {
            row.locale.get_display_name()
            for row in model._default_manager.filter(pk__in=list(ids)).select_related("locale")
        }
    )
    if not languages:
        return None
    return (
        f"This is translated ({', '.join(languages)}): once a change is published, its "
        "translations are outdated until they are reviewed again, unless the approving "
        "reviewer records that the change does not touch them."
    )
