"""gunicorn's settings, read from the working directory by every `gunicorn` this project starts
(the Dockerfile, docker-compose.yml, the tests, the benchmark). Command-line flags still win."""

import os

# The longest request line gunicorn allows. Every request the OpenAPI document calls valid fits
# (a 500-character `path` of 4-byte characters, percent-encoded, is 6,000 bytes); longer ones get
# gunicorn's own 414, documented in the schema.
limit_request_line = 8190

# Threads per worker process (gthread): a request waiting on a database or cache that hangs
# holds one thread, not the whole process, so /healthz/ and cached answers are still served
# meanwhile (while fewer than `threads` requests of the process wait at once). Every such wait
# is bounded (cms/database.py, api/serving/redis_cache.py); gthread workers heartbeat from their
# main thread, so gunicorn never kills a worker for a request that waits.
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
