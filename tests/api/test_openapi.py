"""The OpenAPI document is valid, complete, typed, and what the API answers matches it."""

import re
from urllib.parse import urlsplit

import pytest
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from jsonschema import Draft7Validator

from shapes import registry
from shapes.schema import FALLBACK_MARKERS, FULL_SUFFIX

SEED_ONCE = True  # every database test here reads the seed (tests/conftest.py)

COLLECTIONS = ["conditions", "causes", "treatments", "therapies"]
ITEM_SCHEMAS = [
    f"{kind}{shape}{channel}"
    for kind in ("Condition", "Cause", "Treatment", "Therapy")
    for shape in ("List", "Detail")
    for channel in ("", "App")
]
CHANNEL_INDEX = {"web": 0, "app": 1}  # in the anyOf of api.http.schema.by_channel components
REFERENCE_KEYS = ["id", "type", "slug", "title", "url", "api_url"]
# Objects that may carry keys their schema does not list. None: every JSON-LD node the API sends
# is described property by property (shapes/schema_org.py builds no other keys).
OPEN_OBJECTS = set()
# Nested objects whose keys are not all always present (everything else requires every property).
TOKENS = "/api/v1/preview/tokens/"
OPTIONAL_KEYS = {
    "Problem": {"errors"},
    "ItemEmail": set(FALLBACK_MARKERS),  # only on an email standing in for a translation
    "Reference": {"note"},  # only when the editor wrote one
    "SchemaOrg": {"mentions", "lastReviewed", "reviewedBy", "dateModified"},
    "SchemaOrgThing": {"url"},
    "SchemaOrgArticle": {"isPartOf", "identifier", "url"},
    "SchemaOrgDrug": {"drugClass", "identifier"},
    "SchemaOrgReviewer": {"honorificSuffix", "jobTitle"},
    "SchemaOrgMedicalCondition": {"alternateName", "code"},
    "SchemaOrgMedicalCause": {"code"},
    "SchemaOrgDrugClass": {"code"},
    "SchemaOrgMedicalTherapy": {"drug", "contraindication", "adverseOutcome", "code"},
    "PreviewTokenRequest": {"ttl"},  # an hour by default
}


@pytest.fixture
def schema(db):  # filter parameters are derived from querysets: needs the database
    document = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(document)  # raises on an invalid OpenAPI 3 document
    return document


def resolve(schema, node, channel="web"):
    """The component `node` refers to (or its items do); of a component offering each
    channel's shape, `channel`'s."""
    ref = node.get("$ref") or (node.get("items") or {}).get("$ref")
    found = schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    if "anyOf" in found:
        return resolve(schema, found["anyOf"][CHANNEL_INDEX[channel]], channel)
    return found


def link_schema_for(schema, prop, link):
    """The component documenting `link`, one of the items of relation property `prop`."""
    found = resolve(schema, prop)
    if "discriminator" in found:
        ref = found["discriminator"]["mapping"][link["type"]]
        found = schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    return found


def json_schema(node):
    """An OpenAPI 3.0 schema as JSON Schema: `nullable: true` becomes "or null"."""
    if isinstance(node, list):
        return [json_schema(child) for child in node]
    if not isinstance(node, dict):
        return node
    converted = {key: json_schema(value) for key, value in node.items() if key != "nullable"}
    if node.get("nullable") is True:
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


def response_validator(schema, path, status, channel=None):
    """Validates a response as documented; with `channel`, only as that channel's shape (each
    component offering both shapes keeps only that channel's)."""
    from shapes.schema import CHANNEL_COMPONENTS

    content = schema["paths"][path]["get"]["responses"][str(status)]["content"]
    documented = content["application/json"]["schema"]
    components = dict(schema["components"]["schemas"])
    if channel:
        for name in CHANNEL_COMPONENTS & set(components):
            components[name] = components[name]["anyOf"][CHANNEL_INDEX[channel]]
    return Draft7Validator(
        {
            "allOf": [json_schema(documented)],
            "components": {"schemas": json_schema(components)},
        }
    )


def documented_path(url):
    path = url.split("?", 1)[0]
    for collection in COLLECTIONS:
        if re.fullmatch(f"/api/v1/{collection}/[^/]+/", path):
            return f"/api/v1/{collection}/{{slug}}/"
    return path


