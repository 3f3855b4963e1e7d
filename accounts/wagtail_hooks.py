from django.urls import path, reverse

from wagtail import hooks

from accounts import views


@hooks.register("register_admin_urls")
def two_factor_urls():
    return [
        path("two-factor/", views.overview, name="two_factor"),
        path("two-factor/verify/", views.verify, name="two_factor_verify"),
        path("two-factor/setup/", views.setup, name="two_factor_setup"),
        path("two-factor/recovery-codes/", views.recovery_codes, name="two_factor_recovery"),
        path("two-factor/turn-off/", views.turn_off, name="two_factor_turn_off"),
    ]


@hooks.register("register_account_menu_item")
def two_factor_menu_item(request):
    return {
        "url": reverse("two_factor"),
        "label": "Two-factor sign-in",
        "help_text": "A code from an authenticator app after your password, and recovery codes.",
    }
