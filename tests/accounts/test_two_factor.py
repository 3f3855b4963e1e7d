"""Two-factor sign-in (accounts/): enrolment from the account page, a code after the password,
single-use recovery codes, throttled wrong codes, and the roles that must use it."""

import datetime
import re

from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_factor

PASSWORD = "pw"


@pytest.fixture
def required(settings):
    settings.TWO_FACTOR_REQUIRED_GROUPS = ["Medical reviewers", "Administrators"]


def code_of(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def signed_in(user):
    client = Client()
    response = client.post("/admin/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content[:500]
    return client


def enrol(user, freezer=None):
    """Enrol `user` through the pages, as they would; returns (device, recovery codes)."""
    client = signed_in(user)
    page = client.get(reverse("two_factor_setup"))
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(reverse("two_factor_setup"), {"code": code_of(device)})
    assert response.status_code == 200
    codes = re.findall(r"<li><code>([a-z0-9]+)</code></li>", response.content.decode())
    if freezer:
        freezer.tick(datetime.timedelta(seconds=30))  # the next code: one code signs in once
    return TOTPDevice.objects.get(pk=device.pk), codes


def test_a_user_without_it_signs_in_with_a_password_where_it_is_optional(editor):
    client = signed_in(editor)
    assert client.get("/admin/").status_code == 200
    assert two_factor.is_required(editor) is False


def test_a_required_role_must_enrol_before_the_admin_shows_anything(required, reviewer, freezer):
    client = signed_in(reviewer)
    for path in ("/admin/", "/admin/pages/", "/admin/snippets/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(reverse("two_factor_setup")), path
    # A POST elsewhere is turned away before it reaches the view.
    assert client.post("/admin/pages/2/edit/", {"title": "x"}).status_code == 302
    page = client.get(reverse("two_factor_setup")).content.decode()
    assert "Your role requires a second factor" in page
    assert "<svg" in page and "data-secret" in page

    wrong = client.post(reverse("two_factor_setup"), {"code": "000000"})
    assert "That code is not right" in wrong.content.decode()
    assert client.get("/admin/").status_code == 302  # still not enrolled

    freezer.tick(datetime.timedelta(seconds=2))  # past the first wrong code's wait
    device = TOTPDevice.objects.get(user=reviewer, confirmed=False)
    done = client.post(reverse("two_factor_setup"), {"code": code_of(device)})
    codes = re.findall(r"<li><code>([a-z0-9]+)</code></li>", done.content.decode())
    assert len(codes) == 10 and len(set(codes)) == 10
    assert "no-store" in done["Cache-Control"]
    assert client.get("/admin/").status_code == 200  # this session is verified
    assert two_factor.is_enrolled(reviewer)


def test_after_the_password_the_admin_asks_for_a_code(reviewer, freezer):
    device, _ = enrol(reviewer, freezer)
    client = signed_in(reviewer)
    response = client.get("/admin/pages/")
    assert response.status_code == 302
    assert response["Location"] == reverse("two_factor_verify") + "?next=%2Fadmin%2Fpages%2F"
    # The admin's own JSON is not reachable either; the code page's own assets are.
    assert client.get("/admin/api/main/pages/").status_code == 302
    assert client.get("/admin/sprite/").status_code == 200
    assert client.get("/admin/jsi18n/").status_code == 200

    refused = client.post(reverse("two_factor_verify"), {"code": "123456", "next": "/admin/pages/"})
    assert "That code is not right" in refused.content.decode()
    freezer.tick(datetime.timedelta(seconds=2))
    accepted = client.post(
        reverse("two_factor_verify"), {"code": code_of(device), "next": "/admin/pages/"}
    )
    assert accepted.status_code == 302 and accepted["Location"] == "/admin/pages/"
    assert client.get("/admin/pages/").status_code == 200


def test_the_same_code_does_not_sign_in_twice(reviewer, freezer):
    device, _ = enrol(reviewer, freezer)
    first, second = signed_in(reviewer), signed_in(reviewer)
    code = code_of(device)
    assert first.post(reverse("two_factor_verify"), {"code": code}).status_code == 302
    replay = second.post(reverse("two_factor_verify"), {"code": code})
    assert replay.status_code == 200
    assert second.get("/admin/").status_code == 302


def test_wrong_codes_are_throttled_even_when_the_next_one_is_right(reviewer, freezer):
    device, _ = enrol(reviewer, freezer)
    client = signed_in(reviewer)
    for _ in range(3):
        client.post(reverse("two_factor_verify"), {"code": "000000"})
        freezer.tick(datetime.timedelta(seconds=0.1))
    # Three failures in a row: the next code waits at least 4 s, right or not.
    response = client.post(reverse("two_factor_verify"), {"code": code_of(device)})
    body = response.content.decode()
    assert "Too many wrong codes: wait" in body, body
    assert client.get("/admin/").status_code == 302
    freezer.tick(datetime.timedelta(seconds=31))
    response = client.post(reverse("two_factor_verify"), {"code": code_of(device)})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_a_recovery_code_signs_in_once(reviewer, freezer):
    _, codes = enrol(reviewer, freezer)
    client = signed_in(reviewer)
    typed = codes[0].upper()[:4] + " " + codes[0][4:]  # as a person might type it
    response = client.post(reverse("two_factor_verify"), {"code": typed})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
    assert StaticToken.objects.filter(device__user=reviewer).count() == 9

    freezer.tick(datetime.timedelta(seconds=5))
    again = signed_in(reviewer).post(reverse("two_factor_verify"), {"code": codes[0]})
    assert again.status_code == 200 and "not right" in again.content.decode()


def test_new_recovery_codes_replace_the_old_ones(reviewer, freezer):
    device, old = enrol(reviewer, freezer)
    client = signed_in(reviewer)
    client.post(reverse("two_factor_verify"), {"code": code_of(device)})
    response = client.post(reverse("two_factor_recovery"))
    new = re.findall(r"<li><code>([a-z0-9]+)</code></li>", response.content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    stored = StaticToken.objects.filter(device__user=reviewer).values_list("token", flat=True)
    assert set(stored) == set(new)


def test_the_account_page_links_to_it_and_shows_the_state(editor, freezer):
    client = signed_in(editor)
    account = client.get(reverse("wagtailadmin_account")).content.decode()
    assert reverse("two_factor") in account and "Two-factor sign-in" in account
    assert 'data-status="off"' in client.get(reverse("two_factor")).content.decode()
    device, _ = enrol(editor, freezer)
    client = signed_in(editor)
    client.post(reverse("two_factor_verify"), {"code": code_of(device)})
    assert 'data-status="on"' in client.get(reverse("two_factor")).content.decode()
    client.post(reverse("two_factor_turn_off"))
    assert not two_factor.is_enrolled(editor)
    assert signed_in(editor).get("/admin/").status_code == 200  # the password alone again


def test_a_required_role_cannot_turn_it_off(required, reviewer, freezer):
    device, _ = enrol(reviewer, freezer)
    client = signed_in(reviewer)
    client.post(reverse("two_factor_verify"), {"code": code_of(device)})
    response = client.post(reverse("two_factor_turn_off"), follow=True)
    assert "cannot be turned off" in response.content.decode()
    assert two_factor.is_enrolled(reviewer)


def test_the_next_address_never_leaves_the_admin(reviewer, freezer):
    device, _ = enrol(reviewer, freezer)
    client = signed_in(reviewer)
    response = client.post(
        reverse("two_factor_verify"), {"code": code_of(device), "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("wagtailadmin_home")


def test_the_api_is_not_affected(required, reviewer, seeded):
    client = signed_in(reviewer)
    assert client.get("/api/v1/conditions/").status_code == 200


def test_an_administrator_resets_it_from_the_command_line(required, reviewer, freezer, capsys):
    enrol(reviewer, freezer)
    call_command("two_factor_reset", "reviewer")
    assert not two_factor.is_enrolled(reviewer)
    assert "set it up again at their next sign-in" in capsys.readouterr().out
    with pytest.raises(CommandError, match="No user is named 'nobody'"):
        call_command("two_factor_reset", "nobody")
