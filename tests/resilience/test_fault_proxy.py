"""The fault proxy itself, in front of a small echo server: it forwards, hangs and refuses as
the resilience tests need, switching while clients are connected."""

import contextlib
import socket
import threading
import time

import pytest

from tests.resilience.fault_proxy import FaultProxy, proxied_url


@pytest.fixture
def echo():
    """An echo server on a loopback port: (host, port)."""
    server = socket.create_server(("127.0.0.1", 0))
    connections = []

    def serve(conn):
        with conn, contextlib.suppress(OSError):  # the proxy resets it in `refuse`
            while data := conn.recv(65536):
                conn.sendall(data)

    def accept():
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            connections.append(conn)
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    yield server.getsockname()
    server.close()
    for conn in connections:
        conn.close()


@pytest.fixture
def proxy(echo):
    with FaultProxy(echo) as running:
        yield running


def connect(proxy, timeout=2):
    return socket.create_connection(("127.0.0.1", proxy.port), timeout=timeout)


def round_trip(sock, data=b"ping"):
    sock.sendall(data)
    return sock.recv(65536)


def test_forward_relays_both_ways(proxy):
    with connect(proxy) as sock:
        assert round_trip(sock, b"hello") == b"hello"
        assert round_trip(sock, b"x" * 50_000)[:1] == b"x"
    assert proxy.accepted == 1


def test_hang_accepts_and_never_answers_then_resumes(proxy):
    with connect(proxy) as before:
        assert round_trip(before) == b"ping"
        proxy.set_mode("hang")
        before.settimeout(0.5)
        with pytest.raises(TimeoutError):
            round_trip(before, b"stuck")  # an open connection stops answering
        with connect(proxy) as during:  # a new one is accepted...
            during.settimeout(0.5)
            with pytest.raises(TimeoutError):
                round_trip(during, b"new")  # ...and never answered
            proxy.set_mode("forward")
            during.settimeout(2)
            assert during.recv(100) == b"new"  # what waited is relayed once forwarding
        before.settimeout(2)
        assert before.recv(100) == b"stuck"
        assert round_trip(before) == b"ping"


def test_refuse_resets_open_connections_and_refuses_new_ones_then_recovers(proxy):
    port = proxy.port
    with connect(proxy) as before:
        assert round_trip(before) == b"ping"
        proxy.set_mode("refuse")
        with contextlib.suppress(ConnectionResetError):  # reset, or...
            assert round_trip(before) == b""  # ...closed: either way, dropped
    started = time.monotonic()
    with pytest.raises(ConnectionRefusedError):
        connect(proxy)
    assert time.monotonic() - started < 0.5
    proxy.set_mode("forward")
    assert proxy.port == port  # the same address serves again
    with connect(proxy) as after:
        assert round_trip(after) == b"ping"


def test_unknown_mode_is_refused(proxy):
    with pytest.raises(ValueError, match="forward"):
        proxy.set_mode("slow")


def test_proxied_url_keeps_credentials_database_and_query(proxy):
    assert (
        proxied_url("postgres://postgres:pw@127.0.0.1:5432/cms?sslmode=disable", proxy)
        == f"postgres://postgres:pw@127.0.0.1:{proxy.port}/cms?sslmode=disable"
    )
    assert proxied_url("redis://127.0.0.1:6379/14", proxy) == f"redis://127.0.0.1:{proxy.port}/14"
