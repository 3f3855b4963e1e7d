"""The HTTP layer of the delivery API: API keys and rate limits, problem details, strict
query parameters, the JSON parser and renderer, pagination, filters, the OpenAPI pieces that are
not shapes, and the HTTP caching headers. The views themselves are in api/views/."""
