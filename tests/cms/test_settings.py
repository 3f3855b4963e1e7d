"""Settings read the environment; production refuses to start without its secrets.

Each test starts fresh interpreters (settings are read once per process): real-process tests
run in CI's PostgreSQL pass (HEAVY_TESTS=1), keeping `make test` within its budget."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
STRONG_SECRET = "x" * 10 + "-a-long-random-production-secret-for-tests"

pytestmark = [pytest.mark.heavy, pytest.mark.usefixtures("heavy")]


SETTINGS_VALUES = (
    "import json, django; from django.conf import settings; django.setup(); "
    "print(json.dumps({'debug': settings.DEBUG, "
    "'cache': settings.CACHES['default']['BACKEND'], "
    "'db': settings.DATABASES['default']['ENGINE'], "
    "'static': settings.STORAGES['staticfiles']['BACKEND'], "
    "'media': settings.STORAGES['default']['BACKEND'], "
    "'website': settings.WEBSITE_BASE_URL, 'api': settings.API_BASE_URL, "
    "'response_cache': settings.API_RESPONSE_CACHE_SECONDS, "
    "'hsts': settings.SECURE_HSTS_SECONDS, 'session_secure': settings.SESSION_COOKIE_SECURE, "
    "'session_httponly': settings.SESSION_COOKIE_HTTPONLY, "
    "'cors_credentials': settings.CORS_ALLOW_CREDENTIALS, "
    "'two_factor': settings.TWO_FACTOR_REQUIRED_GROUPS}))"
)


def run_with_settings(module, argv, **env):
    """Run `python argv...` in a fresh interpreter with only the given settings environment."""
    clean_env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "REDIS_URL",
            "DATABASE_URL",
            "AWS_STORAGE_BUCKET_NAME",
        }
    }
    clean_env.update(env, DJANGO_SETTINGS_MODULE=module)
    return subprocess.run(
        [sys.executable, *argv],
        cwd=BASE_DIR,
        env=clean_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def load_settings(module, **env):
    """Import a settings module in a fresh interpreter; return (exit code, output, values)."""
    proc = run_with_settings(module, ["-c", SETTINGS_VALUES], **env)
    values = json.loads(proc.stdout.strip().splitlines()[-1]) if proc.returncode == 0 else None
    return proc.returncode, proc.stderr, values


def test_production_refuses_to_start_without_secrets_and_names_them():
    code, err, _ = load_settings("cms.settings.production")
    assert code != 0
    assert "ImproperlyConfigured" in err
    for name in ("SECRET_KEY", "ALLOWED_HOSTS", "REDIS_URL"):
        assert name in err


def test_production_refuses_a_shared_cache_less_deployment():
    code, err, _ = load_settings(
        "cms.settings.production", SECRET_KEY=STRONG_SECRET, ALLOWED_HOSTS="cms.example.org"
    )
    assert code != 0
    assert "REDIS_URL" in err and "SECRET_KEY" not in err.split("need these")[1].split(".")[0]


def test_production_refuses_a_weak_secret():
    code, err, _ = load_settings(
        "cms.settings.production",
        SECRET_KEY="dev-only-insecure-secret-key-do-not-use-in-production",
        ALLOWED_HOSTS="cms.example.org",
        REDIS_URL="redis://127.0.0.1:6379/0",
    )
    assert code != 0 and "too weak" in err


def test_production_with_its_environment():
    code, err, values = load_settings(
        "cms.settings.production",
        SECRET_KEY=STRONG_SECRET,
        ALLOWED_HOSTS="cms.example.org",
        REDIS_URL="redis://127.0.0.1:6379/0",
        DATABASE_URL="postgres://cms:cms@db:5432/cms",
        WEBSITE_BASE_URL="https://www.clinic.example/",
        API_BASE_URL="https://api.clinic.example",
        AWS_STORAGE_BUCKET_NAME="clinic-media",
    )
    assert code == 0, err
    assert values == {
        "debug": False,
        "cache": "api.serving.redis_cache.TolerantRedisCache",
        "db": "cms.postgresql",  # Django's, with client-side bounds (cms/postgresql/base.py)
        "static": "whitenoise.storage.CompressedManifestStaticFilesStorage",
        "media": "storages.backends.s3.S3Storage",
        "website": "https://www.clinic.example",
        "api": "https://api.clinic.example",
        "response_cache": 300,  # Redis: every process shares the purges
        "hsts": 31536000,
        "session_secure": True,
        "session_httponly": True,
        "cors_credentials": False,
        "two_factor": ["Medical reviewers", "Administrators"],
    }


def test_dev_defaults_to_sqlite_and_local_memory_on_a_fresh_laptop():
    code, err, values = load_settings("cms.settings.dev")
    assert code == 0, err
    assert values["debug"] is True
    assert values["db"] == "django.db.backends.sqlite3"
    assert values["cache"] == "django.core.cache.backends.locmem.LocMemCache"
    assert values["media"] == "django.core.files.storage.FileSystemStorage"


def test_manage_py_defaults_to_dev_settings():
    text = (BASE_DIR / "manage.py").read_text()
    assert 'setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.dev")' in text


def test_rate_limit_settings_are_checked_at_start():
    for name, value in (
        ("API_ANONYMOUS_RATE", "lots"),
        ("API_KEY_RATE", "0/min"),
        ("API_TRUSTED_PROXIES", "10.0.0.0/8,load-balancer"),
        ("API_TRUSTED_PROXIES", "10.0.0.1/8"),  # host bits set: 10.0.0.0/8 or 10.0.0.1?
        # a count trusts X-Forwarded-For from anyone reaching the web port: refused, not ignored
        ("API_NUM_PROXIES", "1"),
    ):
        code, err, _ = load_settings("cms.settings.dev", **{name: value})
        assert code != 0 and "ImproperlyConfigured" in err and name in err, (name, err[-300:])
    code, err, _ = load_settings(
        "cms.settings.dev",
        API_ANONYMOUS_RATE="10/s",
        API_TRUSTED_PROXIES="10.0.0.0/8, 172.16.0.0/12,192.0.2.7,2001:db8::/32",
    )
    assert code == 0, err


def test_the_response_cache_is_on_only_where_every_process_shares_it():
    """Local memory is one process's: a purge by a manage.py command would never reach the
    server's copy of an answer showing a page it unpublished."""
    _, err, local = load_settings("cms.settings.dev")
    assert local is not None, err
    assert local["cache"].endswith("LocMemCache") and local["response_cache"] == 0
    _, err, shared = load_settings("cms.settings.dev", REDIS_URL="redis://127.0.0.1:6379/9")
    assert shared is not None, err
    assert shared["response_cache"] == 300
    _, err, chosen = load_settings("cms.settings.dev", API_RESPONSE_CACHE_SECONDS="60")
    assert chosen["response_cache"] == 60


