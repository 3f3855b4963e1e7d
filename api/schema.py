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

ERROR_RESPONSES = {
    304: OpenApiResponse(description="Not Modified: the If-None-Match ETag is current."),
    400: OpenApiResponse(ProblemSerializer, description="Invalid query parameters (problem+json)."),
    401: OpenApiResponse(ProblemSerializer, description="Unauthorized (problem+json)."),
    403: OpenApiResponse(ProblemSerializer, description="Forbidden (problem+json)."),
    404: OpenApiResponse(ProblemSerializer, description="No such item (problem+json)."),
    429: OpenApiResponse(ProblemSerializer, description="Too many requests (problem+json)."),
}


def only_public_api(endpoints, **kwargs):
    """drf-spectacular preprocessing hook: document /api/v1/ only (not Wagtail's admin API)."""
    return [
        (path, path_regex, method, callback)
        for path, path_regex, method, callback in endpoints
        if path.startswith("/api/v1/") and "{" not in path.split("/api/v1/")[0]
    ]
