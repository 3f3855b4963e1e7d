from django.apps import AppConfig
from django.conf import settings
from django.core import checks


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = "Webhooks"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        checks.register(check_settings)


def check_settings(app_configs=None, **kwargs):
    """An attempt lasts at most WEBHOOKS_TIMEOUT_SECONDS in all (its deadline, in
    webhooks/transport.py); a lease that does not outlast it, with time to spare for recording
    the outcome, would let a second worker attempt a delivery that is still in flight."""
    errors = []
    if settings.WEBHOOKS_LEASE_SECONDS <= settings.WEBHOOKS_TIMEOUT_SECONDS + 5:
        errors.append(
            checks.Error(
                "WEBHOOKS_LEASE_SECONDS must exceed WEBHOOKS_TIMEOUT_SECONDS (an attempt's total "
                "deadline) by more than 5 s.",
                hint="Raise WEBHOOKS_LEASE_SECONDS (default 60) or lower the timeout (15).",
                id="webhooks.E001",
            )
        )
    return errors
