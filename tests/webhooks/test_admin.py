"""The webhooks admin: endpoints (the secret shown once, rotation), the delivery log with each
attempt and "redeliver", and failing endpoints flagged on the dashboard."""

from django.urls import reverse

import pytest

from tests.webhooks.receiver import Receiver
from webhooks import delivery, outbox
from webhooks.models import Delivery, Endpoint

pytestmark = pytest.mark.django_db


def form(**fields):
    return {
        "url": "http://127.0.0.1:8123/in",
        "description": "Website",
        "is_active": "on",
        **fields,
    }


def html(client, name, *args):
    return client.get(reverse(name, args=args)).content.decode()


def test_creating_an_endpoint_shows_its_secret_once(admin_client):
    response = admin_client.post(
        reverse("webhook_endpoints:add"), form(events=["page.published", "page.unpublished"])
    )
    assert response.status_code == 200
    endpoint = Endpoint.objects.get()
    assert endpoint.events == ["page.published", "page.unpublished"]
    page = response.content.decode()
    assert endpoint.secret in page and "not shown again" in page
    assert (
        endpoint.secret not in admin_client.get(reverse("webhook_endpoints:index")).content.decode()
    )
    edit = admin_client.get(reverse("webhook_endpoints:edit", args=[endpoint.pk])).content.decode()
    assert endpoint.secret not in edit
    assert reverse("webhook_endpoints:rotate", args=[endpoint.pk]) in edit


def test_a_bad_endpoint_gets_readable_errors_and_is_not_saved(admin_client, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    response = admin_client.post(
        reverse("webhook_endpoints:add"), form(url="http://169.254.169.254/latest/")
    )
    assert response.status_code == 200
    assert "not a public address" in response.content.decode()
    response = admin_client.post(reverse("webhook_endpoints:add"), form(events=["page.exploded"]))
    assert "page.exploded" in response.content.decode()  # not one of the available choices
    assert not Endpoint.objects.exists()


def test_rotating_shows_the_new_secret_and_keeps_the_old_one_signing(admin_client):
    endpoint = Endpoint.objects.create(url="http://127.0.0.1:8123/in")
    old = endpoint.secret
    url = reverse("webhook_endpoints:rotate", args=[endpoint.pk])
    assert "keeps signing" in admin_client.get(url).content.decode()
    assert Endpoint.objects.get().secret == old  # a GET changes nothing
    response = admin_client.post(url)
    endpoint.refresh_from_db()
    assert endpoint.secret != old and endpoint.previous_secret == old
    assert endpoint.secret in response.content.decode()


def test_the_delivery_log_shows_each_attempt_and_redelivers(admin_client, settings):
    settings.WEBHOOKS_TIMEOUT_SECONDS = 0.5
    with Receiver(plan=[500]) as receiver:
        endpoint = Endpoint.objects.create(url=receiver.url)
        outbox.emit([("page.published", {"id": 7, "slug": "neuropathic-pain"})])
        delivery.deliver_due()
        item = Delivery.objects.get()
        index = admin_client.get(reverse("webhook_deliveries:index")).content.decode()
        assert "page.published" in index and "Pending" in index
        assert reverse("webhook_deliveries:add") not in index  # a log: nothing to add
        inspect_url = reverse("webhook_deliveries:inspect", args=[item.pk])
        page = admin_client.get(inspect_url).content.decode()
        assert "500 Internal Server Error" in page and "answer 500" in page
        assert item.event.webhook_id in page

        response = admin_client.post(reverse("webhook_deliveries:redeliver", args=[item.pk]))
        assert response.status_code == 302
        delivery.deliver_due()
        assert [r.headers["webhook-id"] for r in receiver.received] == [item.event.webhook_id] * 2
    page = admin_client.get(inspect_url).content.decode()
    assert "200 delivered" in page
    assert admin_client.get(reverse("webhook_deliveries:edit", args=[item.pk])).status_code in (
        302,
        403,
    )
    assert endpoint.deliveries.get().status == Delivery.Status.SUCCEEDED


def test_redeliver_is_a_post(admin_client):
    Endpoint.objects.create(url="http://127.0.0.1:8123/in")
    outbox.emit([("page.published", {"id": 7})])
    item = Delivery.objects.get()
    assert admin_client.get(
        reverse("webhook_deliveries:redeliver", args=[item.pk])
    ).status_code in (
        302,
        403,
    )


def test_failing_endpoints_are_flagged_on_the_dashboard(admin_client):
    endpoint = Endpoint.objects.create(url="http://127.0.0.1:8123/in", description="Website")
    assert "Failing webhook endpoints" not in html(admin_client, "wagtailadmin_home")
    Endpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=3)
    page = html(admin_client, "wagtailadmin_home")
    assert "Failing webhook endpoints" in page and "3 failed attempts in a row" in page
    Endpoint.objects.filter(pk=endpoint.pk).update(
        consecutive_failures=0, is_active=False, disabled_reason="Disabled: 410 Gone"
    )
    assert "410 Gone" in html(admin_client, "wagtailadmin_home")
    # ticking active again clears the flag
    endpoint.refresh_from_db()
    endpoint.is_active = True
    endpoint.save()
    assert "Failing webhook endpoints" not in html(admin_client, "wagtailadmin_home")
