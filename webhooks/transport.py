"""One outbound POST, only to a public address, within one deadline (docs/architecture.md,
"Webhooks").

The host is resolved once; every address it resolves to must be public (`is_public`: an
explicit table for the IPv6 prefixes that carry an IPv4 address, `ipaddress.is_global` for the
rest) unless WEBHOOKS_ALLOW_PRIVATE_TARGETS is on (tests; production settings refuse it); the
connection then goes to that same address (no second lookup, so DNS rebinding cannot swap it),
with the host name kept for the Host header and TLS (SNI and certificate check). The whole
attempt has one deadline (`post`). Redirects are never followed: a 3xx answer is a failed
attempt.
"""

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

EXCERPT_BYTES = 1000
USER_AGENT = "clinic-cms-webhooks/1"


class Refused(Exception):
    """The target may not be reached: the message says why, readably."""


@dataclass
class ReceiverAnswer:
    status: int | None
    excerpt: str
    error: str
    duration_ms: int


# IPv6 prefixes that carry an IPv4 address, each with how many bits lie to the right of it: a
# packet to one reaches that IPv4 address (through a NAT64 gateway, a 6to4 relay or the host's
# own IPv4 stack), so it is exactly as public as the IPv4 address it carries, whatever
# `is_global` says of the prefix (its answer for these changed between Python patch releases).
IPV4_IN_IPV6 = {
    ipaddress.IPv6Network("64:ff9b::/96"): 0,  # NAT64, well-known prefix (RFC 6052): last 32 bits
    ipaddress.IPv6Network("2002::/16"): 80,  # 6to4 (RFC 3056): bits 16 to 48
    ipaddress.IPv6Network("::ffff:0:0/96"): 0,  # IPv4-mapped (RFC 4291): last 32 bits
    ipaddress.IPv6Network("::/96"): 0,  # IPv4-compatible (RFC 4291), :: and ::1 too: last 32
}
# Refused whatever `is_global` answers on this Python: prefixes that hide an IPv4 address where
# the table above cannot read it, and ranges that are never a webhook receiver but that
# `is_global` has not always known.
REFUSED_IPV6 = [
    ipaddress.IPv6Network(prefix)
    for prefix in (
        "64:ff9b:1::/48",  # local-use NAT64 (RFC 8215): the IPv4 bits' place is the site's choice
        "2001::/32",  # Teredo (RFC 4380): carries an obfuscated server and client address
        "3fff::/20",  # documentation (RFC 9637)
        "5f00::/16",  # SRv6 segment identifiers (RFC 9602)
        "fec0::/10",  # site-local, deprecated (RFC 3879)
        "ff00::/8",  # multicast
    )
]
REFUSED_IPV4 = [
    ipaddress.IPv4Network(prefix)
    for prefix in (
        "0.0.0.0/8",  # "this network"
        "100.64.0.0/10",  # shared address space, carrier-grade NAT (RFC 6598)
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, and the broadcast address
    )
]


def embedded_ipv4(address):
    """The IPv4 address an IPv6 `address` carries (IPV4_IN_IPV6), or None (an IPv4 address
    is in no IPv6 network)."""
    for network, right in IPV4_IN_IPV6.items():
        if address in network:
            return ipaddress.IPv4Address((int(address) >> right) & 0xFFFFFFFF)
    return None


def is_public(address):
    """Whether webhooks may go to `address` (an IPv4Address or IPv6Address): an address that
    carries an IPv4 one is judged by that; the refused ranges never are; `is_global` decides
    the rest."""
    if (inner := embedded_ipv4(address)) is not None:
        return is_public(inner)
    refused = REFUSED_IPV6 if address.version == 6 else REFUSED_IPV4
    return address.is_global and not any(address in network for network in refused)


