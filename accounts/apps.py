from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Signing in to the admin: throttling (django-axes) and two-factor sign-in (django-otp)."""

    name = "accounts"
