from django.conf import settings
from django.utils.encoding import force_str

from drf_spectacular.utils import OpenApiParameter
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.utils.urls import remove_query_param, replace_query_param

from api.http.params import parse_bounded_int

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_OFFSET = 1_000_000  # far past any collection; a bigger number is a mistake, not a page
LIMIT_SCHEMA = {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT}
OFFSET_SCHEMA = {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET, "default": 0}


class StrictLimitOffsetPagination(LimitOffsetPagination):
    """`limit` (1-100, default 20) and `offset` (0 to 1,000,000), in ASCII digits; anything
    else is a 400, never a clamp.

    Envelope: {"count": 42, "next": "<url>|null", "previous": "<url>|null", "results": [...]}
    """

    default_limit = DEFAULT_LIMIT
    max_limit = MAX_LIMIT

    def get_limit(self, request):
        return parse_bounded_int(
            request, self.limit_query_param, self.default_limit, 1, self.max_limit
        )

    def get_offset(self, request):
        return parse_bounded_int(request, self.offset_query_param, 0, 0, MAX_OFFSET)

    def check(self, query):
        """Reads `limit` and `offset` through `query` (api.http.params.Query): before anything is
        answered, with every other parameter of the request."""
        query.value(self.limit_query_param, lambda: self.get_limit(query.request))
        query.value(self.offset_query_param, lambda: self.get_offset(query.request))

    def page_url(self):
        """This request's URL on API_BASE_URL (never the Host header)."""
        return settings.API_BASE_URL + self.request.get_full_path()

    def get_next_link(self):
        if self.offset + self.limit >= self.count:
            return None
        url = replace_query_param(self.page_url(), self.limit_query_param, self.limit)
        return replace_query_param(url, self.offset_query_param, self.offset + self.limit)

    def get_previous_link(self):
        if self.offset <= 0:
            return None
        url = replace_query_param(self.page_url(), self.limit_query_param, self.limit)
        if self.offset - self.limit <= 0:
            return remove_query_param(url, self.offset_query_param)
        return replace_query_param(url, self.offset_query_param, self.offset - self.limit)

    def paginate_rows(self, request, count, rows):
        """The rows of the page `request` asks for: `count()` says how many there are in all,
        `rows(offset, limit)` gives that page's (asked only when the page has some)."""
        self.request = request
        self.limit = self.get_limit(request)
        self.offset = self.get_offset(request)
        self.count = count()
        if self.count == 0 or self.offset > self.count:
            return []
        return list(rows(self.offset, self.limit))

    def paginate_list(self, items, request):
        """One page of an already ranked list (search results)."""
        return self.paginate_rows(
            request, lambda: len(items), lambda offset, limit: items[offset : offset + limit]
        )

    def envelope(self):
        """The list envelope but its results: {"count", "next", "previous"}."""
        return {
            "count": self.count,
            "next": self.get_next_link(),
            "previous": self.get_previous_link(),
        }

    def get_paginated_response_schema(self, schema):
        envelope = super().get_paginated_response_schema(schema)
        envelope["required"] = ["count", "next", "previous", "results"]  # always all four
        return envelope

    def get_schema_operation_parameters(self, view):
        params = super().get_schema_operation_parameters(view)
        for param in params:
            if param["name"] == "limit":
                param["schema"].update(LIMIT_SCHEMA)
            if param["name"] == "offset":
                param["schema"].update(OFFSET_SCHEMA)
        return params


def page_parameters(pagination=StrictLimitOffsetPagination):
    """`limit` and `offset` in the OpenAPI document, for a view that pages without being a
    viewset's list (drf-spectacular adds them to those itself)."""
    limit = {**LIMIT_SCHEMA, "maximum": pagination.max_limit, "default": pagination.default_limit}
    return [
        OpenApiParameter("limit", limit, description=force_str(pagination.limit_query_description)),
        OpenApiParameter(
            "offset", {**OFFSET_SCHEMA}, description=force_str(pagination.offset_query_description)
        ),
    ]
