"""Liveness and readiness probes for load balancers, compose and Kubernetes."""

from django.core.cache import cache
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from api.http.problems import PROBLEM_CONTENT_TYPE
from api.serving.redis_cache import available
from cms.database import database_ready


@never_cache
@require_safe
def healthz(request):
    """The process is up and serving requests; checks nothing else (no database, no cache), so
    it answers while other requests wait on either."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request):
    """Ready for traffic when the database answers within READYZ_TIMEOUT; a failing cache only
    degrades the service, and one whose circuit breaker is open (it failed moments ago) is
    reported without calling it."""
    checks = {}
    try:
        database_ready()
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - down, hung, cut off: any failure is "not ready"
        response = JsonResponse(
            {
                "type": "about:blank",
                "title": "Service Unavailable",
                "status": 503,
                "detail": f"The database is unreachable: {exc.__class__.__name__}.",
                "checks": {"database": "down"},
            },
            status=503,
            content_type=PROBLEM_CONTENT_TYPE,
        )
        # Not logged per probe: the outage is logged when it starts and ends (cms/breaker.py).
        response._has_been_logged = True
        return response
    checks["cache"] = "degraded"
    if available(cache):
        try:
            cache.set("readyz-probe", "1", 5)
            checks["cache"] = "ok" if cache.get("readyz-probe") == "1" else "degraded"
        except Exception:  # noqa: BLE001 - any cache failure only degrades
            checks["cache"] = "degraded"
    return JsonResponse(
        {"status": "ok" if checks["cache"] == "ok" else "degraded", "checks": checks}
    )
