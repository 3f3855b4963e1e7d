"""The test settings plus the procedure type (tests/extra_type/), with a test database of its
own on PostgreSQL so that it never meets the main suite's."""

from cms.settings.test import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "tests.extra_type"]  # noqa: F405
if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": "test_extra_type"}  # noqa: F405