def every_schema(node, where):
    """(where, schema) of `node` and every schema nested in it."""
    if isinstance(node, dict):
        yield where, node
        for key, value in node.items():
            if key == "properties":
                for name, child in value.items():
                    yield from every_schema(child, f"{where}.{name}")
            elif key in ("items", "additionalProperties", "allOf", "oneOf", "anyOf"):
                yield from every_schema(value, f"{where}/{key}")
    elif isinstance(node, list):
        for n, child in enumerate(node):
            yield from every_schema(child, f"{where}[{n}]")


def test_every_endpoint_is_documented_with_its_errors(schema):
    expected = {"/api/v1/search/", "/api/v1/pages/", "/api/v1/sync/", "/api/v1/campaigns/"}
    expected |= {"/api/v1/", "/api/v1/navigation/", "/api/v1/sitemap/", "/api/v1/symptoms/"}
    expected |= {"/api/v1/campaigns/{slug}/", "/api/v1/feeds/campaigns/{slug}.rss"}
    expected |= {"/api/v1/feeds/{collection}.rss", "/api/v1/feeds/{collection}.atom"}
    expected |= {"/api/v1/preview/", "/api/v1/preview/email/", TOKENS}
    for collection in COLLECTIONS:
        expected |= {f"/api/v1/{collection}/", f"/api/v1/{collection}/{{slug}}/"}
        expected |= {f"/api/v1/{collection}/{{slug}}/email/"}
    assert set(schema["paths"]) == expected
    assert set(schema["paths"][TOKENS]) == {"post"}  # the one write: minting a preview token
    responses = schema["paths"][TOKENS]["post"]["responses"]
    assert {"201", "400", "401", "403", "415", "429"} <= set(responses)
    assert "304" not in responses
    body = schema["paths"][TOKENS]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"]["$ref"].endswith("/PreviewTokenRequest")
    assert schema["components"]["schemas"]["PreviewTokenRequest"]["additionalProperties"] is False
    for path, operations in schema["paths"].items():
        if path == TOKENS:
            continue
        responses = operations["get"]["responses"]
        # nothing to find at /sync/, but a cursor can be too old
        missing = "410" if path == "/api/v1/sync/" else "404"
        assert {"200", "304", "400", "401", "403", missing, "429"} <= set(responses), path
        for status in ("400", "401", "403", missing, "429"):
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


def test_no_value_is_an_untyped_object(schema):
    """Generated TypeScript must never say `{[key: string]: unknown}` or `unknown`."""
    documents = {f"#/components/schemas/{n}": s for n, s in schema["components"]["schemas"].items()}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                for media, content in response.get("content", {}).items():
                    documents[f"{method} {path} {status} {media}"] = content["schema"]
    for name, document in documents.items():
        for where, node in every_schema(document, name):
            if node.get("additionalProperties") in ({}, True):
                assert where in OPEN_OBJECTS, f"{where}: additionalProperties without a schema"
            typed = {"type", "$ref", "allOf", "oneOf", "anyOf", "enum"} & set(node)
            assert typed, f"{where}: no type"
            if node.get("type") == "object":
                assert "properties" in node or "additionalProperties" in node, f"{where}: bare"


def test_items_require_only_what_fields_cannot_drop(schema):
    components = schema["components"]["schemas"]
    for name in ITEM_SCHEMAS:
        item = components[name]
        assert item["required"] == ["id", "type"], name
        assert "`fields=`" in item["description"], name
        kind = re.sub("(List|Detail)(App)?$", "", name)
        assert item["properties"]["type"]["allOf"][0]["$ref"].endswith(f"/{kind}Type"), name
    links = [
        name
        for name in components
        if re.search("Link(App)?$", name) and name not in ("SymptomLink", "RichTextLink")
    ]
    assert "ConditionCausesLink" in links and "TherapyRelievesCauseLink" in links
    assert "ConditionCausesLinkApp" in links
    for name in links:
        link = components[name]
        if "oneOf" in link:  # a relation to several types: one link schema per type
            assert link["discriminator"]["propertyName"] == "type", name
            continue
        annotations = link["required"][len(REFERENCE_KEYS) :]
        assert link["required"][: len(REFERENCE_KEYS)] == REFERENCE_KEYS, name
        assert annotations, name
        assert "expand=" in link["description"], name
    for name, component in components.items():
        if name in ITEM_SCHEMAS or name in links or name.startswith("Paginated"):
            continue  # (the list envelope is drf-spectacular's, from api/http/pagination.py)
        if "properties" not in component:
            continue  # enums and oneOfs
        optional = set(component["properties"]) - set(component.get("required", []))
        if name.endswith(FULL_SUFFIX):  # every property, but the marks of a fallback item
            assert optional == set(FALLBACK_MARKERS), name
        else:
            assert optional == OPTIONAL_KEYS.get(name, set()), name


