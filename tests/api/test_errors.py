"""Every bad input is a 400/404 problem+json naming the parameter; never a 500 or a clamp."""

import pytest

PROBLEM_KEYS = {"type", "title", "status", "detail", "instance"}

SEED_ONCE = True  # every database test reads the seed (tests/conftest.py)


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=abc", "limit"),
        ("limit=", "limit"),
        ("offset=-1", "offset"),
        ("offset=1.5", "offset"),
        ("updated_since=yesterday", "updated_since"),
        ("updated_since=2026-13-01", "updated_since"),
        ("ordering=popularity", "ordering"),
        ("ordering=-title,nope", "ordering"),
        ("ordering=", "ordering"),
        ("search=" + "x" * 201, "search"),
        ("search=%20", "search"),
        ("review_status=stale", "review_status"),
        ("symptom=not%20a%20slug", "symptom"),
        ("fields=title,colour", "fields"),
        ("fields=", "fields"),
        ("expand=symptoms", "expand"),
        ("expand=colour", "expand"),
        ("colour=blue", "colour"),
        ("page=2", "page"),
    ],
)
def test_bad_list_queries_are_400_problems(api, query, parameter):
    response = api(f"/api/v1/conditions/?{query}")
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert set(body) >= PROBLEM_KEYS
    assert body["status"] == 400 and body["title"] == "Bad Request"
    assert parameter in body["errors"], body
    assert all(isinstance(m, str) and m for m in body["errors"][parameter])


def test_unknown_parameter_names_the_allowed_ones(api):
    body = api("/api/v1/treatments/?colour=blue").json()
    assert "category" in body["errors"]["colour"][0] and "limit" in body["errors"]["colour"][0]
    assert "colour" in body["detail"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/conditions/neuropathic-pain/?limit=5",
        "/api/v1/conditions/neuropathic-pain/?expand=nope",
        "/api/v1/search/",
        "/api/v1/search/?q=" + "x" * 201,
        "/api/v1/search/?q=pain&limit=1000",
        "/api/v1/search/?q=pain&colour=1",
        "/api/v1/pages/",
        "/api/v1/pages/?path=conditions/no-leading-slash/",
        "/api/v1/therapies/?expand=causes",
    ],
)
def test_bad_queries_on_other_endpoints(api, path):
    response = api(path)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/conditions/no-such-condition/",
        "/api/v1/causes/neuropathic-pain/",  # a condition is not a cause
        "/api/v1/nothing-here/",
        "/api/v1/pages/?path=/conditions/no-such-condition/",
    ],
)
def test_not_found_is_a_404_problem(api, path):
    response = api(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 404 and body["detail"]


def test_writes_are_405_problems(api, client):
    response = client.post("/api/v1/conditions/", {})
    assert response.status_code == 405
    assert response["Content-Type"] == "application/problem+json"


def test_pagination_links_use_api_base_url(api):
    body = api("/api/v1/causes/?limit=3&offset=3").json()
    assert body["count"] == 8
    assert body["next"] == "https://api.example-clinic.test/api/v1/causes/?limit=3&offset=6"
    assert body["previous"] == "https://api.example-clinic.test/api/v1/causes/?limit=3"
    assert api("/api/v1/causes/?limit=100").json()["next"] is None


def test_problem_type_uri_documents_the_problem(api, client):
    body = api("/api/v1/conditions/?limit=0").json()
    path = body["type"].removeprefix("https://api.example-clinic.test")
    described = client.get(path)
    assert described.status_code == 200
    assert described.json()["title"] == "Invalid query parameters"
    assert client.get("/api/v1/problems/no-such-problem/").status_code == 404
