"""Settings for the benchmark's gunicorn and its in-process query counts (bench/run.py): the dev
settings with DEBUG off, a database of its own (unless DATABASE_URL is set), no rate limit, and
Wagtail's API v2 mounted for comparison.

BENCH_TASKS=dummy records background tasks without running them (bench/scale.py's load).
BENCH_CACHE chooses the cache: `dummy` (Django's DummyCache: no cache at all, every fact from the
database, for ours and for v2 alike), `locmem` (the default: one per process) or `redis`
(REDIS_URL). API_RESPONSE_CACHE_SECONDS=0 turns the response cache off.
"""

import warnings

from cms.settings.dev import *

# whitenoise warns once per process that no collected static files exist: the API has none
warnings.filterwarnings("ignore", message="No directory at")

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
BENCH_DIR = BASE_DIR / "var" / "bench"
if not os.environ.get("DATABASE_URL"):
    DATABASES = {
        "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": BENCH_DIR / "bench.sqlite3"}
    }
BENCH_CACHE = os.environ.get("BENCH_CACHE", "locmem")
if BENCH_CACHE == "dummy":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
elif BENCH_CACHE == "redis" and not REDIS_URL:
    raise ImproperlyConfigured("BENCH_CACHE=redis needs REDIS_URL.")
# BENCH_TASKS=dummy: tasks are recorded, never run (the scale run loads content first and
# stores every representation in one timed step, `refresh_representations`, after it).
if os.environ.get("BENCH_TASKS") == "dummy":
    TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or BENCH_DIR / "media")
INSTALLED_APPS = [*INSTALLED_APPS, "wagtail.api.v2"]
ROOT_URLCONF = "bench.urls"
API_ANONYMOUS_RATE = "100000000/min"  # measure the API, not the rate limit
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "ERROR"}}
WAGTAILAPI_BASE_URL = API_BASE_URL
WAGTAILAPI_RICH_TEXT_FORMAT = "html"
WAGTAILAPI_LIMIT_MAX = 100
