"""Two-factor sign-in: a TOTP authenticator app (django-otp) and single-use recovery codes.

Every admin user may turn it on from Account › Two-factor sign-in. Members of
TWO_FACTOR_REQUIRED_GROUPS (in production: Medical reviewers and Administrators) and
superusers there must: until they enrol, the admin shows them nothing but the enrolment page.
A signed-in session counts as verified only after a code from one of the user's devices
(accounts/middleware.py). Wrong codes are throttled per device: each failure doubles the wait
before the next code is checked (django-otp's throttling, OTP_*_THROTTLE_FACTOR seconds first).
"""

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

RECOVERY_DEVICE = "Recovery codes"
AUTHENTICATOR = "Authenticator app"


class CodeRefused(Exception):
    """A code that did not verify: the message says why and what to do next."""


def is_required(user):
    """Must `user` use two-factor sign-in here (TWO_FACTOR_REQUIRED_GROUPS)?"""
    groups = settings.TWO_FACTOR_REQUIRED_GROUPS
    if not groups or not user.is_authenticated:
        return False
    return user.is_superuser or user.groups.filter(name__in=groups).exists()


def is_enrolled(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_authenticator(user):
    """The authenticator being set up: unconfirmed until its first code is entered."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=AUTHENTICATOR, confirmed=False)


def new_recovery_codes(user, count=10):
    """Replace the user's recovery codes; returns them (shown once, then never again)."""
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_DEVICE, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(count)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def recovery_codes_left(user):
    return StaticToken.objects.filter(device__user=user, device__name=RECOVERY_DEVICE).count()


def wait_message(data):
    seconds = max(1, int((data["locked_until"] - timezone.now()).total_seconds() + 0.999))
    return (
        f"Too many wrong codes: wait {seconds} second{'s' if seconds != 1 else ''} before "
        "the next one. Each wrong code doubles the wait."
    )


def check_code(device, code):
    """Verify `code` on `device` under its throttle, or raise CodeRefused."""
    with transaction.atomic():
        device = type(device).objects.select_for_update().get(pk=device.pk)
        allowed, data = device.verify_is_allowed()
        if not allowed:
            raise CodeRefused(wait_message(data))
        if device.verify_token(code):
            return device
    raise CodeRefused(
        "That code is not right. Enter the 6 digits your authenticator app shows now, or one "
        "of your recovery codes."
    )


def verify(user, code):
    """The device of `user`'s that accepts `code` (an app code or a recovery code)."""
    code = "".join(code.split()).lower()
    devices = list(devices_for_user(user, confirmed=True))
    if not code or not devices:
        raise CodeRefused("Enter the code your authenticator app shows.")
    app = [d for d in devices if isinstance(d, TOTPDevice)]
    recovery = [d for d in devices if isinstance(d, StaticDevice)]
    refusal = None
    app_code = len(code) == 6 and code.isdigit()
    for device in app if app_code else recovery:
        try:
            return check_code(device, code)
        except CodeRefused as refused:
            refusal = refusal or refused
    raise refusal or CodeRefused("That code is not right.")


def confirm(request, device, code):
    """Finish enrolment: `code` from the new authenticator confirms it and verifies this
    session. Returns the first recovery codes."""
    check_code(device, code)
    with transaction.atomic():
        TOTPDevice.objects.filter(user=device.user, confirmed=True).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = new_recovery_codes(device.user)
    otp_login(request, device)
    return codes


def turn_off(user):
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
