"""Bounded waits on the database: a PostgreSQL that hangs or refuses costs each request a few
seconds at most, never a hung worker.

PostgreSQL enforces `statement_timeout` itself, so a server that accepts and never answers
ignores it; psycopg 3 has no client-side query timeout, and Django's connection health check
hangs like any query. Four client-side bounds (settings in cms/settings/base.py):

- `connect_timeout` (DB_CONNECT_TIMEOUT): a new connection waits this long at most;
- a deadline per request (DB_REQUEST_DEADLINE, API_DB_REQUEST_DEADLINE), kept by one watchdog
  thread per process: when a request passes it, the watchdog shuts down the sockets of that
  thread's database connections, so whatever waits on them fails at once (OperationalError),
  and no new connection is opened for that request (cms/postgresql/base.py). Nested limits
  (`deadlines.limit`) keep the earliest;
- a circuit breaker (cms/breaker.py, DB_RETRY_SECONDS): after a connection attempt fails, new
  connections are refused at once for a pause, then one is tried again;
- `/readyz/` checks the database in a helper thread and answers within READYZ_TIMEOUT.

A database error that reaches a view or middleware answers 503 (problem+json under /api/, a
readable HTML page elsewhere) with `Retry-After`, not 500 (api/http/problems.py).
"""

import logging
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import contextmanager

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, connections

from cms.breaker import CircuitBreaker

logger = logging.getLogger(__name__)

# What a database that is down, hung or cut off raises (a statement_timeout too).
DATABASE_ERRORS = (OperationalError, InterfaceError)

breaker = CircuitBreaker("The database", pause=getattr(settings, "DB_RETRY_SECONDS", 5), log=logger)


class _Limit:
    __slots__ = ("deadline", "label", "wrappers", "fired")

    def __init__(self, deadline, label, wrappers):
        self.deadline = deadline
        self.label = label
        self.wrappers = wrappers
        self.fired = False


class Deadlines:
    """Per thread, the moment its database waits must end; a watchdog thread keeps them."""

    def __init__(self):
        self._state = threading.Condition()
        self._limits = {}  # thread ident → _Limit
        self._wake_at = float("inf")  # when the watchdog wakes next, unless woken sooner
        self._watchdog = None
        self._pid = None

    @contextmanager
    def limit(self, seconds, label=""):
        """Within the block, the calling thread's database waits end `seconds` from now (or
        at an enclosing limit's deadline, if that is earlier)."""
        ident = threading.get_ident()
        deadline = time.monotonic() + seconds
        with self._state:
            outer = self._limits.get(ident)
            if outer is not None and outer.deadline <= deadline:
                inner = None
            else:
                # Each thread has its own connection objects: named now, in this thread.
                inner = _Limit(deadline, label, [connections[alias] for alias in connections])
                self._limits[ident] = inner
                self._start_watchdog()
                if deadline < self._wake_at:  # else it wakes in time anyway
                    self._state.notify()
        try:
            yield
        finally:
            if inner is not None:
                with self._state:
                    if outer is None:
                        self._limits.pop(ident, None)
                    else:
                        self._limits[ident] = outer

    def remaining(self):
        """Seconds left before the calling thread's deadline (negative once passed), or None
        outside any limit."""
        found = self._limits.get(threading.get_ident())
        return None if found is None else found.deadline - time.monotonic()

    def _start_watchdog(self):
        if self._watchdog is None or self._pid != os.getpid() or not self._watchdog.is_alive():
            self._pid = os.getpid()  # a forked worker starts its own
            self._watchdog = threading.Thread(
                target=self._watch, name="database-deadlines", daemon=True
            )
            self._watchdog.start()

    def _watch(self):
        while True:
            with self._state:
                now = time.monotonic()
                due = [
                    limit
                    for limit in self._limits.values()
                    if not limit.fired and limit.deadline <= now
                ]
                if not due:
                    waiting = [lim.deadline for lim in self._limits.values() if not lim.fired]
                    self._wake_at = min(waiting, default=float("inf"))
                    self._state.wait(self._wake_at - now if waiting else None)
                    continue
                # Under the lock: a request cannot end meanwhile and its thread go on to the
                # next one, whose connection (the same objects) must be left alone.
                for limit in due:
                    self._expire(limit)

    def _expire(self, limit):
        limit.fired = True
        for wrapper in limit.wrappers:
            abort = getattr(wrapper, "abort", None)  # cms/postgresql/base.py
            result = abort() if abort else False
            if result is None:  # its owner was closing it just then: look again shortly
                limit.fired = False
                limit.deadline += 0.05
            elif result:
                logger.warning(
                    "%s passed its database deadline: its connection was cut off.", limit.label
                )


deadlines = Deadlines()


def request_deadline(request):
    """Seconds a request may wait on the database in all."""
    from api.http.problems import is_api_path

    if is_api_path(request.path):
        return settings.API_DB_REQUEST_DEADLINE
    return settings.DB_REQUEST_DEADLINE


class DatabaseDeadlineMiddleware:
    """First in MIDDLEWARE: the request's database deadline spans every other middleware and
    the view. A database error raised by a view answers 503 (problem+json under /api/)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with deadlines.limit(request_deadline(request), f"{request.method} {request.path}"):
            return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_ERRORS):
            from api.http.problems import service_unavailable

            return service_unavailable(request)
        return None


# /readyz/: the check runs in a helper thread, so a hung database costs a probe READYZ_TIMEOUT
# at most; while one check is under way, later probes wait for it rather than start another.
_checker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="readyz")
_check_lock = threading.Lock()
_check = None


def _select_one():
    # Bounded like a request; the connection is closed after each check, so the helper
    # thread holds none between probes (and a test database can be dropped).
    try:
        limit = deadlines.limit(settings.API_DB_REQUEST_DEADLINE, "The readiness check")
        with limit, connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    finally:
        connection.close()


def database_ready(timeout=None):
    """Does the database answer `SELECT 1` within `timeout` (READYZ_TIMEOUT) seconds? Raises
    the database error, or TimeoutError when it did not answer in time."""
    global _check
    with _check_lock:
        if _check is None or _check.done():
            _check = _checker.submit(_select_one)
        check = _check
    try:
        check.result(timeout=settings.READYZ_TIMEOUT if timeout is None else timeout)
    except FutureTimeout:
        raise TimeoutError("the database did not answer in time") from None