def test_every_block_type_has_its_schema(schema):
    from pages.blocks import BodyBlock, TreatmentApproachBlock

    components = schema["components"]["schemas"]
    body = components["BodyBlock"]
    assert body["discriminator"]["propertyName"] == "type"
    assert set(body["discriminator"]["mapping"]) == set(BodyBlock.base_blocks)
    for block_type, ref in body["discriminator"]["mapping"].items():
        block = components[ref.rsplit("/", 1)[-1]]
        assert set(block["required"]) == {"type", "id", "value"}
        enum = components[block["properties"]["type"]["$ref"].rsplit("/", 1)[-1]]
        assert enum["enum"] == [block_type]
    step = components["TreatmentApproachStep"]
    assert set(TreatmentApproachBlock.base_blocks) == {"step"}
    assert components[step["properties"]["type"]["$ref"].rsplit("/", 1)[-1]]["enum"] == ["step"]


@pytest.mark.parametrize("channel", ["web", "app"])
@pytest.mark.parametrize("collection", COLLECTIONS)
def test_responses_carry_exactly_the_documented_properties(
    schema, get, seeded, collection, channel
):
    def api(path):
        return get(path + ("&" if "?" in path else "?") + f"channel={channel}")

    list_operation = schema["paths"][f"/api/v1/{collection}/"]["get"]
    page_schema = resolve(
        schema, list_operation["responses"]["200"]["content"]["application/json"]["schema"]
    )
    item_schema = resolve(schema, page_schema["properties"]["results"], channel)
    body = api(f"/api/v1/{collection}/").json()
    assert set(body) == set(page_schema["properties"])
    item = body["results"][0]
    # only an item standing in for a missing translation carries FALLBACK_MARKERS (see below)
    assert set(item) == set(item_schema["properties"]) - set(FALLBACK_MARKERS)
    fallback = api(f"/api/v1/{collection}/?locale=es").json()["results"][0]
    assert set(fallback) == set(item_schema["properties"])

    detail_operation = schema["paths"][f"/api/v1/{collection}/{{slug}}/"]["get"]
    detail_schema = resolve(
        schema,
        detail_operation["responses"]["200"]["content"]["application/json"]["schema"],
        channel,
    )
    detail = api(f"/api/v1/{collection}/{item['slug']}/").json()
    assert set(detail) == set(detail_schema["properties"]) - set(FALLBACK_MARKERS)
    fallback = api(f"/api/v1/{collection}/{item['slug']}/?locale=es").json()
    assert set(fallback) == set(detail_schema["properties"])
    expanded = api(f"/api/v1/{collection}/?expand={','.join(relation_names(collection))}").json()
    for name, prop in item_schema["properties"].items():
        if prop.get("type") == "array" and "$ref" in prop.get("items", {}) and item[name]:
            link = item[name][0]
            link_schema = link_schema_for(schema, prop, link)
            if name in relation_names(collection):
                # a reference carries the keys always present; expanded, every documented one
                assert set(link) == set(link_schema["required"]), name
                full = expanded["results"][0][name][0]
                assert set(full) == set(link_schema_for(schema, prop, full)["properties"]), name
            else:
                assert set(link) == set(link_schema["properties"]), name


def relation_names(collection):
    from pages.models import CONTENT_PAGE_MODELS
    from shapes.relations import expandable

    model = next(m for m in CONTENT_PAGE_MODELS if registry.of(m).collection == collection)
    return sorted(expandable(model))


@pytest.fixture
def every_kind_of_value(seeded, settings, tmp_path, django_capture_on_commit_callbacks):
    """The seed content plus what it lacks: a hero image, a body with every block type, a
    contraindication note and two redirects."""
    from wagtail.contrib.redirects.models import Redirect

    import wagtail_factories

    from pages.models import CausePage, ConditionPage, Reference, TherapyPage

    settings.MEDIA_ROOT = tmp_path
    page = ConditionPage.objects.get(slug="neuropathic-pain")
    image = wagtail_factories.ImageFactory(file__width=1400, file__height=900)
    page.hero_image, page.hero_image_alt = image, "A clinician talking with a patient"
    references = list(Reference.objects.values_list("pk", flat=True)[:2])
    page.body = [
        {"type": "heading", "value": {"text": "What it is", "level": "h2"}},
        {"type": "paragraph", "value": "<p>Nerve pain.</p>"},
        {"type": "image", "value": {"image": image.pk, "alt_text": "A nerve", "decorative": False}},
        {"type": "image", "value": {"image": image.pk, "alt_text": "", "decorative": True}},
        {"type": "callout", "value": {"tone": "warning", "title": "", "text": "<p>Call.</p>"}},
        {"type": "evidence_claim", "value": {"claim": "<p>Works.</p>", "references": references}},
    ]
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()
        therapy = TherapyPage.objects.get(slug="ketamine-infusion-therapy")
        rows = list(therapy.contraindications.all())
        rows[0].note = "Only after a cardiology review."
        therapy.contraindications = rows
        therapy.save_revision().publish()
    Redirect.objects.create(
        old_path="/old-shingles", redirect_page=CausePage.objects.get(slug="shingles")
    )
    Redirect.objects.create(
        old_path="/elsewhere", redirect_link="https://example.org/pain", is_permanent=False
    )


