"""The circuit breaker (cms/breaker.py): one failure opens it, one trial after each pause, an
outage logged when it starts and when it ends, safe across threads."""

import logging
import threading

import pytest

from cms.breaker import CircuitBreaker


@pytest.fixture
def breaker():
    return CircuitBreaker("The thing", pause=60, log=logging.getLogger("tests.breaker"))


def messages(caplog):
    return [r.getMessage() for r in caplog.records if r.name == "tests.breaker"]


def test_closed_it_allows_every_call(breaker):
    assert all(breaker.allow() for _ in range(100))
    assert not breaker.is_open and not breaker.refusing


def test_a_failure_opens_it_until_the_pause_is_over_then_one_trial(breaker, caplog):
    breaker.failed(ConnectionError("refused"))
    assert breaker.is_open and breaker.refusing
    assert not any(breaker.allow() for _ in range(10))
    breaker._retry_at = 0  # the pause is over
    assert not breaker.refusing
    assert breaker.allow()  # the trial
    assert breaker.refusing and not breaker.allow()  # only one at a time
    breaker.failed(TimeoutError("again"))  # the trial failed: another pause
    assert breaker.refusing
    breaker._retry_at = 0
    assert breaker.allow()
    breaker.succeeded()
    assert not breaker.is_open and breaker.allow()
    logged = messages(caplog)
    assert len(logged) == 2, logged
    assert logged[0] == (
        "The thing is unreachable (ConnectionError: refused): carrying on without it, trying "
        "again every 60 s."
    )
    assert logged[1].startswith("The thing is reachable again after")
    assert logged[1].endswith("; 13 calls failed or were skipped meanwhile.")


def test_a_trial_that_never_reports_is_replaced_after_a_pause(breaker):
    breaker.failed(OSError("down"))
    breaker._retry_at = 0
    assert breaker.allow()
    breaker._trial_until = 0  # that trial has taken a whole pause
    assert breaker.allow()


def test_many_threads_failing_at_once_log_one_line_and_get_one_trial(breaker, caplog):
    start = threading.Barrier(16)

    def fail():
        start.wait()
        breaker.failed(ConnectionError("refused"))

    threads = [threading.Thread(target=fail) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(messages(caplog)) == 1

    breaker._retry_at = 0
    allowed = []
    start = threading.Barrier(16)

    def ask():
        start.wait()
        allowed.append(breaker.allow())

    threads = [threading.Thread(target=ask) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert allowed.count(True) == 1


def test_success_while_closed_logs_nothing(breaker, caplog):
    breaker.succeeded()
    assert messages(caplog) == []
