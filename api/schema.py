"""OpenAPI pieces shared by every endpoint (drf-spectacular)."""

from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

ProblemSerializer = inline_serializer(
    "Problem",
    {
        "type": serializers.CharField(),
        "title": serializers.CharField(),
        "status": serializers.IntegerField(),
        "detail": serializers.CharField(),
        "instance": serializers.CharField(),
        "errors": serializers.DictField(
            child=serializers.ListField(child=serializers.CharField()), required=False
        ),
    },
)

PROBLEM = "application/problem+json"
ERROR_RESPONSES = {
    304: OpenApiResponse(description="Not Modified: the If-None-Match ETag is current."),
    (400, PROBLEM): OpenApiResponse(ProblemSerializer, description="Invalid query parameters."),
    (401, PROBLEM): OpenApiResponse(ProblemSerializer, description="Unauthorized."),
    (403, PROBLEM): OpenApiResponse(ProblemSerializer, description="Forbidden."),
    (404, PROBLEM): OpenApiResponse(ProblemSerializer, description="No such item."),
    (429, PROBLEM): OpenApiResponse(ProblemSerializer, description="Too many requests."),
}


def only_public_api(endpoints, **kwargs):
    """drf-spectacular preprocessing hook: document /api/v1/ only (not Wagtail's admin API)."""
    return [
        (path, path_regex, method, callback)
        for path, path_regex, method, callback in endpoints
        if path.startswith("/api/v1/") and "{" not in path.split("/api/v1/")[0]
    ]
