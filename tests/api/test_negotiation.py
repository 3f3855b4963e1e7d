"""The content negotiation's shortcut (api.http.renderers.ContentNegotiation) answers exactly as
DRF's own negotiation does, for every kind of Accept header."""

from django.test import RequestFactory

import pytest
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request

from api.http.renderers import ContentNegotiation, ORJSONRenderer, ProblemJSONRenderer

ACCEPTS = [
    None,
    "",
    "*/*",
    "*/*; q=0.1",
    "application/json",
    "application/json; indent=4",
    "application/json; q=0.5, */*",
    "application/*",
    "application/problem+json",
    "text/html",
]


@pytest.mark.parametrize("accept", ACCEPTS)
@pytest.mark.parametrize("query", ["", "?format=json", "?format=api"])
def test_the_shortcut_answers_as_drf_does(accept, query):
    headers = {} if accept is None else {"Accept": accept}
    renderers = [ORJSONRenderer(), ProblemJSONRenderer(), JSONRenderer()]

    def outcome(negotiation):
        request = Request(RequestFactory().get(f"/api/v1/conditions/{query}", headers=headers))
        try:
            renderer, media_type = negotiation.select_renderer(request, renderers)
        except Exception as error:  # noqa: BLE001 - the same refusal is the same answer
            return type(error).__name__
        return type(renderer).__name__, media_type

    assert outcome(ContentNegotiation()) == outcome(DefaultContentNegotiation())
