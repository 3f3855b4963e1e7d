"""RFC 9457 problem details for every API error: 400, 401, 403, 404, 405, 406, 410, 413, 415,
429, 500 and 503 (the database is unreachable: `Retry-After`; elsewhere an HTML page says so).

Body: {"type", "title", "status", "detail", "instance", "errors": {"<parameter>": ["..."]}}.
"""

import logging
import math
import sys

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.template.loader import render_to_string
from django.views.decorators.http import require_safe

from rest_framework import exceptions, status

from api.http.renderers import ORJSONRenderer, ProblemJSONRenderer
from cms.database import DATABASE_ERRORS
from shapes.representation import API_PREFIX

logger = logging.getLogger(__name__)
PROBLEM_CONTENT_TYPE = ProblemJSONRenderer.media_type

TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    406: "Not Acceptable",
    410: "Gone",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


class Gone(exceptions.APIException):
    """A 410 with a documented problem type (`type_slug`, one of PROBLEM_TYPES)."""

    status_code = 410

    def __init__(self, detail, type_slug):
        super().__init__(detail)
        self.type_slug = type_slug


class BadQuery(exceptions.ValidationError):
    """A 400 naming the query parameters that are wrong and what is allowed."""

    def __init__(self, errors, detail=None):
        super().__init__(errors)
        self.summary = detail


def problem_type_url(slug):
    """The one spelling of a problem type URI: on API_BASE_URL, never the request's Host."""
    return f"{settings.API_BASE_URL}{API_PREFIX}/problems/{slug}/"


def problem(status_code, detail, instance="", errors=None, type_slug=None):
    body = {
        "type": problem_type_url(type_slug) if type_slug else "about:blank",
        "title": TITLES.get(status_code, "Error"),
        "status": status_code,
        "detail": detail,
        "instance": instance,
    }
    if errors:
        body["errors"] = errors
    return body


def error_messages(errors):
    """DRF error structures → {"parameter": ["message", ...]} with plain strings."""
    if isinstance(errors, dict):
        return {
            str(k): [str(m) for m in (v if isinstance(v, list) else [v])] for k, v in errors.items()
        }
    return {"query": [str(m) for m in (errors if isinstance(errors, list) else [errors])]}


def exception_handler(exc, context):
    request = context.get("request")
    instance = request.get_full_path() if request else ""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) if str(exc) else None)
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    if isinstance(exc, exceptions.ValidationError):
        errors = error_messages(exc.detail)
        detail = getattr(exc, "summary", None) or "Some query parameters are invalid: " + ", ".join(
            sorted(errors)
        )
        body = problem(400, detail, instance, errors, "invalid-parameters")
        code = 400
    elif isinstance(exc, exceptions.APIException):
        code = exc.status_code
        body = problem(code, str(exc.detail), instance, type_slug=getattr(exc, "type_slug", None))
    elif isinstance(exc, DATABASE_ERRORS) and request is not None:
        return service_unavailable(request)
    else:
        return None  # a real bug: Django's 500 handler answers (as problem+json under /api/)

    # Rendered here, not by the view's renderer: every view (the YAML schema and the HTML docs
    # included) answers errors as problem+json.
    response = problem_http_response(body)
    if isinstance(exc, exceptions.Throttled) and exc.wait:
        response["Retry-After"] = str(int(exc.wait))
    if getattr(exc, "auth_header", None):
        response["WWW-Authenticate"] = exc.auth_header
    return response


def problem_http_response(body):
    return HttpResponse(
        ProblemJSONRenderer().render(body), status=body["status"], content_type=PROBLEM_CONTENT_TYPE
    )


def problem_response(request, status_code, detail):
    """A problem+json HttpResponse outside DRF (Django's 404/500 handlers for /api/ paths)."""
    return problem_http_response(problem(status_code, detail, request.get_full_path()))


