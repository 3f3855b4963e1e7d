"""Which revision of its source a translation was made from, and last reviewed against.

A translation is a new medical claim: it goes through the Medical review workflow like any
page, and it goes stale when its source changes. pages/translations.py keeps this record (a
translation made, a review recorded, a source change waived) and reads the status from it."""

from django.db import models


class TranslationOrigin(models.Model):
    translation = models.OneToOneField(
        "wagtailcore.Page", on_delete=models.CASCADE, related_name="translation_origin"
    )
    source = models.ForeignKey(
        "wagtailcore.Page",
        on_delete=models.CASCADE,
        related_name="translation_origins",
        help_text="The page this one translates.",
    )
    # No database constraint: the id stays when an old revision is purged (it then matches
    # no live revision, so the translation reads as outdated, which is the safe answer).
    made_from = models.ForeignKey(
        "wagtailcore.Revision",
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        help_text="The source's revision this translation matches (made from, or last "
        "reviewed against).",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "translation"  # the reports count translations
        indexes = [models.Index(fields=["source", "made_from"], name="translation_source_rev")]

    def __str__(self):
        return f"{self.translation_id} from {self.source_id} at revision {self.made_from_id}"
