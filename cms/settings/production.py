"""Production settings: refuses to start without its secrets and a shared cache."""

from django.core.exceptions import ImproperlyConfigured

from .base import *

DEBUG = False

_missing = [
    name
    for name, value in (
        ("SECRET_KEY", SECRET_KEY),
        ("ALLOWED_HOSTS", ALLOWED_HOSTS),
        ("REDIS_URL", REDIS_URL),
    )
    if not value
]
if _missing:
    raise ImproperlyConfigured(
        "Production settings need these environment variables: "
        + ", ".join(_missing)
        + ". SECRET_KEY: a long random string; ALLOWED_HOSTS: comma-separated host names; "
        "REDIS_URL: the shared cache every web process and the worker use "
        "(e.g. redis://redis:6379/0). See README.md, 'Deploying'."
    )
if SECRET_KEY.startswith(("dev-only", "test-only")) or len(SECRET_KEY) < 32:
    raise ImproperlyConfigured(
        "SECRET_KEY is too weak for production: use at least 32 random characters, e.g. "
        "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
    )

if WEBHOOKS_ALLOW_PRIVATE_TARGETS:
    raise ImproperlyConfigured(
        "WEBHOOKS_ALLOW_PRIVATE_TARGETS is for tests: in production webhooks only go to public "
        "addresses (a private target would let an admin reach internal services). Unset it."
    )

STORAGES["staticfiles"] = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_REDIRECT_EXEMPT = [r"^healthz/$", r"^readyz/$"]
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
# HSTS: browsers keep to HTTPS for this long (a year by default; lower it while trying HTTPS
# out). Subdomains and the preload list are opt-in: they bind hosts this service does not own.
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SESSION_COOKIE_HTTPONLY = True
SECURE_REFERRER_POLICY = "same-origin"
SILENCED_SYSTEM_CHECKS = [
    # HSTS for subdomains and the preload list bind hosts this service does not own: opt in
    # with SECURE_HSTS_INCLUDE_SUBDOMAINS / SECURE_HSTS_PRELOAD once every subdomain is HTTPS.
    "security.W005",
    "security.W021",
]
SECURE_CONTENT_TYPE_NOSNIFF = True
# Medical reviewers publish medical content and administrators hold every key: a stolen
# password alone must not be enough (accounts/two_factor.py).
TWO_FACTOR_REQUIRED_GROUPS = env_list(
    "TWO_FACTOR_REQUIRED_GROUPS", "Medical reviewers,Administrators"
)
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
