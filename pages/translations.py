"""Translations under medical review: which source revision each was made from, when it goes
stale, and who may say a source change does not touch it.

Editors translate with Wagtail's simple_translation ("Translate" on a page): it copies the
source as a draft in the other locale (the review fields stay behind:
BaseContentPage.exclude_fields_in_copy), and `record_copy` notes which source revision the
copy was made from. The draft then goes through the Medical review workflow like any page;
recording its review (an approval, or "Mark reviewed") says it matches the source as it is
live now. When the source gets a new live revision, every translation made from or reviewed
against an older one is outdated (`status`), unless the reviewer approving the source's change
chose "Approve and publish: no change for translations" (`impact_waived`), which carries the
translations that were current along to the new revision.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db.models import F
from django.urls import reverse

from wagtail.log_actions import log
from wagtail.models import Locale, Page

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


def make_parents(page, locale):
    """The sections above `page` in `locale`, made as aliases of the source's where missing
    (simple_translation refuses to translate a page whose parent is not translated)."""
    parent = page.get_parent().specific
    if not parent.is_root() and not parent.has_translation(locale):
        parent.copy_for_translation(locale, copy_parents=True, alias=True)


def record_copy(sender, source_obj, target_obj, **kwargs):
    """copy_for_translation_done: remember which revision of the source a new translated page
    was made from (aliases of untranslated parents mirror their source: nothing to record)."""
    from pages.models import TranslationOrigin

    if not isinstance(target_obj, Page) or target_obj.pk is None or target_obj.alias_of_id:
        return
    source = Page.objects.get(pk=source_obj.pk)
    made_from = source.live_revision_id if source.live else source.latest_revision_id
    TranslationOrigin.objects.update_or_create(
        translation_id=target_obj.pk, defaults={"source": source, "made_from_id": made_from}
    )


def status(page):
    """None for a page that is not a translation; else CURRENT, or OUTDATED when its source
    has a live revision other than the one it was made from or last reviewed against."""
    from pages.models import TranslationOrigin

    origin = (
        TranslationOrigin.objects.filter(translation_id=page.pk)
        .values("made_from_id", "source__live_revision_id")
        .first()
    )
    if origin is None:
        return None
    live = origin["source__live_revision_id"]
    return OUTDATED if live is not None and live != origin["made_from_id"] else CURRENT


def outdated():
    """The origins of every outdated translation, with their pages, oldest change first."""
    from pages.models import TranslationOrigin

    return (
        TranslationOrigin.objects.filter(source__live_revision__isnull=False)
        .exclude(made_from_id=F("source__live_revision_id"))
        .select_related("translation__locale", "source__locale", "source__live_revision")
        .order_by("source__last_published_at", "translation_id")
    )


def record_review(page):
    """A review of translation `page` was recorded: it now matches its source as live."""
    from pages.models import TranslationOrigin

    origin = (
        TranslationOrigin.objects.filter(translation_id=page.pk).select_related("source").first()
    )
    if origin is not None and origin.source.live_revision_id is not None:
        origin.made_from_id = origin.source.live_revision_id
        origin.save(update_fields=["made_from", "updated_at"])


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
    from pages.models import TranslationOrigin

    if not _impact_waived.get() or previous_live_revision_id is None:
        return 0
    live = Page.objects.filter(pk=source.pk).values_list("live_revision_id", flat=True).first()
    carried = TranslationOrigin.objects.filter(
        source_id=source.pk, made_from_id=previous_live_revision_id
    ).update(made_from_id=live)
    log(
        instance=source,
        action=NO_IMPACT,
        user=user,
        data={"revision": live, "translations": carried},
    )
    return carried


def has_translations(page):
    from pages.models import TranslationOrigin

    return TranslationOrigin.objects.filter(source_id=page.pk).exists()


def changes_url(origin):
    """The admin's comparison of the source as the translation knows it with the source as it
    is live now (its edit view once that revision has been purged)."""
    from wagtail.models import Revision

    if origin.made_from_id and Revision.objects.filter(pk=origin.made_from_id).exists():
        return reverse(
            "wagtailadmin_pages:revisions_compare",
            args=[origin.source_id, origin.made_from_id, "live"],
        )
    return reverse("wagtailadmin_pages:edit", args=[origin.source_id])


def outdated_warning(page):
    """What the editor of translation `page` is told when its source changed since, or None."""
    from pages.models import TranslationOrigin

    if status(page) != OUTDATED:
        return None
    origin = TranslationOrigin.objects.select_related("source").get(translation_id=page.pk)
    published = origin.source.last_published_at
    when = f" on {published:%d %B %Y}" if published else ""
    return (
        f"This translation is outdated: its source “{origin.source.title}” was published"
        f"{when} after this translation was made or last reviewed. Compare the changes, "
        "update the translation and submit it for medical review.",
        changes_url(origin),
    )


def translations_note(page):
    """What the editor of a source page is told about its translations, or None."""
    from pages.models import TranslationOrigin

    languages = sorted(
        {
            origin.translation.locale.get_display_name()
            for origin in TranslationOrigin.objects.filter(source_id=page.pk).select_related(
                "translation__locale"
            )
        }
    )
    if not languages:
        return None
    return (
        f"This page is translated ({', '.join(languages)}): once a change is published, its "
        "translations are outdated until they are reviewed again, unless the approving "
        "reviewer records that the change does not touch them."
    )
