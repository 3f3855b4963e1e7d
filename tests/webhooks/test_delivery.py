"""Delivery to a real HTTP receiver on 127.0.0.1: signatures verify with `standardwebhooks`,
retries after a 500 and after a timeout, 410 disables, leases reclaimed, redeliver."""

import datetime
import functools
import json
import random
import shutil
import ssl
import subprocess
import time

from django.utils import timezone

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from tests.webhooks.receiver import Receiver, Trickler
from webhooks import delivery, outbox, signing, transport
from webhooks.apps import check_settings
from webhooks.models import Attempt, Delivery, Endpoint, Event

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def quick(settings):
    settings.WEBHOOKS_TIMEOUT_SECONDS = 0.5
    settings.WEBHOOKS_LEASE_SECONDS = 30


@pytest.fixture
def tls(tmp_path, monkeypatch):
    """A server-side TLS context for 127.0.0.1, whose certificate the transport trusts."""
    openssl = shutil.which("openssl") or pytest.skip("needs the openssl command")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    trusting = functools.partial(ssl.create_default_context, cafile=str(cert))
    monkeypatch.setattr(transport.ssl, "create_default_context", trusting)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


def event_for(endpoint_url, event_type="page.published", **endpoint):
    endpoint = Endpoint.objects.create(url=endpoint_url, **endpoint)
    data = {"id": 7, "type": "condition", "slug": "neuropathic-pain", "keys": ["page-7"]}
    [event] = outbox.emit([(event_type, data)])
    return endpoint, event, Delivery.objects.get(event=event, endpoint=endpoint)


def due_now(item):
    """Move `item`'s next attempt to now (instead of waiting out the backoff)."""
    Delivery.objects.filter(pk=item.pk).update(next_attempt_at=timezone.now())


