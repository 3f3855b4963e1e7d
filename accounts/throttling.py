"""Admin sign-in throttling on django-axes, in two tiers.

- One user name from one address: AXES_FAILURE_LIMIT wrong passwords pause that pair for
  AXES_COOLOFF_TIME (axes itself). The pair, not the name: nobody can lock a reviewer out
  from elsewhere.
- One user name from everywhere, slower: after SIGNIN_USERNAME_FAILURE_LIMIT wrong passwords
  within SIGNIN_USERNAME_WINDOW from any addresses (a spread-out guessing attack), the name
  may only sign in from an address it has signed in from before, until the failures age out.
  The reviewer at their usual desk is not affected; an administrator lifts it early with
  `manage.py signin_unpause NAME`.

Addresses are read as the API reads them (api.http.auth.client_address: X-Forwarded-For only
from the proxies in API_TRUSTED_PROXIES). A locked-out sign-in gets a readable 429 page, never
a 500.
"""

from django.conf import settings
from django.shortcuts import render
from django.utils import timezone

from axes.backends import AxesBackend
from axes.exceptions import AxesBackendPermissionDenied
from axes.models import AccessFailureLog, AccessLog

from api.http.auth import client_address

PAIR, NAME = "pair", "name"


def failures_for_name(username):
    since = timezone.now() - settings.SIGNIN_USERNAME_WINDOW
    return AccessFailureLog.objects.filter(username=username, attempt_time__gte=since).count()


def known_address(username, address):
    return AccessLog.objects.filter(username=username, ip_address=address).exists()


def name_paused(request, username):
    """Is `username` paused everywhere but its known addresses (the slower, name-wide tier)?"""
    return failures_for_name(username) >= settings.SIGNIN_USERNAME_FAILURE_LIMIT and not (
        known_address(username, client_address(request))
    )


class SignInThrottle(AxesBackend):
    """AxesBackend (the pair tier) with the name-wide tier in front of it."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        enabled = settings.AXES_ENABLED and request is not None and username
        if enabled and name_paused(request, username):
            request.axes_locked_out = True
            request.signin_paused = NAME
            raise AxesBackendPermissionDenied("sign-ins for this name are paused")
        return super().authenticate(request, username=username, password=password, **kwargs)


def locked_out(request, credentials, *args, **kwargs):
    """AXES_LOCKOUT_CALLABLE: the admin's answer to a sign-in while locked out (429)."""
    tier = getattr(request, "signin_paused", PAIR)
    wait = settings.SIGNIN_USERNAME_WINDOW if tier == NAME else settings.AXES_COOLOFF_TIME
    minutes = int(wait.total_seconds() // 60)
    wait = f"{minutes // 60} hours" if minutes >= 120 else f"{minutes} minutes"
    context = {"tier": tier, "wait": wait}
    return render(request, "accounts/locked_out.html", context, status=429)
