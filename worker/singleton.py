"""Work that one worker at a time may do, however many run.

`exclusively(name, seconds)` tells this process whether it holds the duty `name`: a worker that
does not skips it this round. On PostgreSQL it is a session advisory lock
(pg_try_advisory_lock), released at the end of the block, or by the server when the process's
connection ends (a killed worker holds nothing); `seconds` is not used there, so a connection
pooler in transaction mode (PgBouncer's) must not sit between the worker and the database. On
other databases (SQLite) it is a lease row (worker.models.DutyLease) taken by an atomic
UPDATE ... WHERE leased_until < now, which a killed worker keeps until `seconds` have passed:
`seconds` must outlast the duty.

`lock_for_transaction(namespace, ids)` serializes work on the same items across processes:
transaction-level advisory locks on PostgreSQL, released at commit or rollback; nothing on
SQLite, which runs one writing transaction at a time anyway.
"""

import datetime
import hashlib
import secrets
from contextlib import contextmanager

from django.db import DatabaseError, connection
from django.utils import timezone

from worker.models import DutyLease

PREFIX = "cms.worker:"


def key64(name):
    """A stable signed 64-bit advisory lock key for `name`."""
    digest = hashlib.blake2b(f"{PREFIX}{name}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def key32(name):
    """A stable signed 32-bit key for `name` (the namespace of two-key advisory locks, which
    never collide with the one-key locks above)."""
    digest = hashlib.blake2b(f"{PREFIX}{name}".encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big", signed=True)


@contextmanager
def exclusively(name, seconds):
    """Yield whether this process holds the duty `name` (for at most `seconds` where leases
    stand in for advisory locks); release it afterwards."""
    if connection.vendor == "postgresql":
        with _advisory(name) as held:
            yield held
    else:
        with _leased(name, seconds) as held:
            yield held


@contextmanager
def _advisory(name):
    key = key64(name)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        held = cursor.fetchone()[0]
    try:
        yield held
    finally:
        if held:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
            except DatabaseError:  # the connection broke: the server released the lock with it
                connection.close()


@contextmanager
def _leased(name, seconds):
    now = timezone.now()
    free = now - datetime.timedelta(seconds=1)  # free even to a clock that stands still (tests)
    token = secrets.token_hex(16)
    DutyLease.objects.get_or_create(name=name, defaults={"leased_until": free})
    held = bool(
        DutyLease.objects.filter(name=name, leased_until__lt=now).update(
            holder=token, leased_until=now + datetime.timedelta(seconds=seconds)
        )
    )
    try:
        yield held
    finally:
        if held:
            DutyLease.objects.filter(name=name, holder=token).update(leased_until=free)


def lock_for_transaction(namespace, ids):
    """Wait for, then hold until the current transaction ends, a lock on each of `ids`
    (integers) in `namespace` (a name), taken in ascending order so that two transactions
    locking overlapping sets never deadlock. PostgreSQL only; elsewhere nothing."""
    if connection.vendor != "postgresql" or not ids:
        return
    if not connection.in_atomic_block:
        raise RuntimeError("lock_for_transaction() needs a transaction: inside atomic()")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_advisory_xact_lock(%s, id)) FROM unnest(%s::integer[]) AS id",
            [key32(namespace), sorted(set(ids))],
        )
