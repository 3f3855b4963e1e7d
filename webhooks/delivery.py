"""Deliver what is due: run by `run_worker` every round (and `--once`).

A delivery is claimed under a lease (a compare-and-set on its `lease` column, so two workers
never attempt it at once), posted signed (webhooks/signing.py) through the address-checked
transport, and recorded only while the lease is still held: a worker killed mid-attempt leaves
its lease to expire, the next round reclaims the delivery and attempts it again with the same
`webhook-id` (at least once, as Standard Webhooks expects), and the interrupted attempt is
logged as such. A 2xx ends it; a 410 disables the endpoint and cancels what is pending for it;
anything else (no whole answer within WEBHOOKS_TIMEOUT_SECONDS, the attempt's total deadline;
a refused address; a 3xx, 4xx or 5xx) is retried with exponential backoff and jitter until
WEBHOOKS_RETRY_WINDOW_SECONDS after the event, then it fails.
"""

import datetime
import random
import secrets
import time

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from webhooks import signing, transport
from webhooks.models import Attempt, Delivery, Endpoint, Event

clock = time.monotonic  # round deadlines (tests move it)
BATCH = 100
INTERRUPTED = "interrupted: the worker stopped during the attempt (its lease expired)"
LEASE_LOST = "answered after the lease expired: another attempt took over"


def retry_delay(attempts, rng=random):
    """Seconds before the next attempt after `attempts` failed ones: doubling from
    WEBHOOKS_RETRY_BASE_SECONDS up to WEBHOOKS_RETRY_MAX_DELAY_SECONDS, with jitter (between
    half and all of it) so that receivers coming back are not hit by every retry at once."""
    base = settings.WEBHOOKS_RETRY_BASE_SECONDS
    delay = min(settings.WEBHOOKS_RETRY_MAX_DELAY_SECONDS, base * 2 ** max(attempts - 1, 0))
    return delay / 2 + rng.uniform(0, delay / 2)


def due(now):
    expired = Q(lease="") | Q(lease_until__lte=now)
    return (
        Delivery.objects.filter(expired, status=Delivery.Status.PENDING, next_attempt_at__lte=now)
        .filter(endpoint__is_active=True)
        .order_by("next_attempt_at", "pk")
    )


def deliver_due(deadline=None, limit=BATCH):
    """Attempt the deliveries that are due, oldest first, until `deadline` (a `clock()`
    reading) or `limit`. An endpoint that fails is not attempted again this round. Returns
    how many attempts were made."""
    made, failing = 0, set()
    for delivery in due(timezone.now()).select_related("event", "endpoint")[:limit]:
        if deadline is not None and clock() >= deadline:
            break
        if delivery.endpoint_id in failing:
            continue
        attempt = claim(delivery)
        if attempt is None:
            continue  # another worker has it
        made += 1
        if not send(delivery, attempt):
            failing.add(delivery.endpoint_id)
    return made


def claim(delivery):
    """Take `delivery` under a new lease and log the attempt starting; None if another worker
    took it first."""
    now = timezone.now()
    token = secrets.token_hex(16)
    lease_until = now + datetime.timedelta(seconds=settings.WEBHOOKS_LEASE_SECONDS)
    with transaction.atomic():
        taken = (
            Delivery.objects.filter(
                pk=delivery.pk, lease=delivery.lease, attempts=delivery.attempts
            )
            .filter(status=Delivery.Status.PENDING)
            .update(lease=token, lease_until=lease_until, attempts=F("attempts") + 1)
        )
        if not taken:
            return None
        if delivery.lease:  # the last holder died mid-attempt
            Attempt.objects.filter(delivery=delivery, duration_ms__isnull=True).update(
                error=INTERRUPTED
            )
        delivery.lease, delivery.lease_until = token, lease_until
        delivery.attempts += 1
        return Attempt.objects.create(
            delivery=delivery,
            number=delivery.attempts,
            started_at=now,
            redelivery=not delivery.retry,
        )


