"""Which addresses webhooks may reach (webhooks/transport.py): an IPv6 address that carries an
IPv4 one is judged by that IPv4 address, from an explicit table rather than `is_global` (whose
answer for these prefixes changes between Python patch releases); at registration (the model,
so the admin form and the CLI) and again at each attempt, after resolving the name."""

import ipaddress
import socket

from django.core.exceptions import ValidationError
from django.urls import reverse

import pytest

from webhooks import transport
from webhooks.models import Endpoint

# (address, the IPv4 address it carries): one of each row of transport.IPV4_IN_IPV6 at least
EMBEDDED = [
    ("64:ff9b::a00:1", "10.0.0.1"),  # NAT64 of 10.0.0.1
    ("64:ff9b::808:808", "8.8.8.8"),
    ("64:ff9b::a9fe:a9fe", "169.254.169.254"),
    ("2002:a9fe:a9fe::", "169.254.169.254"),  # 6to4: bits 16 to 48
    ("2002:808:808:1:2:3:4:5", "8.8.8.8"),  # whatever follows (subnet, interface) aside
    ("2002:7f00:1::1", "127.0.0.1"),
    ("::127.0.0.1", "127.0.0.1"),  # IPv4-compatible
    ("::", "0.0.0.0"),  # noqa: S104 (read out of an address, nothing binds)
    ("::1", "0.0.0.1"),
    ("::8.8.8.8", "8.8.8.8"),
    ("::ffff:10.1.2.3", "10.1.2.3"),  # IPv4-mapped
    ("::ffff:8.8.4.4", "8.8.4.4"),
]
NOT_EMBEDDED = [
    "64:ff9b:1::a9fe:a9fe",  # local-use NAT64: refused outright, not read
    "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo: refused outright
    "2606:4700:4700::1111",
    "2001:db8::1",
    "::1:0:0:1",  # just past ::/96
]
# decided by the table, whatever is_global answers
REFUSED_BY_TABLE = [
    # the addresses of the report, each accepted by Python 3.11's is_global
    "64:ff9b::a00:1",
    "64:ff9b:1::a9fe:a9fe",
    "2002:a9fe:a9fe::",
    "::127.0.0.1",
    # the IPv4 address read out is not public
    "64:ff9b::7f00:1",
    "64:ff9b::a9fe:a9fe",
    "64:ff9b::c0a8:101",
    "2002:a00:1::1",
    "2002:6440:1::",  # 100.64.0.1, carrier-grade NAT
    "::a00:1",
    "::",
    "::1",
    "::ffff:127.0.0.1",
    "::ffff:169.254.169.254",
    # refused outright
    "64:ff9b:1::808:808",  # local-use NAT64, even of a public address
    "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo
    "2001::808:808",
    "3fff::1",  # documentation
    "5f00::1",  # SRv6
    "fec0::1",  # site-local
    "ff0e::1",  # global-scope multicast
]
ALLOWED_BY_TABLE = ["64:ff9b::808:808", "2002:808:808::1", "::ffff:8.8.8.8"]
# decided by is_global, and for IPv4 by REFUSED_IPV4 too
REFUSED_OTHERWISE = [
    "fe80::1",
    "fc00::1",
    "2001:db8::1",
    "0.1.2.3",
    "10.0.0.1",
    "100.64.0.1",
    "224.0.0.1",
    "239.255.255.250",
    "240.0.0.1",
    "255.255.255.255",
]
ALLOWED_OTHERWISE = ["2606:4700:4700::1111", "2a00:1450:4001:800::200e", "8.8.8.8", "1.1.1.1"]


def url_of(address):
    host = f"[{address}]" if ":" in address else address
    return f"http://{host}/hooks"


@pytest.mark.parametrize(("address", "ipv4"), EMBEDDED)
def test_the_ipv4_address_each_prefix_carries_is_read_out(address, ipv4):
    assert transport.embedded_ipv4(ipaddress.IPv6Address(address)) == ipaddress.IPv4Address(ipv4)