def test_a_delivery_is_signed_per_standard_webhooks():
    with Receiver() as receiver:
        endpoint, event, item = event_for(receiver.url)
        assert delivery.deliver_due() == 1
        [request] = receiver.received
    body = request.body.decode()
    assert Webhook(endpoint.secret).verify(body, request.headers) == json.loads(event.body)
    assert request.headers["webhook-id"] == event.webhook_id
    assert request.headers["Content-Type"] == "application/json"
    assert json.loads(body)["data"]["slug"] == "neuropathic-pain"
    with pytest.raises(WebhookVerificationError):
        Webhook(signing.new_secret()).verify(body, request.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(endpoint.secret).verify(body.replace("neuropathic", "other"), request.headers)
    item.refresh_from_db()
    assert item.status == Delivery.Status.SUCCEEDED
    [attempt] = item.log.all()
    assert (attempt.number, attempt.status_code, attempt.succeeded) == (1, 200, True)
    assert attempt.response_excerpt == "answer 200"
    assert not delivery.deliver_due()  # retries stop after a success


def test_a_500_is_retried_with_backoff_under_the_same_webhook_id():
    with Receiver(plan=[500]) as receiver:
        endpoint, event, item = event_for(receiver.url)
        before = timezone.now()
        delivery.deliver_due()
        item.refresh_from_db()
        assert item.status == Delivery.Status.PENDING
        assert item.last_status_code == 500
        wait = (item.next_attempt_at - before).total_seconds()
        assert 30 - 1 <= wait <= 60 + 1  # half to all of the 60 s base delay
        assert not delivery.deliver_due()  # not due yet
        due_now(item)
        delivery.deliver_due()
        ids = [request.headers["webhook-id"] for request in receiver.received]
    assert ids == [event.webhook_id, event.webhook_id]
    item.refresh_from_db()
    assert item.status == Delivery.Status.SUCCEEDED
    assert [(a.status_code, a.succeeded) for a in item.log.all()] == [(500, False), (200, True)]
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 0


def test_a_timeout_counts_as_a_failure():
    with Receiver(plan=[(200, 2)]) as receiver:
        endpoint, event, item = event_for(receiver.url)
        delivery.deliver_due()
        item.refresh_from_db()
        assert item.status == Delivery.Status.PENDING
        [attempt] = item.log.all()
        assert attempt.status_code is None
        assert "no answer within 0.5s" in attempt.error
        endpoint.refresh_from_db()
        assert endpoint.consecutive_failures == 1 and endpoint.is_failing
        due_now(item)
        delivery.deliver_due()
    item.refresh_from_db()
    assert item.status == Delivery.Status.SUCCEEDED


def test_a_trickling_receiver_is_cut_off_at_the_attempts_deadline(settings):
    """One byte every 0.5 s never lets a read wait 1.5 s: the deadline bounds the attempt as
    a whole (it used to wait out the whole answer, and record the 200)."""
    settings.WEBHOOKS_TIMEOUT_SECONDS = 1.5
    with Trickler(interval=0.5) as receiver:
        endpoint, _, item = event_for(receiver.url)
        started = time.monotonic()
        assert delivery.deliver_due() == 1
        took = time.monotonic() - started
        assert receiver.sent < len(receiver.ANSWER)
    assert 1.4 <= took < 2.5
    item.refresh_from_db()
    assert item.status == Delivery.Status.PENDING and item.next_attempt_at is not None
    [attempt] = item.log.all()
    assert (attempt.status_code, attempt.succeeded) == (None, False)
    assert "no answer within 1.5s" in attempt.error
    assert 1400 <= attempt.duration_ms < 2500
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 1


def test_the_lease_must_outlast_the_whole_attempt(settings):
    settings.WEBHOOKS_TIMEOUT_SECONDS, settings.WEBHOOKS_LEASE_SECONDS = 15, 20
    [error] = check_settings()
    assert error.id == "webhooks.E001" and "total deadline" in error.msg
    settings.WEBHOOKS_LEASE_SECONDS = 20.5
    assert check_settings() == []


def test_an_https_delivery_checks_the_certificate_against_the_host_name(tls, monkeypatch):
    with Receiver(tls=tls) as receiver:
        answer = transport.post(receiver.url, b"{}", {}, 2, allow_private=True)
        assert (answer.status, answer.excerpt) == (200, "answer 200")
        real = transport.socket.getaddrinfo
        monkeypatch.setattr(
            transport.socket, "getaddrinfo", lambda host, *a, **k: real("127.0.0.1", *a, **k)
        )
        other = receiver.url.replace("127.0.0.1", "hooks.example.test")
        answer = transport.post(other, b"{}", {}, 2, allow_private=True)
        assert len(receiver.received) == 1
    assert answer.status is None and "Hostname mismatch" in answer.error


def test_a_trickling_https_receiver_is_cut_off_at_the_deadline(tls):
    with Trickler(interval=0.5, tls=tls) as receiver:
        started = time.monotonic()
        answer = transport.post(receiver.url, b"{}", {}, 1.5, allow_private=True)
        took = time.monotonic() - started
        assert 0 < receiver.sent < len(receiver.ANSWER)
    assert 1.4 <= took < 2.5
    assert answer.status is None and answer.error == "no answer within 1.5s"


def test_a_410_disables_the_endpoint_and_cancels_what_is_pending():
    with Receiver(plan=[410]) as receiver:
        endpoint, event, item = event_for(receiver.url)
        [other] = outbox.emit([("page.unpublished", {"id": 8})])
        delivery.deliver_due()
        assert len(receiver.received) == 1  # the rest of the round skips a failing endpoint
    endpoint.refresh_from_db()
    assert not endpoint.is_active
    assert "410" in endpoint.disabled_reason
    statuses = set(Delivery.objects.values_list("status", flat=True))
    assert statuses == {Delivery.Status.CANCELLED}
    assert not outbox.emit([("page.published", {"id": 9})])  # nothing more for it


def test_redirects_are_not_followed():
    with Receiver(plan=[302]) as receiver:
        _, _, item = event_for(receiver.url)
        delivery.deliver_due()
        assert len(receiver.received) == 1
    item.refresh_from_db()
    assert item.status == Delivery.Status.PENDING
    assert "redirect not followed" in item.last_error


def test_retries_stop_after_the_window(settings):
    settings.WEBHOOKS_RETRY_WINDOW_SECONDS = 100
    with Receiver(then=503) as receiver:
        _, _, item = event_for(receiver.url)
        for _ in range(5):
            due_now(item)
            delivery.deliver_due()
            item.refresh_from_db()
            if item.status != Delivery.Status.PENDING:
                break
    # retries wait 30-60 s, 60-120 s, 120-240 s (no time passes here): the retry after the
    # second or third attempt falls past the 100 s window
    assert item.status == Delivery.Status.FAILED
    assert item.attempts in (2, 3)
    assert item.next_attempt_at is None


def test_backoff_doubles_with_jitter_up_to_the_maximum(settings):
    settings.WEBHOOKS_RETRY_BASE_SECONDS = 60
    settings.WEBHOOKS_RETRY_MAX_DELAY_SECONDS = 6 * 3600
    rng = random.Random(1)  # noqa: S311 (jitter, not a secret)
    for attempts, full in [(1, 60), (2, 120), (3, 240), (9, 15360), (10, 6 * 3600), (20, 6 * 3600)]:
        delays = {delivery.retry_delay(attempts, rng) for _ in range(50)}
        assert all(full / 2 <= d <= full for d in delays)
        assert len(delays) > 1  # jittered


def test_the_default_schedule_retries_for_about_a_day(settings):
    """Upper bounds of every delay before the window closes: a day, give or take a delay."""
    total, attempts = 0, 0
    while total <= settings.WEBHOOKS_RETRY_WINDOW_SECONDS:
        attempts += 1
        total += delivery.retry_delay(attempts, random.Random(0))  # noqa: S311
    assert settings.WEBHOOKS_RETRY_WINDOW_SECONDS == 86400
    assert 8 <= attempts <= 20


def test_an_expired_lease_is_reclaimed_and_the_interrupted_attempt_logged():
    with Receiver() as receiver:
        endpoint, event, item = event_for(receiver.url)
        claimed = delivery.claim(item)  # a worker took it, then died before posting
        assert claimed is not None
        assert not delivery.deliver_due()  # still leased
        Delivery.objects.filter(pk=item.pk).update(
            lease_until=timezone.now() - datetime.timedelta(seconds=1)
        )
        assert delivery.deliver_due() == 1
        assert [r.headers["webhook-id"] for r in receiver.received] == [event.webhook_id]
    log = list(Attempt.objects.filter(delivery=item))
    assert [(a.number, a.succeeded) for a in log] == [(1, False), (2, True)]
    assert log[0].error == delivery.INTERRUPTED
    item.refresh_from_db()
    assert item.status == Delivery.Status.SUCCEEDED and item.attempts == 2


def test_an_answer_after_the_lease_was_lost_is_not_recorded_as_the_success():
    with Receiver() as receiver:
        _, _, item = event_for(receiver.url)
        item = Delivery.objects.select_related("event", "endpoint").get(pk=item.pk)
        attempt = delivery.claim(item)
        Delivery.objects.filter(pk=item.pk).update(lease="someone-else")  # taken over
        delivery.send(item, attempt)
    attempt.refresh_from_db()
    assert not attempt.succeeded
    assert attempt.error == delivery.LEASE_LOST
    item.refresh_from_db()
    assert item.status == Delivery.Status.PENDING


def test_two_workers_never_claim_the_same_attempt():
    _, _, item = event_for("http://127.0.0.1:9/hooks")
    first = Delivery.objects.get(pk=item.pk)
    second = Delivery.objects.get(pk=item.pk)
    assert delivery.claim(first) is not None
    assert delivery.claim(second) is None


def test_redeliver_is_one_more_attempt_with_the_same_webhook_id():
    with Receiver() as receiver:
        _, event, item = event_for(receiver.url)
        delivery.deliver_due()
        item.refresh_from_db()
        assert delivery.redeliver(item) is None
        delivery.deliver_due()
        ids = [r.headers["webhook-id"] for r in receiver.received]
    assert ids == [event.webhook_id, event.webhook_id]
    log = list(item.log.all())
    assert [(a.number, a.redelivery, a.succeeded) for a in log] == [
        (1, False, True),
        (2, True, True),
    ]


def test_a_failed_redelivery_is_not_retried():
    with Receiver(then=500):
        _, _, item = event_for("http://127.0.0.1:9/hooks")
    Delivery.objects.filter(pk=item.pk).update(status=Delivery.Status.FAILED)
    item.refresh_from_db()
    assert delivery.redeliver(item) is None
    delivery.deliver_due()  # port 9: refused
    item.refresh_from_db()
    assert item.status == Delivery.Status.FAILED
    assert item.log.get().redelivery


def test_redeliver_refuses_an_inactive_endpoint():
    endpoint, _, item = event_for("http://127.0.0.1:9/hooks")
    Endpoint.objects.filter(pk=endpoint.pk).update(is_active=False)
    item.refresh_from_db()
    assert "not active" in delivery.redeliver(item)


def test_a_rotated_secret_signs_alongside_the_previous_one_during_the_grace_period():
    with Receiver() as receiver:
        endpoint, _, _ = event_for(receiver.url)
        old = endpoint.secret
        new = endpoint.rotate_secret(grace_seconds=3600)
        delivery.deliver_due()
        [request] = receiver.received
    assert len(request.headers["webhook-signature"].split(" ")) == 2
    for secret in (old, new):
        Webhook(secret).verify(request.body.decode(), request.headers)
    assert endpoint.signing_secrets(timezone.now() + datetime.timedelta(hours=2)) == [new]


def test_old_delivered_events_are_pruned(settings):
    _, event, item = event_for("http://127.0.0.1:9/hooks")
    later = timezone.now() + datetime.timedelta(days=settings.WEBHOOKS_RETENTION_DAYS + 1)
    assert delivery.prune(later) == 0  # still pending
    Delivery.objects.filter(pk=item.pk).update(status=Delivery.Status.SUCCEEDED)
    assert delivery.prune(later) == 1
    assert not Event.objects.exists()


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "10.1.2.3",
        "192.168.0.10",
        "169.254.169.254",
        "[::1]",
        "[::ffff:127.0.0.1]",
        "localhost",
        "0.0.0.0",  # noqa: S104 (a target refused, nothing binds)
    ],  # fmt: skip
)
def test_private_targets_are_refused_unless_allowed(host):
    with pytest.raises(transport.Refused, match="not a public address"):
        transport.check_url(f"http://{host}/hooks", allow_private=False)
    answer = transport.post(f"http://{host}:9/hooks", b"{}", {}, 0.5, allow_private=False)
    assert answer.status is None and "not a public address" in answer.error


