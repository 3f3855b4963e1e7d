"""Two-factor sign-in pages of the admin (accounts/two_factor.py has the rules)."""

from base64 import b32encode

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

import segno
from django_otp import login as otp_login

from accounts import two_factor


def next_url(request):
    url = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return url if safe else reverse("wagtailadmin_home")


def verify(request):
    """The code after the password: an authenticator code or a recovery code."""
    user = request.user
    if not two_factor.is_enrolled(user):
        return redirect("two_factor_setup")
    if user.is_verified():
        return redirect(next_url(request))
    error = None
    if request.method == "POST":
        try:
            device = two_factor.verify(user, request.POST.get("code", ""))
        except two_factor.CodeRefused as refused:
            error = str(refused)
        else:
            otp_login(request, device)
            if device.name == two_factor.RECOVERY_DEVICE:
                left = two_factor.recovery_codes_left(user)
                messages.warning(
                    request,
                    f"You signed in with a recovery code: {left} left. Make new ones in "
                    "Account › Two-factor sign-in.",
                )
            return redirect(next_url(request))
    return TemplateResponse(
        request,
        "accounts/verify.html",
        {"error": error, "next": next_url(request)},
    )


def setup(request):
    """Enrol an authenticator app: scan the QR code (or type the key), enter its first code."""
    user = request.user
    if two_factor.is_enrolled(user) and not user.is_verified():
        return redirect("two_factor_verify")
    device = two_factor.pending_authenticator(user)
    error = None
    if request.method == "POST":
        try:
            codes = two_factor.confirm(request, device, request.POST.get("code", "").strip())
        except two_factor.CodeRefused as refused:
            error = str(refused)
        else:
            return show_recovery_codes(request, codes, enrolled=True)
    secret = b32encode(device.bin_key).decode()  # the key config_url carries
    return TemplateResponse(
        request,
        "accounts/setup.html",
        {
            "error": error,
            "qr": segno.make(device.config_url, error="m").svg_inline(scale=5, border=2),
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "required": two_factor.is_required(user),
            "replacing": two_factor.is_enrolled(user),
        },
    )


def show_recovery_codes(request, codes, enrolled=False):
    response = TemplateResponse(
        request, "accounts/recovery_codes.html", {"codes": codes, "enrolled": enrolled}
    )
    response["Cache-Control"] = "no-store"
    return response


def overview(request):
    user = request.user
    return TemplateResponse(
        request,
        "accounts/overview.html",
        {
            "enrolled": two_factor.is_enrolled(user),
            "required": two_factor.is_required(user),
            "codes_left": two_factor.recovery_codes_left(user),
            "issuer": settings.OTP_TOTP_ISSUER,
        },
    )


def recovery_codes(request):
    """POST: replace the recovery codes (the old ones stop working)."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not two_factor.is_enrolled(request.user):
        messages.error(request, "Set up an authenticator app first: recovery codes back it up.")
        return redirect("two_factor")
    return show_recovery_codes(request, two_factor.new_recovery_codes(request.user))


def turn_off(request):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if two_factor.is_required(request.user):
        messages.error(
            request,
            "Your role requires two-factor sign-in, so it cannot be turned off. To move to a "
            "new phone, use 'Replace authenticator app'.",
        )
    else:
        two_factor.turn_off(request.user)
        messages.success(request, "Two-factor sign-in is off: your password alone signs you in.")
    return redirect("two_factor")
