"""The OpenAPI document is valid, complete, and what the API answers matches it."""

import pytest
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

COLLECTIONS = ["conditions", "causes", "treatments", "therapies"]


@pytest.fixture
def schema(db):  # filter parameters are derived from querysets: needs the database
    document = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(document)  # raises on an invalid OpenAPI 3 document
    return document


def resolve(schema, node):
    ref = node.get("$ref") or (node.get("items") or {}).get("$ref")
    return schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]


def test_every_endpoint_is_documented_with_its_errors(schema):
    expected = {"/api/v1/search/", "/api/v1/pages/"}
    for collection in COLLECTIONS:
        expected |= {f"/api/v1/{collection}/", f"/api/v1/{collection}/{{slug}}/"}
    assert set(schema["paths"]) == expected
    for path, operations in schema["paths"].items():
        responses = operations["get"]["responses"]
        assert {"200", "304", "400", "401", "403", "404", "429"} <= set(responses), path
        for status in ("400", "401", "403", "404", "429"):
            problem = responses[status]["content"]["application/problem+json"]["schema"]
            assert problem["$ref"].endswith("/Problem"), (path, status)
        assert "content" not in responses["304"]


def test_parameter_constraints_are_documented(schema):
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/conditions/"]["get"]["parameters"]}
    assert parameters["limit"]["schema"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": 100,
        "default": 20,
    }
    assert parameters["offset"]["schema"]["minimum"] == 0
    assert parameters["search"]["schema"]["maxLength"] == 200
    assert parameters["cause"]["schema"]["pattern"]
    assert parameters["review_status"]["schema"]["enum"] == [
        "current",
        "due_soon",
        "overdue",
        "unreviewed",
    ]
    assert parameters["updated_since"]["schema"]["format"] == "date-time"
    assert "causes" in parameters["expand"]["description"]
    treatments = {p["name"]: p for p in schema["paths"]["/api/v1/treatments/"]["get"]["parameters"]}
    assert set(treatments["category"]["schema"]["enum"]) == {
        "medication",
        "topical",
        "alternative-medicine",
        "procedure",
    }


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_responses_carry_exactly_the_documented_properties(schema, api, collection):
    list_operation = schema["paths"][f"/api/v1/{collection}/"]["get"]
    page_schema = resolve(
        schema, list_operation["responses"]["200"]["content"]["application/json"]["schema"]
    )
    item_schema = resolve(schema, page_schema["properties"]["results"])
    body = api(f"/api/v1/{collection}/").json()
    assert set(body) == set(page_schema["properties"])
    item = body["results"][0]
    assert set(item) == set(item_schema["properties"])

    detail_operation = schema["paths"][f"/api/v1/{collection}/{{slug}}/"]["get"]
    detail_schema = resolve(
        schema, detail_operation["responses"]["200"]["content"]["application/json"]["schema"]
    )
    detail = api(f"/api/v1/{collection}/{item['slug']}/").json()
    assert set(detail) == set(detail_schema["properties"])
    for name, prop in item_schema["properties"].items():
        if prop.get("type") == "array" and "$ref" in prop.get("items", {}) and item[name]:
            link_schema = resolve(schema, prop)
            assert set(item[name][0]) == set(link_schema["properties"]), name


def test_problem_responses_match_the_problem_schema(schema, api):
    problem = schema["components"]["schemas"]["Problem"]
    body = api("/api/v1/conditions/?limit=0").json()
    assert set(body) <= set(problem["properties"])
    assert set(problem["required"]) <= set(body)


def test_docs_page_is_self_hosted(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "cdn.jsdelivr" not in html
    assert client.get("/api/v1/schema/").status_code == 200
