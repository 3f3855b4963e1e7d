"""A circuit breaker: after a dependency fails, stop calling it for a pause, then let one call
try again. One per dependency per process, shared by every thread.

    breaker = CircuitBreaker("Redis", pause=5)
    if breaker.allow():
        try:
            value = call()
        except ConnectionError as error:
            breaker.failed(error)
        else:
            breaker.succeeded()

Closed (the normal state), every call is allowed. The first failure opens it: calls are refused
(counted, not made) for `pause` seconds; after that the next caller, and only that one, is
allowed as a trial while the others are still refused. The trial's success closes the breaker,
its failure opens it for another pause. So a dependency that hangs costs a wait once when it
goes, then once per pause per process, never once per call.

An outage is logged twice, at most: when it starts (the error) and when it ends (how long it
lasted, how many calls failed or were refused meanwhile): never a line, let alone a traceback,
per call.
"""

import logging
import threading
import time

logger = logging.getLogger(__name__)


class CircuitBreaker:
    def __init__(self, name, pause, log=logger):
        """`name` names the dependency in the log; `pause`: seconds between trials."""
        self.name = name
        self.pause = pause
        self.log = log
        self._lock = threading.Lock()
        self._opened_at = None  # monotonic time of the failure that opened it; None: closed
        self._retry_at = 0.0  # when the next trial may start
        self._trial_until = None  # a trial is under way until then (a stuck one is replaced)
        self._misses = 0  # calls failed or refused during this outage

    @property
    def is_open(self):
        """Is the dependency down (calls refused or on trial)?"""
        return self._opened_at is not None

    @property
    def refusing(self):
        """Would a call be refused now? (Open, and its pause not over or a trial under way.)
        Asks without taking the trial."""
        return self._opened_at is not None and not self._trial_due(time.monotonic())

    def _trial_due(self, now):
        """Is the pause over, with no trial under way (or one that has taken too long)?"""
        trial_free = self._trial_until is None or now >= self._trial_until
        return now >= self._retry_at and trial_free

    def allow(self):
        """May the caller call the dependency now? False: it must not, and carry on without."""
        if self._opened_at is None:  # the normal case, without taking the lock
            return True
        with self._lock:
            if self._opened_at is None:
                return True
            now = time.monotonic()
            if self._trial_due(now):
                self._trial_until = now + self.pause
                return True
            self._misses += 1
            return False

    def failed(self, error):
        """The call failed because the dependency is unreachable (or too slow)."""
        with self._lock:
            now = time.monotonic()
            self._retry_at = now + self.pause
            self._trial_until = None
            self._misses += 1
            if self._opened_at is not None:
                return
            self._opened_at = now
        self.log.warning(
            "%s is unreachable (%s: %s): carrying on without it, trying again every %g s.",
            self.name,
            type(error).__name__,
            str(error).splitlines()[0] if str(error) else "",
            self.pause,
        )

    def succeeded(self):
        """The call reached the dependency (whatever it answered)."""
        if self._opened_at is None:
            return
        with self._lock:
            if self._opened_at is None:
                return
            lasted = time.monotonic() - self._opened_at
            misses = self._misses
            self._opened_at, self._trial_until, self._misses = None, None, 0
        self.log.warning(
            "%s is reachable again after %.1f s; %d calls failed or were skipped meanwhile.",
            self.name,
            lasted,
            misses,
        )

    def reset(self):
        """Closed again, without a log line (tests)."""
        with self._lock:
            self._opened_at, self._trial_until, self._misses = None, None, 0