def test_live_responses_match_the_documented_schemas(schema, api, every_kind_of_value):
    urls = ["/api/v1/search/?q=nerve%20pain", "/api/v1/search/?q=ketamine&limit=100"]
    for collection in COLLECTIONS:
        relations = ",".join(relation_names(collection))
        urls += [
            f"/api/v1/{collection}/",
            f"/api/v1/{collection}/?expand={relations}",
            f"/api/v1/{collection}/?fields=title,url",
        ]
        for item in api(f"/api/v1/{collection}/?limit=100").json()["results"]:
            urls += [
                f"/api/v1/{collection}/{item['slug']}/",
                f"/api/v1/{collection}/{item['slug']}/?expand={relations}",
                f"/api/v1/{collection}/{item['slug']}/?fields=title,url",
                f"/api/v1/pages/?path={urlsplit(item['url']).path}",
            ]
    urls += [
        "/api/v1/therapies/ketamine-infusion-therapy/?fields=safety,relieves",
        "/api/v1/pages/?path=/old-shingles/",
        "/api/v1/pages/?path=/elsewhere/",
    ]
    urls += ["/api/v1/sync/?limit=100", "/api/v1/sync/?limit=3&types=therapies"]
    statuses = set()
    for url, channel in [(url, channel) for url in urls for channel in ("web", "app")]:
        asked = url + ("&" if "?" in url else "?") + f"channel={channel}"
        response = api(asked)
        statuses.add(response.status_code)
        validator = response_validator(schema, documented_path(url), response.status_code, channel)
        errors = [
            f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator.iter_errors(response.json())
        ]
        assert not errors, f"{asked}:\n" + "\n".join(errors[:10])
    assert statuses == {200, 301, 302}
    body = api("/api/v1/conditions/neuropathic-pain/?fields=body").json()["body"]
    assert body[0]["value"] == {"text": "What it is", "level": 2}  # a number, as in rich text
    # each channel's shape is told apart: the web shape is not the app's
    app_validator = response_validator(schema, "/api/v1/therapies/{slug}/", 200, "app")
    assert not app_validator.is_valid(api("/api/v1/therapies/ketamine-infusion-therapy/").json())
    # The validation has teeth: the old shape of a therapy's contraindications is refused.
    therapy = api("/api/v1/therapies/ketamine-infusion-therapy/").json()
    validator = response_validator(schema, "/api/v1/therapies/{slug}/", 200)
    assert validator.is_valid(therapy)
    therapy["safety"]["contraindications"] = ["Pregnancy"]
    assert not validator.is_valid(therapy)
    body = api("/api/v1/conditions/neuropathic-pain/").json()["body"]
    assert [block["type"] for block in body] == [
        "heading",
        "paragraph",
        "image",
        "image",
        "callout",
        "evidence_claim",
    ]


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


def test_the_document_is_built_once_per_process_and_again_when_a_setting_changes(
    client, settings, monkeypatch
):
    from drf_spectacular.generators import SchemaGenerator

    from api.http.openapi import forget_documents

    built = []
    original = SchemaGenerator.get_schema

    def counting(self, request=None, public=False):
        built.append(public)
        return original(self, request=request, public=public)

    monkeypatch.setattr(SchemaGenerator, "get_schema", counting)
    forget_documents()
    first = client.get("/api/v1/schema/?format=json")
    assert first.status_code == 200
    assert client.get("/api/v1/schema/?format=json").content == first.content
    assert client.get("/api/v1/schema/").status_code == 200  # YAML: the same document
    assert len(built) == 1
    settings.PREVIEW_URLS = {"web": "https://www.example-clinic.test/preview?token={token}"}
    assert client.get("/api/v1/schema/?format=json").status_code == 200
    assert len(built) == 2  # a changed setting may change the document: built again
