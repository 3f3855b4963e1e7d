"""Django's PostgreSQL backend, with the client-side bounds of cms/database.py:

- no new connection once the thread's deadline has passed, nor while the circuit breaker is
  open (the database failed to connect moments ago): an OperationalError at once;
- a failed connection attempt opens the breaker, a successful one closes it;
- the health check (`SELECT 1` before reusing a connection) waits DB_CONNECT_TIMEOUT at most;
- `abort()`, called by the deadline watchdog from its own thread, shuts the connection's
  socket down so whatever waits on it fails at once. It shares a lock with `close()`, so it
  never touches a socket number the owning thread has closed (and the system may have reused).
"""

import os
import socket
import threading

from django.conf import settings
from django.db.backends.postgresql import base

from cms.database import breaker, deadlines


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._socket_lock = threading.Lock()

    def get_new_connection(self, conn_params):
        left = deadlines.remaining()
        if left is not None and left <= 0:
            raise self.Database.OperationalError(
                "This request has used up its time for the database; not connecting again."
            )
        if not breaker.allow():
            raise self.Database.OperationalError(
                "The database was unreachable moments ago; not connecting until the next try."
            )
        try:
            connection = super().get_new_connection(conn_params)
        except self.Database.OperationalError as error:
            breaker.failed(error)
            raise
        breaker.succeeded()
        return connection

    def is_usable(self):
        with deadlines.limit(settings.DB_CONNECT_TIMEOUT, "The connection health check"):
            return super().is_usable()

    def close(self):
        with self._socket_lock:
            super().close()

    def abort(self):
        """From another thread: cut the connection off. True if a socket was shut down, False
        if there was none, None if the owner was closing it just then (try again)."""
        if not self._socket_lock.acquire(timeout=0.1):
            return None
        try:
            connection = self.connection
            if connection is None or connection.closed:
                return False
            descriptor = connection.pgconn.socket
            with socket.socket(fileno=os.dup(descriptor)) as duplicate:
                duplicate.shutdown(socket.SHUT_RDWR)
            return True
        except (OSError, self.Database.Error):
            return False
        finally:
            self._socket_lock.release()