@pytest.mark.parametrize("address", NOT_EMBEDDED)
def test_other_ipv6_addresses_carry_none(address):
    assert transport.embedded_ipv4(ipaddress.IPv6Address(address)) is None


def test_every_row_of_the_table_is_tested():
    read = {ipaddress.IPv6Address(address) for address, _ in EMBEDDED}
    for network in transport.IPV4_IN_IPV6:
        assert any(address in network for address in read), network
    refused = [ipaddress.ip_address(a) for a in REFUSED_BY_TABLE + REFUSED_OTHERWISE]
    for network in transport.REFUSED_IPV6 + transport.REFUSED_IPV4:
        assert any(address in network for address in refused), network


@pytest.mark.parametrize("address", REFUSED_BY_TABLE + REFUSED_OTHERWISE)
def test_an_address_that_is_not_public_is_refused(address):
    assert not transport.is_public(ipaddress.ip_address(address))
    with pytest.raises(transport.Refused, match="not a public address"):
        transport.check_url(url_of(address), allow_private=False)


@pytest.mark.parametrize("address", ALLOWED_BY_TABLE + ALLOWED_OTHERWISE)
def test_a_public_address_is_allowed(address):
    assert transport.is_public(ipaddress.ip_address(address))
    _, _, pinned = transport.check_url(url_of(address), allow_private=False)
    assert pinned == str(ipaddress.ip_address(address))


@pytest.mark.parametrize("says", [True, False])
@pytest.mark.parametrize(
    ("address", "public"),
    [(address, False) for address in REFUSED_BY_TABLE]
    + [(address, True) for address in ALLOWED_BY_TABLE],
)
def test_the_table_decides_whatever_is_global_says(monkeypatch, says, address, public):
    """What Python's patch releases changed: is_global's answer for these prefixes."""
    monkeypatch.setattr(ipaddress.IPv6Address, "is_global", property(lambda self: says))
    assert transport.is_public(ipaddress.IPv6Address(address)) is public


@pytest.mark.django_db
@pytest.mark.parametrize("address", REFUSED_BY_TABLE[:4])
def test_registration_refuses_them(address, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    with pytest.raises(ValidationError, match="not a public address"):
        Endpoint(url=url_of(address)).full_clean()


@pytest.mark.django_db
def test_the_admin_form_refuses_a_nat64_address_of_a_private_one(admin_client, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    response = admin_client.post(
        reverse("webhook_endpoints:add"),
        {"url": "http://[64:ff9b::a00:1]/", "description": "NAT64", "is_active": "on"},
    )
    assert "not a public address" in response.content.decode()
    assert not Endpoint.objects.exists()


@pytest.mark.parametrize(
    ("address", "shown"),
    [
        ("64:ff9b::a00:1", "64:ff9b::a00:1 (carrying 10.0.0.1)"),
        ("64:ff9b:1::a9fe:a9fe", "64:ff9b:1::a9fe:a9fe"),
        ("2002:a9fe:a9fe::", "2002:a9fe:a9fe:: (carrying 169.254.169.254)"),
        ("::127.0.0.1", "::7f00:1 (carrying 127.0.0.1)"),
    ],
)
def test_each_attempt_refuses_a_name_that_now_resolves_to_them(address, shown, monkeypatch):
    """Registered while public, then the name changed: the attempt's own lookup refuses it,
    and nothing is connected to."""

    def resolve(host, port, *args, **kwargs):
        return [(socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, port, 0, 0))]

    def connect(*args, **kwargs):
        raise AssertionError("connected to a refused address")

    monkeypatch.setattr(transport.socket, "getaddrinfo", resolve)
    monkeypatch.setattr(transport.socket, "create_connection", connect)
    answer = transport.post("https://hooks.example.org/in", b"{}", {}, 2, allow_private=False)
    assert answer.status is None
    assert f"hooks.example.org resolves to {shown}, which is not a public" in answer.error
