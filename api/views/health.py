"""Liveness and readiness probes for load balancers, compose and Kubernetes."""

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


@never_cache
@require_safe
def healthz(request):
    """The process is up and serving requests; checks nothing else."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request):
    """Ready for traffic when the database answers; a failing cache only degrades the service."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # any driver error means "not ready"
        return JsonResponse(
            {
                "type": "about:blank",
                "title": "Service Unavailable",
                "status": 503,
                "detail": f"The database is unreachable: {exc.__class__.__name__}.",
                "checks": {"database": "down"},
            },
            status=503,
            content_type="application/problem+json",
        )
    try:
        cache.set("readyz-probe", "1", 5)
        checks["cache"] = "ok" if cache.get("readyz-probe") == "1" else "degraded"
    except Exception:
        checks["cache"] = "degraded"
    return JsonResponse(
        {"status": "ok" if checks["cache"] == "ok" else "degraded", "checks": checks}
    )
