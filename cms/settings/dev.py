"""Laptop settings: SQLite and local memory unless DATABASE_URL / REDIS_URL say otherwise."""

from .base import *

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY") or "dev-only-insecure-secret-key-do-not-use-in-production"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# No worker runs on a laptop: run Wagtail's search and reference index jobs inline, so edits made
# in the admin are searchable straight away.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
API_REFRESH_TASK_SECONDS = 0  # inline tasks: a refresh finishes what it starts
