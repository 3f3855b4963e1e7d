"""What the API last served for each item: the record that `updated_since`, delta sync
(api/channels/sync.py), webhook events and surrogate-key invalidation follow (maintained by
api/record/changes.py)."""

from django.db import models

from pages.selectors import default_language


class RepresentationState(models.Model):
    """One row per content page the API has represented. Kept after the page is unpublished,
    made private or deleted (`public` false): a tombstone for delta sync.

    While public, the row also stores what the API serves for the item (api/serving/stored.py): its
    detail and list shapes in each channel (web, app) as the bytes the API sends, the surrogate
    keys of everything each shows, and the `version` of the shapes' code (stored copies of
    another version count as missing). The read path (api/serving/read_path.py) serves those bytes
    while every page they show is still public.

    `change` numbers the row's last change (a new representation in either channel, or leaving
    or rejoining the public) in commit order (ChangeCounter): what delta sync pages by."""

    page_id = models.PositiveIntegerField(unique=True)  # not a foreign key: outlives the page
    type = models.CharField(max_length=20)
    language = models.CharField(
        max_length=16, default=default_language, help_text="The item's language code"
    )
    # shared by an item's versions in every language (Wagtail's Page.translation_key)
    translation_key = models.UUIDField(null=True, db_index=True)
    slug = models.SlugField(max_length=255, allow_unicode=True)
    public = models.BooleanField(default=True)
    fingerprint = models.CharField(max_length=64, blank=True, help_text="sha256 of the detail")
    list_fingerprint = models.CharField(max_length=64, blank=True, help_text="sha256 of the list")
    app_fingerprint = models.CharField(max_length=64, blank=True)
    app_list_fingerprint = models.CharField(max_length=64, blank=True)
    review_status = models.CharField(max_length=20, blank=True)
    changed_at = models.DateTimeField(db_index=True)
    version = models.PositiveIntegerField(default=0)
    detail = models.BinaryField(null=True, editable=False)
    list_item = models.BinaryField(null=True, editable=False)
    app_detail = models.BinaryField(null=True, editable=False)
    app_list_item = models.BinaryField(null=True, editable=False)
    detail_keys = models.TextField(blank=True, help_text="Surrogate keys the detail shows")
    list_keys = models.TextField(blank=True, help_text="Surrogate keys the list shape shows")
    stored_at = models.DateTimeField(null=True, db_index=True)
    change = models.PositiveBigIntegerField(default=0, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["public", "changed_at"])]

    def __str__(self):
        return f"{self.type} {self.slug} (changed {self.changed_at:%Y-%m-%d %H:%M})"


class ChangeCounter(models.Model):
    """The one row that numbers changes of RepresentationState (`last`), incremented inside the
    transaction that records them: the row lock orders transactions, so numbers follow commit
    order (a sequence would follow call order, and a reader could skip a number that commits
    late). `pruned_through`: tombstones of changes up to it were pruned (api/channels/sync.py)."""

    ONE = 1  # the row's primary key (migration 0004 creates it)

    last = models.PositiveBigIntegerField(default=0)
    pruned_through = models.PositiveBigIntegerField(default=0)

    def __str__(self):
        return f"change {self.last}"

    @classmethod
    def row(cls):
        """The one row, as a queryset to read or update."""
        return cls.objects.filter(pk=cls.ONE)

    @classmethod
    def ensure(cls):
        """Create the row in a database migrated without it."""
        cls.objects.get_or_create(pk=cls.ONE)


class ChangeMark(models.Model):
    """A value the change counter took (`number`: the last change a numbering transaction
    committed) and a random `nonce` drawn with it. A sync cursor holds the number it reached
    and that nonce (api/channels/sync.py): after a restore from an older backup the counter goes
    back and new changes reuse the lost numbers, but never with the same nonce, so a cursor issued
    before the restore is recognised. Kept while a cursor that holds it can be in use
    (API_SYNC_TOMBSTONE_DAYS after the counter moved past it:
    api.channels.sync.prune_tombstones)."""

    number = models.PositiveBigIntegerField(unique=True)
    nonce = models.CharField(max_length=32)
    created_at = models.DateTimeField(db_index=True)

    def __str__(self):
        return f"change {self.number} ({self.nonce[:8]}…)"


class ResponseCacheNamespace(models.Model):
    """The one row naming this database's entries in the response cache
    (api/serving/response_cache.py). A restore brings back the old value with the old data, so the
    restore command draws a new one afterwards (api/record/backups.py): a restored database and the
    one it was copied from never serve each other's cached answers, even through one Redis."""

    ONE = 1  # the row's primary key (migration 0006 creates it)

    value = models.CharField(max_length=32)

    def __str__(self):
        return self.value


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


def default_scopes():
    return [ApiKey.Scope.READ]


class ApiKey(models.Model):
    """A consumer's key (the website, the app, an email tool). Requests without a key are
    served too, at the anonymous rate; a key identifies the consumer and lifts its rate.
    Only a hash is stored: the key itself is shown once, when it is created.

    Scopes say what else it may do: `read` (the content API), `preview` (mint preview tokens:
    POST /api/v1/preview/tokens/), `campaigns` (read campaigns when CAMPAIGNS_REQUIRE_KEY)."""

    class Channel(models.TextChoices):
        WEB = "web", "Website"
        APP = "app", "Mobile app"
        EMAIL = "email", "Email tool"
        OTHER = "other", "Other"

    class Scope(models.TextChoices):
        READ = "read", "Read content"
        PREVIEW = "preview", "Mint preview tokens"
        CAMPAIGNS = "campaigns", "Read campaigns"

    name = models.CharField(max_length=100, help_text="Who uses it, e.g. 'Website production'.")
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.WEB)
    prefix = models.CharField(max_length=12, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    is_active = models.BooleanField(
        "active", default=True, help_text="Untick to revoke: requests with it get 403."
    )
    requests_per_minute = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Leave empty for the default keyed rate (API_KEY_RATE).",
    )
    scopes = models.JSONField(
        default=default_scopes, blank=True, help_text="What the key may do besides identifying."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="Recorded at most once a minute."
    )

    class Meta:
        verbose_name = "API key"
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"
