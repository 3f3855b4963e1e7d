"""Write events into the outbox: the event and one delivery per subscribed endpoint, in the
caller's database transaction (the change that caused them), so a crash keeps both or neither."""

import datetime

from django.db import transaction
from django.utils import timezone

import orjson

from webhooks.models import EVENT_TYPES, Delivery, Endpoint, Event

# Thin payloads: an event says which item changed, where it lives and the keys to purge, never
# its content. Receivers fetch the item itself, and so read what the API serves when they ask
# (a delivery may be retried for a day); a body stays small.
MAX_BODY_BYTES = 20_000


def envelope(event_type, data, now):
    """The body every attempt posts: {"type", "timestamp", "data"}. Past MAX_BODY_BYTES the
    surrogate keys fall back to the collection keys (as the Surrogate-Key header does)."""
    body = {"type": event_type, "timestamp": now.astimezone(datetime.UTC).isoformat(), "data": data}
    encoded = orjson.dumps(body)
    if len(encoded) > MAX_BODY_BYTES and "keys" in data:
        keys = [key for key in data["keys"] if key.startswith("collection-")]
        encoded = orjson.dumps({**body, "data": {**data, "keys": keys}})
    return encoded.decode()


def emit(events):
    """Record `events` [(type, data)] for every active endpoint receiving each type. Events no
    endpoint receives are not kept. Returns the events written."""
    for event_type, _ in events:
        if event_type not in EVENT_TYPES:
            raise ValueError(f"Unknown webhook event type {event_type!r}")
    endpoints = list(Endpoint.objects.filter(is_active=True))
    if not events or not endpoints:
        return []
    now = timezone.now()
    written, deliveries = [], []
    for event_type, data in events:
        receivers = [endpoint for endpoint in endpoints if endpoint.receives(event_type)]
        if receivers:
            event = Event(type=event_type, created_at=now, body=envelope(event_type, data, now))
            written.append(event)
            deliveries += [
                Delivery(event=event, endpoint=endpoint, next_attempt_at=now)
                for endpoint in receivers
            ]
    with transaction.atomic():
        Event.objects.bulk_create(written)
        Delivery.objects.bulk_create(deliveries)
    return written
