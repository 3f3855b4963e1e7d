"""What the API last served for each item: the record that `updated_since`, ETags of the future
sync endpoint and surrogate-key invalidation follow (maintained by api/changes.py)."""

from django.db import models


class RepresentationState(models.Model):
    """One row per content page the API has represented. Kept after the page is unpublished,
    made private or deleted (`public` false): a tombstone for delta sync."""

    page_id = models.PositiveIntegerField(unique=True)  # not a foreign key: outlives the page
    type = models.CharField(max_length=20)
    slug = models.SlugField(max_length=255, allow_unicode=True)
    public = models.BooleanField(default=True)
    fingerprint = models.CharField(max_length=64, blank=True, help_text="sha256 of the detail")
    review_status = models.CharField(max_length=20, blank=True)
    changed_at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["public", "changed_at"])]

    def __str__(self):
        return f"{self.type} {self.slug} (changed {self.changed_at:%Y-%m-%d %H:%M})"


class RepresentationDependency(models.Model):
    """`state`'s representation shows the page or snippet named by `key` (a surrogate key such
    as `page-12` or `snippet-reference-3`)."""

    state = models.ForeignKey(RepresentationState, on_delete=models.CASCADE, related_name="keys")
    key = models.CharField(max_length=100, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["state", "key"], name="unique_dependency_key")
        ]

    def __str__(self):
        return self.key
