"""Test settings: fast password hashing, local memory cache unless REDIS_URL is set, inline tasks.

Tests that need deferred or retried work switch to the database tasks backend themselves
(the immediate backend cannot defer).
"""

from urllib.parse import urlsplit

from .base import *

DEBUG = False
SECRET_KEY = "test-only-insecure-secret-key"
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
API_REFRESH_TASK_SECONDS = 0  # inline tasks: a refresh finishes what it starts
# Suites fire hundreds of requests a minute from one address; tests/api/test_auth.py lowers it.
API_ANONYMOUS_RATE = "100000/min"
# Off unless a test turns it on (tests/api/test_response_cache.py): test transactions never
# commit, so the purges that run on commit would never run.
API_RESPONSE_CACHE_SECONDS = 0
WEBSITE_BASE_URL = "https://www.example-clinic.test"
API_BASE_URL = "https://api.example-clinic.test"
WAGTAILADMIN_BASE_URL = API_BASE_URL
MEDIA_ROOT = BASE_DIR / "var" / "test-media"
WORKER_HEARTBEAT_FILE = BASE_DIR / "var" / "test-worker-heartbeat"
if REDIS_URL:
    CACHES["default"]["KEY_PREFIX"] = f"cms-test-{os.getpid()}"
    # Tests clear the cache (FLUSHDB): under pytest-xdist each worker gets its own database.
    _worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if _worker.startswith("gw"):
        _url = urlsplit(REDIS_URL)
        CACHES["default"]["LOCATION"] = _url._replace(path=f"/{1 + int(_worker[2:]) % 15}").geturl()
# A loaded CI machine can take seconds over a request; the deadline would cut the test's own
# connection (and its transaction) off. tests/cms/test_database.py sets it where it is tested.
API_DB_REQUEST_DEADLINE = DB_REQUEST_DEADLINE = 120
WHITENOISE_AUTOREFRESH = True
WEBHOOKS_ALLOW_PRIVATE_TARGETS = True  # receivers listen on 127.0.0.1
GENERATED_IMAGE_SIZE = (480, 270)  # generated content's heroes: small, so renditions are quick
# client.login() passes no request, which django-axes needs: tests/accounts/test_throttling.py
# (and tests/browser/test_admin_flow.py) turn it on to sign in through the admin's form.
AXES_ENABLED = False