def send(delivery, attempt):
    """Post `delivery` and record the outcome. Returns whether the endpoint took it."""
    endpoint, event = delivery.endpoint, delivery.event
    now = timezone.now()
    headers = signing.headers(event.webhook_id, now, event.body, endpoint.signing_secrets(now))
    answer = transport.post(
        endpoint.url,
        event.body.encode(),
        headers,
        timeout=settings.WEBHOOKS_TIMEOUT_SECONDS,
        allow_private=settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS,
    )
    delivered = answer.status is not None and 200 <= answer.status < 300
    record(delivery, attempt, answer, delivered)
    return delivered


def record(delivery, attempt, answer, delivered):
    now = timezone.now()
    gone = answer.status == 410
    changes = {
        "lease": "",
        "lease_until": None,
        "last_status_code": answer.status,
        "last_error": answer.error,
    }
    if delivered:
        changes.update(status=Delivery.Status.SUCCEEDED, succeeded_at=now, next_attempt_at=None)
    elif gone:
        changes.update(status=Delivery.Status.CANCELLED, next_attempt_at=None)
    else:
        retry_at = now + datetime.timedelta(seconds=retry_delay(delivery.attempts))
        window = datetime.timedelta(seconds=settings.WEBHOOKS_RETRY_WINDOW_SECONDS)
        if delivery.retry and retry_at <= delivery.event.created_at + window:
            changes.update(next_attempt_at=retry_at)
        else:
            changes.update(status=Delivery.Status.FAILED, next_attempt_at=None)
    with transaction.atomic():
        held = Delivery.objects.filter(pk=delivery.pk, lease=delivery.lease).update(**changes)
        attempt.duration_ms = answer.duration_ms
        attempt.status_code = answer.status
        attempt.response_excerpt = answer.excerpt
        attempt.succeeded = delivered and bool(held)
        attempt.error = answer.error if held else LEASE_LOST
        attempt.save()
        if not held:
            return
        endpoints = Endpoint.objects.filter(pk=delivery.endpoint_id)
        if delivered:
            endpoints.exclude(consecutive_failures=0).update(consecutive_failures=0)
        else:
            endpoints.update(consecutive_failures=F("consecutive_failures") + 1)
        if gone:
            endpoints.update(
                is_active=False,
                disabled_reason=f"Disabled {now:%Y-%m-%d %H:%M} UTC: the endpoint answered "
                "410 Gone. Tick 'active' again once it receives events.",
            )
            Delivery.objects.filter(
                endpoint_id=delivery.endpoint_id, status=Delivery.Status.PENDING
            ).update(status=Delivery.Status.CANCELLED, next_attempt_at=None)


def redeliver(delivery):
    """An admin's redeliver: one more attempt at the worker's next round, with the same
    `webhook-id`. A finished delivery (delivered, failed, cancelled) gets one attempt, not
    retried if it fails; a pending one is simply attempted now. Returns a readable reason it
    cannot be, or None."""
    if not delivery.endpoint.is_active:
        return "Its endpoint is not active: tick 'active' on the endpoint first."
    now = timezone.now()
    free = Delivery.objects.filter(Q(lease="") | Q(lease_until__lte=now), pk=delivery.pk)
    queued = free.filter(status=Delivery.Status.PENDING).update(next_attempt_at=now)
    queued = queued or free.update(status=Delivery.Status.PENDING, retry=False, next_attempt_at=now)
    if not queued:
        return "It is being attempted right now: look again in a minute."
    return None


def prune(now=None):
    """Forget events older than WEBHOOKS_RETENTION_DAYS once nothing is pending for them."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.WEBHOOKS_RETENTION_DAYS)
    old = Event.objects.filter(created_at__lt=cutoff).exclude(
        deliveries__status=Delivery.Status.PENDING
    )
    return old.delete()[1].get(Event._meta.label, 0)
