"""`manage.py webhooks add|list|rotate|remove`."""

import io

from django.core.management import call_command
from django.core.management.base import CommandError

import pytest
from standardwebhooks.webhooks import Webhook

from webhooks import signing
from webhooks.models import Endpoint

pytestmark = pytest.mark.django_db


def run(*args):
    out = io.StringIO()
    call_command("webhooks", *args, stdout=out)
    return out.getvalue()


def test_add_prints_the_id_and_a_secret_receivers_can_verify_with():
    out = run(
        "add", "--url", "http://127.0.0.1:8123/in", "--events", "page.published,page.unpublished"
    )
    endpoint = Endpoint.objects.get()
    assert f"endpoint {endpoint.pk}" in out
    assert endpoint.secret in out.splitlines()
    assert endpoint.secret.startswith("whsec_") and signing.check_secret(endpoint.secret) is None
    Webhook(endpoint.secret)  # a Standard Webhooks library takes it
    assert endpoint.events == ["page.published", "page.unpublished"]


def test_add_takes_a_given_secret():
    secret = signing.new_secret()
    run("add", "--url", "http://127.0.0.1:8123/in", "--secret", secret)
    assert Endpoint.objects.get().secret == secret


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--url", "http://127.0.0.1:1/", "--events", "page.exploded"], "Unknown event type"),
        (["--url", "not a url"], "--url"),
        (["--url", "http://127.0.0.1:1/", "--secret", "hunter2"], "whsec_"),
        (["--url", "http://127.0.0.1:1/", "--secret", "whsec_" + "A" * 16], "whsec_"),
    ],
)
def test_add_refuses_bad_input_readably(args, message):
    with pytest.raises(CommandError, match=message):
        run("add", *args)
    assert not Endpoint.objects.exists()


def test_add_refuses_a_private_target_in_production_mode(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    with pytest.raises(CommandError, match="not a public address"):
        run("add", "--url", "http://169.254.169.254/latest/")


def test_list_rotate_and_remove():
    assert "No webhook endpoints" in run("list")
    run("add", "--url", "http://127.0.0.1:8123/in", "--description", "Website")
    endpoint = Endpoint.objects.get()
    assert f"{endpoint.pk}\thttp://127.0.0.1:8123/in\tevery event\tactive" in run("list")
    old = endpoint.secret
    out = run("rotate", str(endpoint.pk))
    endpoint.refresh_from_db()
    assert endpoint.secret != old and endpoint.secret in out
    assert endpoint.previous_secret == old
    assert "Removed" in run("remove", str(endpoint.pk))
    assert not Endpoint.objects.exists()
    with pytest.raises(CommandError, match="No webhook endpoint has the id"):
        run("remove", str(endpoint.pk))
