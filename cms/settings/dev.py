"""Laptop settings: SQLite and local memory unless DATABASE_URL / REDIS_URL say otherwise."""

from .base import *

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY") or "dev-only-insecure-secret-key-do-not-use-in-production"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# Tasks run inline on a laptop (Wagtail's search and reference index jobs, the API's change
# record), so edits made in the admin are searchable and served straight away; `make run`
# starts the worker beside the server for what runs on a clock (scheduled publishing and
# expiry, webhook deliveries, review reminders).
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
API_REFRESH_TASK_SECONDS = 0  # inline tasks: a refresh finishes what it starts
# A webhook receiver on this laptop (127.0.0.1) is a fine target while DEBUG is on; the
# production settings refuse private targets whatever this says.
WEBHOOKS_ALLOW_PRIVATE_TARGETS = env_bool("WEBHOOKS_ALLOW_PRIVATE_TARGETS", DEBUG)