PROBLEM_TYPES = {
    "invalid-parameters": (
        "Invalid query parameters",
        "One or more query parameters are unknown, malformed or out of range, or (a sync "
        "`cursor`) were not issued by this server. `errors` maps each of them, all at once, to "
        "what is wrong with it and what is allowed; fix them and retry. A request body that "
        "cannot be read, or is not what the endpoint takes, is named `body`.",
    ),
    "preview-token-invalid": (
        "Preview token invalid",
        "The preview token is missing, malformed, changed, not issued by this server, or "
        "expired (tokens live at most PREVIEW_TOKEN_MAX_SECONDS). Ask for a new one: the "
        "admin's preview links, or `python manage.py preview_token <page id>`.",
    ),
    "scope-missing": (
        "API key scope missing",
        "The API key is valid but lacks the scope this endpoint needs (`read` for content, "
        "`preview` to mint preview tokens, `campaigns` for campaigns when CAMPAIGNS_REQUIRE_KEY "
        "is on); `detail` names it. Ask for a key with that scope.",
    ),
    "service-unavailable": (
        "Service temporarily unavailable",
        "The content database cannot be reached just now and no stored copy of this answer "
        "was at hand. Nothing is wrong with the request: retry it after `Retry-After` seconds. "
        "Answers served recently usually keep coming from the cache meanwhile.",
    ),
    "sync-cursor-expired": (
        "Sync cursor expired",
        "The cursor can no longer be followed, so changes could be missed: it is older than "
        "the deletions this server keeps (API_SYNC_TOMBSTONE_DAYS), or it was issued before "
        "the server's database was restored from a backup (changes it has seen may have been "
        "undone), or by another version of this API. `detail` says which. Drop the local copy "
        "and sync again from scratch: GET /api/v1/sync/ without a cursor.",
    ),
}


@require_safe
def problem_type(request, slug):
    """The documentation a problem's `type` URI points at."""
    if slug not in PROBLEM_TYPES:
        return api_not_found(request)
    title, description = PROBLEM_TYPES[slug]
    body = {"type": problem_type_url(slug), "title": title, "description": description}
    return HttpResponse(ORJSONRenderer().render(body), content_type="application/json")


def api_not_found(request, *args, **kwargs):
    return problem_response(request, status.HTTP_404_NOT_FOUND, "No such API endpoint.")


def is_api_path(path):
    """/api/..., also when a client doubles the slash (//api/v1/...)."""
    return path.lstrip("/").startswith("api/")


class ProblemDetailsMiddleware:
    """Whatever answered an /api/ request with an error (Django's CSRF check, a disallowed Host,
    a view outside DRF), the client gets problem+json with the same status and headers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code < 400
            or not is_api_path(request.path)
            or response.get("Content-Type", "").startswith(PROBLEM_CONTENT_TYPE)
        ):
            return response
        detail = TITLES.get(response.status_code, "The request could not be answered.")
        if response.status_code == 405:
            detail = f"Use {response.get('Allow', 'GET')}."
        replacement = problem_http_response(
            problem(response.status_code, detail, request.get_full_path())
        )
        for header in ("Allow", "Retry-After", "WWW-Authenticate"):
            if header in response:
                replacement[header] = response[header]
        return replacement


def handler404(request, exception=None):
    if is_api_path(request.path):
        return problem_response(request, status.HTTP_404_NOT_FOUND, "No such API endpoint.")
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


def retry_after():
    """Seconds a client should wait before retrying a 503: the database is tried again then."""
    return str(max(1, math.ceil(settings.DB_RETRY_SECONDS)))


def service_unavailable(request):
    """The 503 for a request the database could not serve (it is down, hung or cut off at the
    request's deadline: cms/database.py): problem+json under /api/, an HTML page elsewhere
    (the admin). Not logged per request: the outage is logged once (cms/breaker.py)."""
    if is_api_path(request.path):
        response = problem_http_response(
            problem(
                503,
                "The content database cannot be reached just now. Retry after the number of "
                "seconds in Retry-After.",
                request.get_full_path(),
                type_slug="service-unavailable",
            )
        )
    else:
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = retry_after()
    response["Cache-Control"] = "no-store"
    response._has_been_logged = True  # Django's request log skips it (see the docstring)
    return response


def handler500(request):
    # Called while the exception is being handled: a database error raised by a middleware
    # (a view's is answered by cms.database.DatabaseDeadlineMiddleware) is a 503 too.
    if isinstance(sys.exc_info()[1], DATABASE_ERRORS):
        return service_unavailable(request)
    if is_api_path(request.path):
        return problem_response(
            request, 500, "The server failed to answer this request; it has been logged."
        )
    from django.views.defaults import server_error

    return server_error(request)
