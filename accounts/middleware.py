"""The admin's second factor: a signed-in user with an authenticator must enter a code before
the admin shows anything, and one whose role requires it (accounts/two_factor.is_required)
must enrol first. Runs after django-otp's OTPMiddleware, which tells a verified session."""

from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from csp.middleware import CSPMiddleware

from accounts import two_factor

# Reachable before the second factor: the code and enrolment pages, signing out, and the
# assets those pages load (the icon sprite and the JavaScript translations, the same for all).
OPEN_BEFORE_VERIFYING = (
    "two_factor_verify",
    "two_factor_setup",
    "wagtailadmin_logout",
    "wagtailadmin_sprite",
    "wagtailadmin_javascript_catalog",
)


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.prefix = settings.TWO_FACTOR_PATH_PREFIX

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and request.path.startswith(self.prefix)
            and user.is_authenticated
            and not user.is_verified()
            and not self.is_open(request.path)
        ):
            target = self.next_step(user)
            if target:
                next_url = request.get_full_path() if request.method == "GET" else ""
                query = f"?{urlencode({'next': next_url})}" if next_url else ""
                return redirect(reverse(target) + query)
        return self.get_response(request)

    @staticmethod
    def next_step(user):
        if two_factor.is_enrolled(user):
            return "two_factor_verify"
        if two_factor.is_required(user):
            return "two_factor_setup"
        return None

    @staticmethod
    def is_open(path):
        return any(path == reverse(name) for name in OPEN_BEFORE_VERIFYING)


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, skipped outright on the paths its policy excludes (the API):
    django-csp builds the whole policy for every response before it checks the exclusion."""

    def __init__(self, get_response):
        super().__init__(get_response)
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", None) or {}
        self.excluded = tuple(policy.get("EXCLUDE_URL_PREFIXES") or ())

    def process_request(self, request):
        if not request.path_info.startswith(self.excluded):
            super().process_request(request)

    def process_response(self, request, response):
        if request.path_info.startswith(self.excluded):
            return response
        return super().process_response(request, response)