def test_a_public_address_is_allowed():
    parts, port, address = transport.check_url("https://8.8.8.8/hooks", allow_private=False)
    assert (address, port) == ("8.8.8.8", 443)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://example.com/", "starts with https://"),
        ("https://user:pw@example.com/", "no user name"),
        ("https://example.com:99999/", "port"),
        ("https://no-such-host.invalid/", "does not resolve"),
    ],
)
def test_bad_urls_are_refused_readably(url, message):
    with pytest.raises(transport.Refused, match=message):
        transport.check_url(url, allow_private=False)


def test_the_name_is_resolved_once_and_that_address_connected_to(monkeypatch):
    """No second lookup between the check and the connection (DNS rebinding)."""
    import socket

    lookups = []
    real = socket.getaddrinfo

    def counting(host, *args, **kwargs):
        lookups.append(host)
        return real("127.0.0.1", *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", counting)
    with Receiver() as receiver:
        answer = transport.post(
            f"http://hooks.example.test:{receiver.port}/in", b"{}", {}, 2, allow_private=True
        )
        [request] = receiver.received
    assert answer.status == 200
    assert [host for host in lookups if host != "127.0.0.1"] == ["hooks.example.test"]
    assert request.headers["Host"] == f"hooks.example.test:{receiver.port}"
