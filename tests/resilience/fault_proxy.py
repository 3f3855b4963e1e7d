"""A TCP proxy on a loopback port in front of a real service (PostgreSQL, Redis), whose mode a
test switches while clients are connected:

- `forward`: relays both ways, like no proxy at all;
- `hang`: a server that accepts and never answers: new connections are accepted and held,
  nothing is relayed either way on any connection (what was sent waits in the socket buffers),
  every socket stays open; back to `forward`, relaying resumes where it stopped;
- `refuse`: a server that is down: the listening socket is closed (a new connection is refused)
  and every open connection is reset.

    with FaultProxy(("127.0.0.1", 5432)) as proxy:
        url = f"postgres://postgres@127.0.0.1:{proxy.port}/db"
        proxy.set_mode("hang")
        ...
        proxy.set_mode("forward")

`set_mode` returns once the listener and every connection act on the new mode.
"""

import contextlib
import select
import socket
import struct
import threading
from urllib.parse import urlsplit

FORWARD, HANG, REFUSE = "forward", "hang", "refuse"
MODES = (FORWARD, HANG, REFUSE)
_CLOSED = "closed"
_TICK = 0.05  # seconds: how soon a thread notices a new mode


def _reset(sock):
    """Close `sock` with a TCP reset, as a crashed server's kernel would."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


class FaultProxy:
    def __init__(self, upstream, host="127.0.0.1", port=0):
        self.upstream = tuple(upstream)
        self.host = host
        self.port = port
        self.accepted = 0  # connections accepted so far
        self._mode = FORWARD
        self._generation = 0
        self._seen = {}  # thread → the last mode generation it acted on
        self._state = threading.Condition()
        self._listener = None
        self._threads = []

    # -- control ---------------------------------------------------------------------------

    def start(self):
        self._listen()
        self._spawn(self._accept_loop, "fault-proxy-accept")
        return self

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def mode(self):
        return self._mode

    def set_mode(self, mode, timeout=5):
        """Switch to `mode`; return once every thread of the proxy has acted on it."""
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
        self._switch(mode, timeout)

    def stop(self):
        self._switch(_CLOSED, timeout=5)
        for thread in self._threads:
            thread.join(timeout=5)

    def _switch(self, mode, timeout):
        with self._state:
            self._mode = mode
            self._generation += 1
            generation = self._generation
            self._state.notify_all()
            done = self._state.wait_for(
                lambda: all(seen >= generation for seen in self._seen.values()), timeout
            )
        if not done:
            raise TimeoutError(f"the fault proxy did not switch to {mode} within {timeout} s")

    # -- threads ---------------------------------------------------------------------------

    def _spawn(self, target, name, *args):
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)
        with self._state:
            self._seen[thread] = self._generation
            self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()

    def _current(self, block):
        """(mode, generation) the calling thread is to act on now; it calls `_acted` once it
        has. With `block`, while the mode is `hang` it acknowledges and waits for another (the
        thread relays nothing meanwhile)."""
        with self._state:
            while block and self._mode == HANG:
                self._acted(self._generation)
                self._state.wait()
            return self._mode, self._generation

    def _acted(self, generation):
        """The calling thread now acts on the mode of `generation`: `set_mode` may return."""
        with self._state:
            self._seen[threading.current_thread()] = generation
            self._state.notify_all()

    def _leave(self):
        with self._state:
            self._seen.pop(threading.current_thread(), None)
            self._state.notify_all()

    def _listen(self):
        # SO_REUSEADDR (create_server's default here): the port can be bound again after
        # `refuse`, while connections it reset linger in TIME_WAIT.
        self._listener = socket.create_server((self.host, self.port))
        self.port = self._listener.getsockname()[1]

    def _accept_loop(self):
        try:
            while True:
                mode, generation = self._current(block=False)
                if mode in (REFUSE, _CLOSED):
                    if self._listener is not None:
                        self._listener.close()
                        self._listener = None
                    if mode == _CLOSED:
                        return
                    self._acted(generation)
                    with self._state:
                        self._state.wait(_TICK)
                    continue
                if self._listener is None:
                    self._listen()
                self._acted(generation)
                ready, _, _ = select.select([self._listener], [], [], _TICK)
                if ready:
                    client, _ = self._listener.accept()
                    self.accepted += 1
                    self._spawn(self._relay, "fault-proxy-relay", client)
        finally:
            if self._listener is not None:
                self._listener.close()
                self._listener = None
            self._leave()

    def _relay(self, client):
        upstream = None
        try:
            while True:
                mode, generation = self._current(block=True)
                if mode in (REFUSE, _CLOSED):
                    return  # acknowledged by leaving, once both sockets are reset
                if upstream is None:  # accepted while hanging: connect once forwarding
                    try:
                        upstream = socket.create_connection(self.upstream, timeout=5)
                    except OSError:
                        return
                    upstream.settimeout(None)
                self._acted(generation)
                if not self._pump(client, upstream):
                    return
        finally:
            _reset(client)
            if upstream is not None:
                _reset(upstream)
            self._leave()

    @staticmethod
    def _pump(client, upstream):
        """Relay what is ready, waiting a tick at most; False once either side has closed."""
        ready, _, _ = select.select([client, upstream], [], [], _TICK)
        for source in ready:
            target = upstream if source is client else client
            try:
                data = source.recv(65536)
                if not data:
                    return False
                target.sendall(data)
            except OSError:
                return False
        return True


def proxied_url(url, proxy):
    """`url` (postgres://..., redis://...) with its host and port replaced by the proxy's."""
    parts = urlsplit(url)
    credentials = parts.netloc.rpartition("@")[0]
    netloc = f"{credentials}@" if credentials else ""
    return parts._replace(netloc=f"{netloc}{proxy.host}:{proxy.port}").geturl()
