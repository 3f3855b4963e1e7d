"""The client address (api.http.auth.client_address), which the anonymous rate limit and the admin's
sign-in throttling both read: X-Forwarded-For counts only when the connection comes from a proxy
named in API_TRUSTED_PROXIES, read from the right past the trusted hops. A client reaching the
web processes directly is its own address whatever header it sends."""

from django.test import RequestFactory

import pytest

from api.http.auth import client_address

PATH = "/api/v1/causes/"
PROXY = "10.0.0.2"  # the load balancer, in the trusted 10.0.0.0/8


@pytest.fixture
def behind_proxies(settings):
    settings.API_TRUSTED_PROXIES = ["10.0.0.0/8", "2001:db8:a::/48"]


def address(remote, forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_address(RequestFactory().get("/", **meta))


@pytest.mark.parametrize(
    ("remote", "forwarded", "client"),
    [
        # an untrusted peer is the client, whatever it claims
        ("198.51.100.9", "203.0.113.5", "198.51.100.9"),
        ("198.51.100.9", "10.0.0.3, 203.0.113.5", "198.51.100.9"),
        # through the proxy: the address it saw; what the client wrote further left is ignored
        (PROXY, "203.0.113.5", "203.0.113.5"),
        (PROXY, "1.2.3.4, 203.0.113.5", "203.0.113.5"),
        # two trusted hops (a CDN edge inside the trusted network, then the load balancer)
        (PROXY, "1.2.3.4, 203.0.113.5, 10.9.9.9", "203.0.113.5"),
        # a proxy that appends a port; IPv6 in brackets; an IPv4-mapped peer
        (PROXY, "203.0.113.5:4711", "203.0.113.5"),
        ("2001:db8:a::1", "[2001:db8::77]:4711", "2001:db8::77"),
        ("::ffff:10.0.0.2", "203.0.113.5", "203.0.113.5"),
        ("::ffff:198.51.100.9", None, "198.51.100.9"),
        # the proxy's own request, or a header of trusted hops only: the nearest trusted address
        (PROXY, None, PROXY),
        (PROXY, "", PROXY),
        (PROXY, "10.0.0.7, 10.0.0.8", "10.0.0.7"),
        # a hop that is no address ends the walk at the proxy that forwarded it
        (PROXY, "203.0.113.5, not-an-address", PROXY),
        (PROXY, "x" * 5000, PROXY),
        ("not-an-address", "203.0.113.5", "unknown"),
    ],
)
def test_the_client_address_is_read_only_from_trusted_proxies(
    behind_proxies, remote, forwarded, client
):
    assert address(remote, forwarded) == client


def test_without_trusted_proxies_forwarded_for_is_ignored(settings):
    settings.API_TRUSTED_PROXIES = []
    assert address(PROXY, "203.0.113.5") == PROXY


def get(client, remote, forwarded=None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return client.get(PATH, REMOTE_ADDR=remote, **extra).status_code


def test_a_client_bypassing_the_proxy_is_rate_limited_as_one_client(
    api, client, settings, behind_proxies, freezer
):
    """Before API_TRUSTED_PROXIES (API_NUM_PROXIES=1): 7 x 200 at a limit of 5 a minute."""
    settings.API_ANONYMOUS_RATE = "5/min"
    statuses = [get(client, "198.51.100.9", f"203.0.113.{n}") for n in range(7)]
    assert statuses == [200] * 5 + [429] * 2


def test_through_a_trusted_proxy_each_client_has_its_own_rate(
    api, client, settings, behind_proxies, freezer
):
    settings.API_ANONYMOUS_RATE = "2/min"
    # the proxy appends the address it saw; what the client sent before it changes nothing
    first = [get(client, PROXY, f"1.2.3.{n}, 198.51.100.7") for n in range(3)]
    assert first == [200, 200, 429]
    assert get(client, PROXY, "198.51.100.8") == 200  # another client behind the same proxy
    assert get(client, "198.51.100.7") == 429  # the same client, directly: the same count
