"""Webhook endpoints and the durable outbox (docs/architecture.md, "Webhooks").

An `Event` is written in the same database transaction as the change that caused it (the
change record's, api/record/changes.py, or a campaign's publication), with one `Delivery` per
endpoint subscribed to its type: a crash keeps both or neither. The worker (webhooks/delivery.py,
run by `run_worker`) claims due deliveries under a lease, posts them signed per Standard Webhooks
and records each `Attempt`: the delivery log the admin shows.
"""

import datetime
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from webhooks import signing, transport

EVENT_TYPES = {
    "page.published": "A page became public, or a public page was published again.",
    "page.unpublished": "A page stopped being public: unpublished, expired, made private.",
    "page.deleted": "A public page was deleted.",
    "page.moved": "A public page's URL changed (moved or renamed): see previous_url.",
    "content.changed": "A public item's representation changed because something it shows did.",
    "content.review_due": "A public page's medical review is due within 30 days, or overdue.",
    "campaign.published": "A campaign was published (again).",
    "campaign.unpublished": "A live campaign was unpublished or deleted.",
}


def new_event_id():
    """The `webhook-id`: the same on every attempt, so receivers can drop duplicates."""
    return f"msg_{secrets.token_hex(16)}"


class Endpoint(models.Model):
    """A receiver of signed events. Its secret is shown once (when created or rotated); after
    a rotation the previous secret keeps signing too, for WEBHOOKS_ROTATION_GRACE_SECONDS,
    so receivers can switch without dropping deliveries."""

    url = models.URLField(
        "URL", max_length=500, help_text="Where events are posted (https://... in production)."
    )
    description = models.CharField(max_length=200, blank=True, help_text="Who receives it.")
    events = models.JSONField(
        default=list, blank=True, help_text="The event types it receives; none ticked: every one."
    )
    is_active = models.BooleanField(
        "active",
        default=True,
        help_text="Untick to stop deliveries. A 410 Gone answer unticks it.",
    )
    secret = models.CharField(max_length=100, editable=False)
    previous_secret = models.CharField(max_length=100, blank=True, editable=False)
    previous_secret_until = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    consecutive_failures = models.PositiveIntegerField(default=0, editable=False)
    disabled_reason = models.CharField(max_length=300, blank=True, editable=False)

    class Meta:
        ordering = ["url", "pk"]
        verbose_name = "webhook endpoint"

    def __str__(self):
        return self.description or self.url

    def save(self, *args, **kwargs):
        if not self.secret:
            self.secret = signing.new_secret()
        if self.is_active and self.disabled_reason:  # ticked active again after a 410
            self.disabled_reason, self.consecutive_failures = "", 0
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        errors = {}
        unknown = sorted(set(self.events or []) - set(EVENT_TYPES))
        if unknown:
            errors["events"] = (
                f"Unknown event type(s): {', '.join(unknown)}. Known: {', '.join(EVENT_TYPES)}."
            )
        if self.url:
            try:
                transport.check_url(self.url, settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS)
            except transport.Refused as refused:
                errors["url"] = str(refused)
        if errors:
            raise ValidationError(errors)

    def receives(self, event_type):
        return not self.events or event_type in self.events

    def rotate_secret(self, grace_seconds):
        """A new secret (returned); the old one signs too for `grace_seconds`."""
        self.previous_secret, self.secret = self.secret, signing.new_secret()
        self.previous_secret_until = timezone.now() + datetime.timedelta(seconds=grace_seconds)
        self.save(update_fields=["secret", "previous_secret", "previous_secret_until"])
        return self.secret

    def signing_secrets(self, now):
        """The secrets each delivery is signed with now (newest first)."""
        if self.previous_secret and self.previous_secret_until and now < self.previous_secret_until:
            return [self.secret, self.previous_secret]
        return [self.secret]

    @property
    def is_failing(self):
        return self.consecutive_failures > 0 or bool(self.disabled_reason)


class Event(models.Model):
    """What happened, as the exact body every attempt posts (signed as is)."""

    webhook_id = models.CharField(
        "webhook-id", max_length=40, unique=True, default=new_event_id, editable=False
    )
    type = models.CharField(max_length=40, db_index=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    body = models.TextField(help_text="The JSON envelope {type, timestamp, data}")

    class Meta:
        ordering = ["-pk"]
        verbose_name = "webhook event"

    def __str__(self):
        return f"{self.type} {self.webhook_id}"


class Delivery(models.Model):
    """One event for one endpoint: its state across attempts. `lease_until`/`lease` mark an
    attempt in progress: a worker that dies mid-attempt leaves a lease that expires, and the
    next round reclaims the delivery (at least once; the `webhook-id` stays the same)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Delivered"
        FAILED = "failed", "Failed (retries exhausted)"
        CANCELLED = "cancelled", "Cancelled (endpoint disabled)"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, default=timezone.now)
    lease_until = models.DateTimeField(null=True, blank=True)
    lease = models.CharField(max_length=32, blank=True)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    succeeded_at = models.DateTimeField(null=True, blank=True)
    retry = models.BooleanField(
        default=True, help_text="Retried automatically on failure (an admin's redeliver is not)."
    )

    class Meta:
        ordering = ["-event__created_at", "pk"]
        verbose_name = "webhook delivery"
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(fields=["event", "endpoint"], name="one_delivery_per_endpoint")
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self):
        return f"{self.event.type} → {self.endpoint}"


class Attempt(models.Model):
    """One POST of a delivery: the delivery log."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="log")
    number = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    status_code = models.PositiveIntegerField(null=True, blank=True)
    succeeded = models.BooleanField(default=False)
    error = models.CharField(max_length=300, blank=True, help_text="Empty while in progress")
    response_excerpt = models.TextField(blank=True)
    redelivery = models.BooleanField(default=False)

    class Meta:
        ordering = ["delivery", "number"]

    def __str__(self):
        return f"attempt {self.number} of {self.delivery_id}"

    @property
    def outcome(self):
        if self.succeeded:
            return f"{self.status_code} delivered"
        if self.status_code:
            return f"{self.status_code} {self.error}".strip()
        return self.error or "in progress"