def address_of(host, port, allow_private):
    """The address to connect to for `host`, refusing any name that resolves to an address
    that is not public."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise Refused(f"{host} does not resolve ({error}).") from None
    addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    if not addresses:
        raise Refused(f"{host} does not resolve.")
    if not allow_private:
        for address in addresses:
            refuse_unless_public(host, address)
    return str(addresses[0])


def refuse_unless_public(host, address):
    """Refused unless `address` is public, naming the IPv4 address an IPv6 one carries."""
    if is_public(address):
        return
    inner = embedded_ipv4(address)
    shown = f"{address} (carrying {inner})" if inner is not None else str(address)
    raise Refused(
        f"{host} resolves to {shown}, which is not a public address: webhooks only go to the "
        "internet (WEBHOOKS_ALLOW_PRIVATE_TARGETS is for tests)."
    )


def check_url(url, allow_private):
    """Refused (readable) unless `url` is an http(s) URL whose host may be reached."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Refused("A webhook URL starts with https:// (or http://) and names a host.")
    if parts.username or parts.password:
        raise Refused("A webhook URL carries no user name or password: sign with the secret.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise Refused("The URL's port is not a number from 1 to 65535.") from None
    address = address_of(parts.hostname, port, allow_private)
    return parts, port, address


def time_left(deadline):
    """Seconds until `deadline` (a `time.monotonic()` reading); TimeoutError once it passed."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("the attempt's deadline passed")
    return left


class _Deadline:
    """A socket whose every send and receive waits only for the time left until its
    `deadline`: a socket timeout bounds one operation, so a receiver answering one byte at a
    time would otherwise hold the attempt open for as long as it likes."""

    deadline = 0.0  # set once connected; until then, every operation is already late

    def recv_into(self, *args):
        self.settimeout(time_left(self.deadline))
        return super().recv_into(*args)

    def sendall(self, data):
        view = memoryview(data).cast("B")
        while view:
            self.settimeout(time_left(self.deadline))
            view = view[self.send(view) :]


class _DeadlineSocket(_Deadline, socket.socket):
    pass


class _DeadlineSSLSocket(_Deadline, ssl.SSLSocket):
    pass


def _connect(address, port, deadline):
    """A socket connected to `address` before `deadline`, bound by it from then on."""
    connected = socket.create_connection((address, port), time_left(deadline))
    sock = _DeadlineSocket(fileno=connected.detach())
    sock.deadline = deadline
    sock.settimeout(time_left(deadline))  # a TLS handshake gets what is left, as a whole
    return sock


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, host, port, address, deadline):
        super().__init__(host, port)
        self.address, self.deadline = address, deadline

    def connect(self):
        self.sock = _connect(self.address, self.port, self.deadline)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, host, port, address, deadline):
        context = ssl.create_default_context()
        context.sslsocket_class = _DeadlineSSLSocket
        super().__init__(host, port, context=context)
        self.address, self.deadline = address, deadline

    def connect(self):
        sock = _connect(self.address, self.port, self.deadline)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)
        self.sock.deadline = self.deadline


def post(url, body, headers, timeout, allow_private):
    """POST `body` (bytes) to `url`; never raises for the target's failures: an ReceiverAnswer with
    the status (None when there was no answer), the start of the response, and an error.
    `timeout` bounds the whole attempt: resolving, connecting, sending and reading the status,
    headers and the excerpt all happen within it. (A lookup under way is not interrupted, the
    system resolver's own timeout bounds it, but it leaves that much less for the rest.)"""
    started = time.monotonic()
    deadline = started + timeout

    def answer(status=None, excerpt="", error=""):
        return ReceiverAnswer(
            status, excerpt, error[:300], int((time.monotonic() - started) * 1000)
        )

    try:
        parts, port, address = check_url(url, allow_private)
    except Refused as refused:
        return answer(error=str(refused))
    kind = _PinnedHTTPS if parts.scheme == "https" else _PinnedHTTP
    connection = kind(parts.hostname, port, address, deadline)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request(
            "POST",
            path,
            body=body,
            headers={
                "Content-Type": "application/json",
                "User-Agent": USER_AGENT,
                **headers,
            },
        )
        response = connection.getresponse()
        excerpt = response.read(EXCERPT_BYTES).decode("utf-8", "replace")
        error = "" if 200 <= response.status < 300 else (response.reason or "")
        if 300 <= response.status < 400:
            error = "redirect not followed: point the endpoint at the final URL"
        return answer(response.status, excerpt, error)
    except TimeoutError:
        return answer(error=f"no answer within {timeout:g}s")
    except (OSError, http.client.HTTPException) as error:
        return answer(error=f"{type(error).__name__}: {error}")
    finally:
        connection.close()
