"""Admin sign-in throttling (accounts/throttling.py on django-axes): wrong passwords lock out
one user name from one address, with a readable 429 page; the same user signs in from
elsewhere; the lock lifts. Slower, name-wide: many wrong passwords from many addresses leave
the name signing in only from addresses it used before."""

import datetime

from django.test import Client

import pytest

PASSWORD = "a-right-password-for-ada"


@pytest.fixture(autouse=True)
def axes_on(settings):
    settings.AXES_ENABLED = True


@pytest.fixture
def ada(db, django_user_model):
    return django_user_model.objects.create_superuser("ada", "ada@clinic.test", PASSWORD)


def sign_in(password, address="203.0.113.5", client=None):
    client = client or Client()
    return client.post(
        "/admin/login/", {"username": "ada", "password": password}, REMOTE_ADDR=address
    )


def test_five_wrong_passwords_lock_the_name_out_from_that_address(ada, freezer):
    client = Client()
    for attempt in range(1, 5):
        response = sign_in("wrong", client=client)
        assert response.status_code == 200, attempt  # the form again, with its error
    response = sign_in("wrong", client=client)
    assert response.status_code == 429
    assert "Too many sign-in attempts" in response.content.decode()
    assert "30 minutes" in response.content.decode()
    assert sign_in(PASSWORD, client=client).status_code == 429  # even the right password

    assert sign_in(PASSWORD, address="198.51.100.7").status_code == 302  # elsewhere: fine

    freezer.tick(datetime.timedelta(minutes=31))
    assert sign_in(PASSWORD).status_code == 302  # the lock has lifted


def test_the_address_is_read_behind_the_configured_proxies(ada, settings):
    """Behind API_NUM_PROXIES proxies the address is the one the outermost proxy saw, so a
    client cannot dodge the lock by sending its own X-Forwarded-For."""
    from rest_framework.settings import api_settings

    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    api_settings.reload()
    try:
        for n in range(5):
            Client().post(
                "/admin/login/",
                {"username": "ada", "password": "wrong"},
                REMOTE_ADDR="10.0.0.2",  # the load balancer
                HTTP_X_FORWARDED_FOR=f"1.2.3.{n}, 203.0.113.5",  # spoofed, then the real one
            )
        response = Client().post(
            "/admin/login/",
            {"username": "ada", "password": PASSWORD},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR="9.9.9.9, 203.0.113.5",
        )
        assert response.status_code == 429
    finally:
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": None}
        api_settings.reload()


def test_a_spread_out_attack_pauses_the_name_except_at_known_addresses(ada, freezer, settings):
    assert sign_in(PASSWORD, address="203.0.113.5").status_code == 302  # ada's usual desk
    assert settings.SIGNIN_USERNAME_FAILURE_LIMIT == 20
    for n in range(20):  # 4 from each of 5 addresses: no pair reaches its limit of 5
        assert sign_in("guess", address=f"198.51.100.{n // 4}").status_code == 200, n
        freezer.tick(datetime.timedelta(minutes=1))

    paused = sign_in(PASSWORD, address="192.0.2.44")  # the right password, a new address
    assert paused.status_code == 429
    assert 'data-locked-out="name"' in paused.content.decode()
    assert "24 hours" in paused.content.decode()
    assert sign_in(PASSWORD, address="203.0.113.5").status_code == 302  # the usual desk: fine

    freezer.tick(datetime.timedelta(hours=24))
    assert sign_in(PASSWORD, address="192.0.2.44").status_code == 302  # the failures aged out


def test_below_the_name_limit_a_new_address_signs_in(ada, freezer):
    for n in range(19):
        sign_in("guess", address=f"198.51.100.{n // 4}")
    assert sign_in(PASSWORD, address="192.0.2.44").status_code == 302


def test_an_administrator_lifts_the_name_wide_pause(ada, freezer, capsys):
    from django.core.management import call_command

    for n in range(20):
        sign_in("guess", address=f"198.51.100.{n // 4}")
    assert sign_in(PASSWORD, address="192.0.2.44").status_code == 429
    call_command("signin_unpause", "ada")
    assert "no longer paused" in capsys.readouterr().out
    assert sign_in(PASSWORD, address="192.0.2.44").status_code == 302
    call_command("signin_unpause", "nobody")
    assert "Nothing to lift" in capsys.readouterr().out
