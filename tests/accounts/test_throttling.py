"""Admin sign-in throttling (accounts/throttling.py on django-axes): wrong passwords lock out
one user name from one address, with a readable 429 page; the same user signs in from
elsewhere; the lock lifts. Slower, name-wide: many wrong passwords from many addresses leave
the name signing in only from addresses it used before."""

import datetime

from django.test import Client

import pytest

PASSWORD = "a-right-password-for-ada"
LOAD_BALANCER = "10.0.0.2"  # in API_TRUSTED_PROXIES where a test sets it


@pytest.fixture(autouse=True)
def axes_on(settings):
    settings.AXES_ENABLED = True


@pytest.fixture
def ada(db, django_user_model):
    return django_user_model.objects.create_superuser("ada", "ada@clinic.test", PASSWORD)


def sign_in(password, address="203.0.113.5", client=None, forwarded=None):
    """A sign-in as ada from the peer `address`, with `forwarded` as X-Forwarded-For."""
    client = client or Client()
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return client.post(
        "/admin/login/", {"username": "ada", "password": password}, REMOTE_ADDR=address, **extra
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


def test_the_address_is_read_behind_the_trusted_proxies(ada, settings):
    """Behind a proxy in API_TRUSTED_PROXIES the address is the one it saw, so a client cannot
    dodge the lock by sending its own X-Forwarded-For."""
    settings.API_TRUSTED_PROXIES = ["10.0.0.0/8"]
    for n in range(5):  # from the load balancer: spoofed, then the real one
        sign_in("wrong", address=LOAD_BALANCER, forwarded=f"1.2.3.{n}, 203.0.113.5")
    response = sign_in(PASSWORD, address=LOAD_BALANCER, forwarded="9.9.9.9, 203.0.113.5")
    assert response.status_code == 429


def test_an_untrusted_peer_cannot_replay_a_known_address(ada, freezer, settings):
    """A paused name signs in only from addresses it used before: an attacker reaching the web
    processes directly cannot claim one of them in X-Forwarded-For."""
    settings.API_TRUSTED_PROXIES = ["10.0.0.0/8"]
    desk = {"address": LOAD_BALANCER, "forwarded": "203.0.113.5"}
    assert sign_in(PASSWORD, **desk).status_code == 302  # ada's usual desk, via the proxy
    for n in range(20):  # a spread-out attack through the proxy pauses the name
        guess = sign_in("guess", address=LOAD_BALANCER, forwarded=f"198.51.100.{n // 4}")
        assert guess.status_code == 200, n
        freezer.tick(datetime.timedelta(minutes=1))

    attacker = "192.0.2.44"  # not a trusted proxy: its header is not read
    assert sign_in(PASSWORD, address=attacker, forwarded="203.0.113.5").status_code == 429
    replayed = sign_in(PASSWORD, address=attacker, forwarded=f"{LOAD_BALANCER}, 203.0.113.5")
    assert replayed.status_code == 429
    assert sign_in(PASSWORD, **desk).status_code == 302  # ada herself


def test_an_untrusted_peer_rotating_forwarded_for_is_one_address(ada, settings):
    settings.API_TRUSTED_PROXIES = ["10.0.0.0/8"]
    statuses = [
        sign_in("wrong", address="192.0.2.45", forwarded=f"203.0.113.{n}").status_code
        for n in range(5)
    ]
    assert statuses == [200] * 4 + [429]  # the fifth wrong password locks the pair
    locked = sign_in(PASSWORD, address="192.0.2.45", forwarded="203.0.113.99")
    assert locked.status_code == 429


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
