"""Which revision of its source a translation was made from, and last reviewed against.

A translation (a page, a medical snippet or a campaign in another language) is a new medical
claim: it goes through the Medical review workflow like any content, and it goes stale when its
source changes. pages/translations.py keeps this record (a translation made, its source
published, a review recorded, a source change waived) and reads the status from it."""

from django.contrib.contenttypes.models import ContentType
from django.db import models


def revision_id_field(help_text):
    """A revision's id without a database constraint: it stays when an old revision is purged
    (it then matches no later revision, so the translation reads as outdated: the safe
    answer)."""
    return models.ForeignKey(
        "wagtailcore.Revision",
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        help_text=help_text,
    )


class TranslationOrigin(models.Model):
    # the base content type of both (wagtailcore.page for pages, else the snippet's model)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    translation_id = models.CharField(max_length=255)
    source_id = models.CharField(max_length=255, help_text="The object this one translates.")
    made_from = revision_id_field(
        "The source's revision this translation matches (made from, or last reviewed against)."
    )
    source_live = revision_id_field("The source's live revision (none while it is not live).")
    reviewed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When a medical review of this translation was last recorded (none: never "
        "reviewed, so never served).",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "translation"  # the reports count translations
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "translation_id"], name="one_origin_per_translation"
            ),
        ]
        indexes = [models.Index(fields=["content_type", "source_id"], name="translation_source")]

    def __str__(self):
        return f"{self.translation_id} from {self.source_id} at revision {self.made_from_id}"

    @property
    def outdated(self):
        return self.source_live_id is not None and self.source_live_id != self.made_from_id
