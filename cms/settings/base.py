"""Settings shared by every environment. Everything deployment-specific comes from the environment.

Environment variables (all optional here; production.py makes some mandatory):
    DATABASE_URL      database URL (dj-database-url); default: SQLite file db.sqlite3 in the project
    REDIS_URL         shared cache and throttling in Redis; default: local memory (one process)
    WEBSITE_BASE_URL  public origin of the website, used for every `url` the API returns
    API_BASE_URL      public origin of this service, used for `api_url`, feeds and admin links
    MEDIA_ROOT        folder for uploaded media when no object storage is configured
    AWS_STORAGE_BUCKET_NAME  switches media to S3-compatible object storage (django-storages)
"""

import datetime
import ipaddress
import os
import re
import tempfile
import zoneinfo
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from wagtail.embeds.oembed_providers import vimeo, youtube

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_list(name, default=""):
    """A comma-separated environment variable as a list of non-empty, stripped strings."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_seconds(name, default, minimum, maximum):
    """A number of seconds from the environment, refused at start outside [minimum, maximum]."""
    value = os.environ.get(name, default)
    try:
        seconds = float(value)
    except ValueError:
        seconds = None
    if seconds is None or not minimum <= seconds <= maximum:
        raise ImproperlyConfigured(
            f"{name}={value!r}: give a number of seconds from {minimum:g} to {maximum:g}."
        )
    return seconds


SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "pages",
    "shapes",
    "api",
    "webhooks",
    "worker",
    "wagtail.contrib.redirects",
    "wagtail.contrib.simple_translation",
    "wagtail.locales",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_tasks",
    "django_tasks_db",
    "rest_framework",
    "corsheaders",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "accounts",
    "csp",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "cms.database.DatabaseDeadlineMiddleware",  # first: the deadline spans everything else
    "django.middleware.security.SecurityMiddleware",
    "corsheaders.middleware.CorsMiddleware",  # before anything that could answer first
    "api.http.problems.ProblemDetailsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified(): a code was entered
    "accounts.middleware.TwoFactorMiddleware",  # the admin asks for it (accounts/two_factor.py)
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "accounts.middleware.ContentSecurityPolicyMiddleware",  # django-csp's, skipping /api/
    "api.http.cache_headers.ApiCachingMiddleware",
    "axes.middleware.AxesMiddleware",  # last: it answers a locked-out sign-in
]
AUTHENTICATION_BACKENDS = [
    "accounts.throttling.SignInThrottle",  # refuses a sign-in while it is paused (an AxesBackend)
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "cms.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

WSGI_APPLICATION = "cms.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Every wait on the database is bounded on this side (cms/database.py): PostgreSQL enforces
# statement_timeout itself, so a server that accepts and never answers ignores it, and
# psycopg 3 has no client-side query timeout. In seconds:
# - DB_CONNECT_TIMEOUT (default 2, a whole number from 2: psycopg's minimum): a new
#   connection, and the health check before a connection is reused, wait this long at most.
# - DB_STATEMENT_TIMEOUT (default 30; 0: none): the server cancels a query running longer,
#   for a slow server (PostgreSQL only; raise it, or 0, for a long migration).
# - API_DB_REQUEST_DEADLINE (default 5) for /api/ and /readyz/'s check, DB_REQUEST_DEADLINE
#   (default 30, the admin and everything else): a request's database waits end this long
#   after it began: a watchdog thread cuts its connections off (closes their sockets) and it
#   opens no new one, so it answers 503. A request waits at most its deadline plus
#   DB_CONNECT_TIMEOUT (a connection attempt begun just before the deadline).
# - DB_RETRY_SECONDS (default 5): after a connection attempt fails, each process refuses new
#   connections at once for this long, then tries one (a circuit breaker, cms/breaker.py);
#   also the `Retry-After` of the 503s a database outage answers.
# - READYZ_TIMEOUT (default 1): /readyz/ answers 503 when the database has not answered its
#   check within this long.
DB_CONNECT_TIMEOUT = int(env_seconds("DB_CONNECT_TIMEOUT", "2", 2, 60))
DB_STATEMENT_TIMEOUT = env_seconds("DB_STATEMENT_TIMEOUT", "30", 0, 3600)
API_DB_REQUEST_DEADLINE = env_seconds("API_DB_REQUEST_DEADLINE", "5", 0.5, 300)
DB_REQUEST_DEADLINE = env_seconds("DB_REQUEST_DEADLINE", "30", 0.5, 3600)
DB_RETRY_SECONDS = env_seconds("DB_RETRY_SECONDS", "5", 0.1, 300)
READYZ_TIMEOUT = env_seconds("READYZ_TIMEOUT", "1", 0.1, 10)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["ENGINE"] = "cms.postgresql"  # Django's, with the bounds above
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options.setdefault("connect_timeout", DB_CONNECT_TIMEOUT)
    if DB_STATEMENT_TIMEOUT:
        _statement_timeout = f"-c statement_timeout={int(DB_STATEMENT_TIMEOUT * 1000)}"
        _options["options"] = f"{_options.get('options', '')} {_statement_timeout}".strip()

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            # RedisCache that logs and carries on when Redis is unreachable
            # (api/serving/redis_cache.py)
            "BACKEND": "api.serving.redis_cache.TolerantRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "cms"),
            "TIMEOUT": 300,
            # A Redis that hangs instead of refusing costs a cache call this long at most
            # (seconds: connecting, then each read or write), then counts as a miss; the
            # circuit breaker (api/serving/redis_cache.py) then stops calling it for
            # REDIS_RETRY_SECONDS.
            "OPTIONS": {
                "socket_connect_timeout": env_seconds("REDIS_CONNECT_TIMEOUT", "0.5", 0.01, 5),
                "socket_timeout": env_seconds("REDIS_SOCKET_TIMEOUT", "0.5", 0.01, 5),
            },
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "cms-default",
            # cached API responses and their purge counters (api/serving/response_cache.py)
            "OPTIONS": {"MAX_ENTRIES": 20_000},
        }
    }

# After a failed cache call each process stops calling Redis for this long (seconds), then
# lets one call try again: a Redis that hangs costs a request one wait at most, and the outage
# is logged once when it starts and once when it ends (api/serving/redis_cache.py).
REDIS_RETRY_SECONDS = env_seconds("REDIS_RETRY_SECONDS", "5", 0.1, 300)

# Background work: django-tasks jobs are stored in the database and run by `manage.py run_worker`.
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.backend.DatabaseBackend",
        "ENQUEUE_ON_COMMIT": True,
    }
}
# The worker's leases (worker/leases.py). A task runs under a lease of
# WORKER_TASK_LEASE_SECONDS (default 60), renewed every third of it while the task runs; a task
# whose lease expired lost its worker (killed, out of memory) and is queued again by the next
# round of any worker, so it runs again within about this long plus a round. After
# WORKER_TASK_MAX_ATTEMPTS (default 3) attempts cut short that way it is marked failed, logged
# and shown on the admin's dashboard. A task that raises is failed at once, never retried.
# Once-a-round duties (scheduled publishing, review status, catch-up, pruning) run in one
# worker at a time (worker/singleton.py): under a PostgreSQL advisory lock, which a killed
# worker's connection releases at once; on SQLite under a lease row that a killed worker keeps
# for WORKER_DUTY_LEASE_SECONDS (default 600): longer than any duty takes.
WORKER_TASK_LEASE_SECONDS = float(os.environ.get("WORKER_TASK_LEASE_SECONDS", "60"))
WORKER_TASK_MAX_ATTEMPTS = int(os.environ.get("WORKER_TASK_MAX_ATTEMPTS", "3"))
WORKER_DUTY_LEASE_SECONDS = float(os.environ.get("WORKER_DUTY_LEASE_SECONDS", "600"))
if WORKER_TASK_LEASE_SECONDS < 1 or WORKER_TASK_MAX_ATTEMPTS < 1 or WORKER_DUTY_LEASE_SECONDS < 1:
    raise ImproperlyConfigured(
        "WORKER_TASK_LEASE_SECONDS, WORKER_TASK_MAX_ATTEMPTS and WORKER_DUTY_LEASE_SECONDS must "
        "be 1 or more."
    )

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Content languages (CONTENT_LANGUAGES, comma-separated codes Django knows): the first is the
# default, what every door speaks when none is asked for. Adding one is this setting plus
# content: migrate creates its Wagtail locale (pages/translations.py), editors translate.
CONTENT_LANGUAGES = env_list("CONTENT_LANGUAGES", "en,es")


def _content_languages(codes):
    from django.conf.locale import LANG_INFO

    unknown = [code for code in codes if code not in LANG_INFO]
    if not codes or unknown or len(set(codes)) != len(codes):
        raise ImproperlyConfigured(
            "CONTENT_LANGUAGES must list distinct language codes Django knows, the default "
            f"first (e.g. 'en,es'); got {','.join(codes)!r}"
            + (f": unknown {', '.join(unknown)}" if unknown else "")
        )
    return [(code, LANG_INFO[code]["name"]) for code in codes]


WAGTAIL_CONTENT_LANGUAGES = LANGUAGES = _content_languages(CONTENT_LANGUAGES)
LANGUAGE_CODE = CONTENT_LANGUAGES[0]
WAGTAIL_I18N_ENABLED = True
# The project's own message catalogue: what the email's templates say around the content
# (headings, labels) in each content language (`make messages` extracts and compiles it).
LOCALE_PATHS = [BASE_DIR / "locale"]

# What a channel answers in another language than the default, per channel (api/http/locales.py):
# where an item has no public translation, "default" serves the default language's item marked
# as a fallback (`requested_locale`, `fallback: true`) and "404" answers not found; an outdated
# translation (its source was published again since its review) is served marked
# `translation_status: "outdated"` ("serve") or falls back like a missing one ("default").
# TRANSLATION_FALLBACK_WEB / _APP / _EMAIL: "<missing>,<outdated>", e.g. "404,default". Email
# (an item's email, a campaign's items and feed) leaves a missing translation out by default: an
# English item in a Spanish email reads as a mistake to the patient who gets it.
TRANSLATION_FALLBACK_CHOICES = {"missing": ("default", "404"), "outdated": ("serve", "default")}


def _translation_fallback(channel, default):
    name = f"TRANSLATION_FALLBACK_{channel.upper()}"
    value = env_list(name, default)
    if len(value) != 2 or any(
        choice not in choices
        for choice, choices in zip(value, TRANSLATION_FALLBACK_CHOICES.values(), strict=True)
    ):
        raise ImproperlyConfigured(
            f"{name} must be '<missing>,<outdated>', <missing> one of default, 404 and "
            f"<outdated> one of serve, default (e.g. 'default,serve'); got {','.join(value)!r}"
        )
    return dict(zip(TRANSLATION_FALLBACK_CHOICES, value, strict=True))


TRANSLATION_FALLBACK = {
    "web": _translation_fallback("web", "default,serve"),
    "app": _translation_fallback("app", "default,serve"),
    "email": _translation_fallback("email", "404,serve"),
}
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
# The time zones an admin user may pick: the IANA region names and UTC. Not the whole system
# list: Debian's has "localtime" and "Factory", which the admin's JavaScript cannot localise
# (a console error on the account page).
WAGTAIL_USER_TIME_ZONES = ["UTC"] + sorted(
    name
    for name in zoneinfo.available_timezones()
    if "/" in name and not name.startswith(("posix/", "right/", "Etc/", "SystemV/"))
)

STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "static"))
STATIC_URL = "/static/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = os.environ.get("MEDIA_URL", "/media/")

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
if AWS_STORAGE_BUCKET_NAME:
    # Object storage for media (S3, MinIO, R2...); credentials come from the usual AWS_* variables.
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage"}
    AWS_S3_ENDPOINT_URL = os.environ.get("AWS_S3_ENDPOINT_URL") or None
    AWS_S3_CUSTOM_DOMAIN = os.environ.get("AWS_S3_CUSTOM_DOMAIN") or None
    AWS_QUERYSTRING_AUTH = False
    AWS_DEFAULT_ACL = None

DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# Public origins: URLs in API responses come from here, never from the request's Host header.
WEBSITE_BASE_URL = os.environ.get("WEBSITE_BASE_URL", "http://localhost:3000").rstrip("/")
API_BASE_URL = os.environ.get("API_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

WAGTAIL_SITE_NAME = os.environ.get("WAGTAIL_SITE_NAME", "Kalypso Wellness Centers")
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", API_BASE_URL)
# Search (pages/search.py): the database backend on SQLite and PostgreSQL alike. Stemming is
# done in Python per language (pages/stemming.py), so PostgreSQL's configuration is "simple"
# (no stemming of its own, whatever the cluster's default): the index holds words and stems.
# Elasticsearch or OpenSearch is the scale-out path: a backend here, then update_index.
WAGTAILSEARCH_BACKENDS = {
    "default": {"BACKEND": "wagtail.search.backends.database", "SEARCH_CONFIG": "simple"}
}
WAGTAILREDIRECTS_AUTO_CREATE = True
WAGTAILIMAGES_FORMAT_CONVERSIONS = {"avif": "webp", "bmp": "png", "webp": "webp"}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "rtf", "txt", "xlsx"]
# A replaced image keeps its old file and renditions' files (pages/media.py).
WAGTAILIMAGES_IMAGE_FORM_BASE = "pages.media.ImageForm"
# Documents are private unless public content links to them or they sit in one of these
# collections (names, comma-separated; their sub-collections too): pages/media.py.
PUBLIC_DOCUMENT_COLLECTIONS = env_list("PUBLIC_DOCUMENT_COLLECTIONS")
# Every document goes through that rule: served by the application, never a redirect to the
# storage's own URL (with object storage, keep the bucket private).
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAIL_ALLOW_UNICODE_SLUGS = False

# The proxies in front of the web processes (load balancer, the stack's nginx, a CDN):
# addresses or networks, comma-separated. X-Forwarded-For is read only when the connection comes
# from one of them, from the right, skipping their own hops (api.http.auth.client_address); from any
# other peer the peer is the client, whatever it sends. Unset: X-Forwarded-For is ignored.
API_TRUSTED_PROXIES = env_list("API_TRUSTED_PROXIES")
for _proxy in API_TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy)
    except ValueError as _error:
        raise ImproperlyConfigured(
            f"API_TRUSTED_PROXIES: {_proxy!r} is not an address or a network ({_error}); "
            "e.g. API_TRUSTED_PROXIES=10.0.0.0/8,172.16.0.0/12"
        ) from None
if os.environ.get("API_NUM_PROXIES"):
    raise ImproperlyConfigured(
        "API_NUM_PROXIES is no longer read: a count of proxies lets a client that reaches the web "
        "processes directly pick its own address with X-Forwarded-For. Name the proxies' "
        "addresses or networks in API_TRUSTED_PROXIES instead (e.g. 10.0.0.0/8), and unset "
        "API_NUM_PROXIES."
    )
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["api.http.renderers.ORJSONRenderer"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "api.http.renderers.ContentNegotiation",
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.http.auth.ApiKeyAuthentication"],
    "DEFAULT_THROTTLE_CLASSES": ["api.http.auth.ConsumerRateThrottle"],
    "DEFAULT_PERMISSION_CLASSES": ["api.http.auth.KeyRequiredWhenConfigured"],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_METADATA_CLASS": None,  # OPTIONS is not part of this read-only API: 405
    "EXCEPTION_HANDLER": "api.http.problems.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Clinic medical content API",
    "DESCRIPTION": "Conditions, causes, treatments and therapies for the website, app and email.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "SERVERS": [{"url": API_BASE_URL}],
    "PREPROCESSING_HOOKS": ["api.http.schema.only_public_api"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "shapes.schema.postprocess_channels",
        "shapes.schema.postprocess_full_items",
    ],
    "ENUM_NAME_OVERRIDES": {
        "ReviewStatusEnum": "shapes.schema.REVIEW_STATUSES",  # the model's values
        "ItemTypeEnum": "shapes.registry.ITEM_TYPE_NAMES",  # filled as types register
        "LanguageEnum": "shapes.schema.LANGUAGES",  # an item's locale, the locale asked for
    },
}


# Rate limits (api/http/auth.py): per client address without a key, per key with one.
def _rate(name, default):
    value = os.environ.get(name, default)
    if not re.fullmatch(r"[1-9][0-9]*/(s|sec|second|m|min|minute|h|hour|d|day)", value):
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a rate: use requests per period, e.g. 600/min or 10/s."
        )
    return value


API_ANONYMOUS_RATE = _rate("API_ANONYMOUS_RATE", "600/min")
API_KEY_RATE = _rate("API_KEY_RATE", "6000/min")
# Browsers, CDNs and Braze/Klaviyo fetchers may keep an API response this long.
API_CACHE_CONTROL = os.environ.get(
    "API_CACHE_CONTROL", "public, max-age=60, s-maxage=300, stale-while-revalidate=60"
)
# A refresh task (api/record/changes.py) works this long, then queues the rest as a new task.
API_REFRESH_TASK_SECONDS = float(os.environ.get("API_REFRESH_TASK_SECONDS", "20"))
# Delta sync (api/channels/sync.py): how long tombstones of removed items are kept. A client that
# has not synced for longer must sync again from scratch (410).
API_SYNC_TOMBSTONE_DAYS = int(os.environ.get("API_SYNC_TOMBSTONE_DAYS", "90"))
if API_SYNC_TOMBSTONE_DAYS < 1:
    raise ImproperlyConfigured("API_SYNC_TOMBSTONE_DAYS must be a whole number of days, 1 or more.")
# Whole API responses kept in the cache above (Redis in production), purged by surrogate key
# when what they show changes (api/serving/response_cache.py); 0 turns the response cache off. Off
# by default without Redis: a purge in one process (a manage.py command beside `runserver`) never
# reaches another's local memory, which would keep showing an unpublished page.
API_RESPONSE_CACHE_SECONDS = int(
    os.environ.get("API_RESPONSE_CACHE_SECONDS", "300" if REDIS_URL else "0")
)
# While the database is unreachable, an API key read from it less than this long ago (seconds)
# is still accepted, so key holders keep getting cached answers; it is also the longest a
# revoked key can still be accepted, when the revocation could not clear the shared cache and
# the database is unreachable (api/http/auth.py).
API_KEY_OUTAGE_SECONDS = int(env_seconds("API_KEY_OUTAGE_SECONDS", "3600", 0, 7 * 86400))
# Every request needs an API key (401 without one); responses become `Cache-Control: private`.
API_REQUIRE_KEY = env_bool("API_REQUIRE_KEY", False)
# Campaigns only for keys with the `campaigns` scope (api/http/auth.py).
CAMPAIGNS_REQUIRE_KEY = env_bool("CAMPAIGNS_REQUIRE_KEY", False)
# Medical governance (pages/governance.py): an approval publishes the revision reviewed and
# records the review; the next review falls due this many months later.
WAGTAIL_FINISH_WORKFLOW_ACTION = "pages.governance.publish_reviewed"
# While an object is in review only the approval publishes it (pages.governance.
# check_publication); the one publication allowed meanwhile, a schedule falling due, must not
# cancel a review of a later draft.
WAGTAIL_WORKFLOW_CANCEL_ON_PUBLISH = False
# The admin calls nobody: no update check, no Gravatar (it would send reviewers' email hashes).
WAGTAIL_ENABLE_UPDATE_CHECK = False
# Embeds only from these providers (an allowlist: any other URL is refused in the editor).
WAGTAILEMBEDS_FINDERS = [
    {
        "class": "wagtail.embeds.finders.oembed",
        "providers": [youtube, vimeo],
    }
]
WAGTAIL_GRAVATAR_PROVIDER_URL = None
MEDICAL_REVIEW_INTERVAL_MONTHS = int(os.environ.get("MEDICAL_REVIEW_INTERVAL_MONTHS", "12"))
# Headless preview (api/channels/preview_tokens.py): the longest a preview token lives, and each
# channel's preview screen, opened from the admin with the token ({token}), as
# wagtail-headless-preview does.
PREVIEW_TOKEN_MAX_SECONDS = int(os.environ.get("PREVIEW_TOKEN_MAX_SECONDS", str(24 * 3600)))
PREVIEW_URLS = {
    channel: url
    for channel, url in {
        "web": os.environ.get("PREVIEW_URL_WEB", ""),
        "app": os.environ.get("PREVIEW_URL_APP", ""),
    }.items()
    if url
}
# Dotted path of an api.serving.response_cache.SurrogateKeyPurger subclass for the CDN in front
# (empty: no CDN purge).
API_CDN_PURGER = os.environ.get("API_CDN_PURGER", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # One line per index job otherwise: only problems are worth showing.
        "django_tasks": {"level": "WARNING"},
        # two lines per round otherwise ("Starting worker...", "No more tasks to run...")
        "django_tasks_db": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
    },
}

# The file `run_worker` writes as each round begins and `manage.py worker_health` reads (the
# worker's health check, docker-compose.yml): one per worker on a machine.
WORKER_HEARTBEAT_FILE = Path(
    os.environ.get("WORKER_HEARTBEAT_FILE")
    or Path(tempfile.gettempdir()) / "clinic-cms-worker-heartbeat"
)

# Webhooks (webhooks/): WEBHOOKS_TIMEOUT_SECONDS is each attempt's total deadline, not a limit
# per socket read: resolving the host, connecting, the TLS handshake, sending, and reading the
# status, headers and start of the answer all fit in it (every socket operation waits only for
# what is left, so a receiver trickling a byte at a time is cut off at the deadline; a lookup
# already under way is bounded by the system resolver's own timeout). The lease an attempt holds
# a delivery for must outlast that deadline by more than 5 s (`manage.py check`, webhooks.E001),
# so no second worker attempts a delivery still in flight, while a worker killed mid-attempt is
# taken over once it expires. Retries double from the base delay up to the maximum, with
# jitter, until the window after the event has passed (about a day); a rotated secret's
# predecessor signs too during the grace period.
WEBHOOKS_TIMEOUT_SECONDS = float(os.environ.get("WEBHOOKS_TIMEOUT_SECONDS", "15"))
WEBHOOKS_LEASE_SECONDS = float(os.environ.get("WEBHOOKS_LEASE_SECONDS", "60"))
WEBHOOKS_RETRY_BASE_SECONDS = float(os.environ.get("WEBHOOKS_RETRY_BASE_SECONDS", "60"))
WEBHOOKS_RETRY_MAX_DELAY_SECONDS = float(
    os.environ.get("WEBHOOKS_RETRY_MAX_DELAY_SECONDS", str(6 * 3600))
)
WEBHOOKS_RETRY_WINDOW_SECONDS = float(os.environ.get("WEBHOOKS_RETRY_WINDOW_SECONDS", str(86400)))
WEBHOOKS_ROTATION_GRACE_SECONDS = int(os.environ.get("WEBHOOKS_ROTATION_GRACE_SECONDS", "86400"))
WEBHOOKS_RETENTION_DAYS = int(os.environ.get("WEBHOOKS_RETENTION_DAYS", "30"))
# Only globally routable targets (webhooks/transport.py); tests post to 127.0.0.1.
WEBHOOKS_ALLOW_PRIVATE_TARGETS = env_bool("WEBHOOKS_ALLOW_PRIVATE_TARGETS", False)

# CORS (django-cors-headers), for the API only: the origins allowed to read it from a browser
# (comma-separated, e.g. https://www.clinic.example). Never with credentials: keys are sent
# by servers and apps, not by browsers on behalf of a signed-in user.
CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS")
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_HEADERS = ["accept", "authorization", "x-api-key", "if-none-match"]
CORS_EXPOSE_HEADERS = ["ETag", "Retry-After", "Surrogate-Key"]
CORS_PREFLIGHT_MAX_AGE = 86400

# Admin sign-in throttling (accounts/throttling.py, on django-axes). AXES_FAILURE_LIMIT wrong
# passwords for one user name from one address pause that pair for AXES_COOLOFF_MINUTES; the
# pair, not the name alone, so nobody can lock a reviewer out from elsewhere. Slower and
# name-wide: SIGNIN_USERNAME_FAILURE_LIMIT wrong passwords from anywhere within
# SIGNIN_USERNAME_WINDOW_HOURS leave the name signing in only from addresses it used before.
# Addresses as the API reads them (API_TRUSTED_PROXIES). A paused sign-in gets a 429 page.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "api.http.auth.client_address"
AXES_LOCKOUT_CALLABLE = "accounts.throttling.locked_out"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # the name-wide tier counts these
AXES_VERBOSE = False
SIGNIN_USERNAME_FAILURE_LIMIT = int(os.environ.get("SIGNIN_USERNAME_FAILURE_LIMIT", "20"))
SIGNIN_USERNAME_WINDOW = datetime.timedelta(
    hours=int(os.environ.get("SIGNIN_USERNAME_WINDOW_HOURS", "24"))
)

# Two-factor sign-in (accounts/two_factor.py): available to every admin user; required for
# superusers and members of these groups (comma-separated; production requires it of Medical
# reviewers and Administrators). A wrong code doubles the wait before the next is checked.
TWO_FACTOR_REQUIRED_GROUPS = env_list("TWO_FACTOR_REQUIRED_GROUPS", "")
TWO_FACTOR_PATH_PREFIX = "/admin/"
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "Clinic CMS")
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1


# Content-Security-Policy (django-csp) for the admin and every HTML page this service serves
# (not /api/: JSON, sent with nosniff). Wagtail 8's admin runs inline scripts and styles, so
# those are allowed; everything else comes from this origin or the media host
# (CSP_MEDIA_ORIGINS, e.g. the object storage's https origin); no plugin, no framing by another
# site, forms post only here.
_MEDIA_ORIGINS = env_list("CSP_MEDIA_ORIGINS")
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/api/"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", "'unsafe-inline'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:", *_MEDIA_ORIGINS],
        "media-src": ["'self'", *_MEDIA_ORIGINS],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-src": ["'self'"],
        "frame-ancestors": ["'self'"],  # the admin's preview panel frames its own pages
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}