def test_production_refuses_webhooks_to_private_addresses():
    code, err, _ = load_settings(
        "cms.settings.production",
        SECRET_KEY=STRONG_SECRET,
        ALLOWED_HOSTS="cms.example.org",
        REDIS_URL="redis://127.0.0.1:6379/0",
        WEBHOOKS_ALLOW_PRIVATE_TARGETS="true",
    )
    assert code != 0 and "WEBHOOKS_ALLOW_PRIVATE_TARGETS is for tests" in err


def test_a_webhook_lease_shorter_than_the_timeout_fails_the_checks():
    proc = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=BASE_DIR,
        env={**os.environ, "WEBHOOKS_TIMEOUT_SECONDS": "30", "WEBHOOKS_LEASE_SECONDS": "20"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode != 0 and "webhooks.E001" in proc.stderr


def test_production_passes_the_deployment_checks():
    """`check --deploy --fail-level WARNING` with the production settings: HSTS on by default,
    secure HttpOnly cookies; what is silenced says why in cms/settings/production.py."""
    env = {
        "SECRET_KEY": STRONG_SECRET,
        "ALLOWED_HOSTS": "cms.example.org",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
    }
    argv = ["manage.py", "check", "--deploy", "--fail-level", "WARNING"]
    proc = run_with_settings("cms.settings.production", argv, **env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    code, err, values = load_settings("cms.settings.production", **env)
    assert code == 0, err
    assert (
        values["hsts"],
        values["session_secure"],
        values["session_httponly"],
        values["cors_credentials"],
        values["two_factor"],
    ) == (31536000, True, True, False, ["Medical reviewers", "Administrators"])


def test_timeouts_are_checked_at_start():
    for name, value in (
        ("DB_CONNECT_TIMEOUT", "1"),  # psycopg waits 2 s at least
        ("API_DB_REQUEST_DEADLINE", "soon"),
        ("REDIS_SOCKET_TIMEOUT", "0"),  # unbounded
        ("REDIS_CONNECT_TIMEOUT", "30"),
    ):
        code, err, _ = load_settings(
            "cms.settings.dev", REDIS_URL="redis://127.0.0.1:6379/0", **{name: value}
        )
        assert code != 0 and "ImproperlyConfigured" in err and name in err, (name, err[-300:])


def test_postgresql_connections_are_bounded_by_the_settings():
    proc = run_with_settings(
        "cms.settings.dev",
        [
            "-c",
            "import json, django; from django.conf import settings; django.setup(); "
            "print(json.dumps(settings.DATABASES['default']['OPTIONS']))",
        ],
        DATABASE_URL="postgres://cms:cms@db:5432/cms",
        DB_CONNECT_TIMEOUT="3",
        DB_STATEMENT_TIMEOUT="12.5",
    )
    assert proc.returncode == 0, proc.stderr
    options = json.loads(proc.stdout.strip().splitlines()[-1])
    assert options == {"connect_timeout": 3, "options": "-c statement_timeout=12500"}


def test_content_languages_are_checked_at_start():
    for value in ("en,klingon", "en,es,en", ","):
        code, err, _ = load_settings("cms.settings.dev", CONTENT_LANGUAGES=value)
        assert code != 0 and "CONTENT_LANGUAGES" in err, (value, err[-300:])
    proc = run_with_settings(
        "cms.settings.dev",
        [
            "-c",
            "import django; from django.conf import settings; django.setup(); "
            "print(settings.LANGUAGE_CODE, settings.WAGTAIL_CONTENT_LANGUAGES)",
        ],
        CONTENT_LANGUAGES="es, en,fr",
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == (
        "es [('es', 'Spanish'), ('en', 'English'), ('fr', 'French')]"
    )
