"""Real HTTP receivers on 127.0.0.1 for webhook tests: `Receiver` answers each request as its
plan says (a status, optionally after a delay) and records what it received; `Trickler` answers
one byte at a time, never letting a read wait long."""

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes
    at: float = field(default_factory=time.monotonic)


class _Serving:
    """A server on a free loopback port, answering from a thread inside `with`; over TLS
    when given a server-side `ssl.SSLContext`."""

    def serve(self, handler, tls=None):
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        scheme = "https" if tls else "http"
        self.url = f"{scheme}://127.0.0.1:{self.port}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


class Receiver(_Serving):
    """`plan`: answers for the first requests, each a status or (status, seconds to wait
    first); later requests get `then`."""

    def __init__(self, plan=(), then=200, tls=None):
        self.plan, self.then = list(plan), then
        self.received = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.lock:
                    receiver.received.append(Received(self.path, dict(self.headers), body))
                    answer = receiver.plan.pop(0) if receiver.plan else receiver.then
                status, wait = answer if isinstance(answer, tuple) else (answer, 0)
                if wait:
                    time.sleep(wait)
                try:
                    self.send_response(status)
                    if 300 <= status < 400:
                        self.send_header("Location", "http://127.0.0.1:9/elsewhere")
                    self.send_header("Content-Type", "text/plain")
                    self.end_headers()
                    self.wfile.write(f"answer {status}".encode())
                except OSError:
                    pass  # the sender gave up waiting

            def log_message(self, *args):
                pass

        self.serve(Handler, tls)

    def wait_for(self, count, seconds=10):
        deadline = time.monotonic() + seconds
        while len(self.received) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(self.received)} of {count} requests arrived")
            time.sleep(0.02)
        return self.received


class Trickler(_Serving):
    """Answers `200 OK` one byte every `interval` seconds: each read gets a byte in time, so
    only a deadline on the whole attempt cuts it off. `sent` counts the bytes written."""

    ANSWER = b"HTTP/1.1 200 OK\r\n\r\nslow"

    def __init__(self, interval=0.5, tls=None):
        self.sent = 0
        trickler = self

        class Handler(BaseHTTPRequestHandler):
            disable_nagle_algorithm = True

            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                try:
                    for byte in trickler.ANSWER:
                        self.wfile.write(bytes([byte]))
                        trickler.sent += 1
                        time.sleep(interval)
                except OSError:
                    pass  # the sender hung up
                self.close_connection = True

            def log_message(self, *args):
                pass

        self.serve(Handler, tls)
