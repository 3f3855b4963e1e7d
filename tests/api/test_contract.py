"""Pin the JSON shape the website and the app code against, and the seed facts through it."""

import re

import pytest

WEBSITE = "https://www.example-clinic.test"
API = "https://api.example-clinic.test"
ITEM_KEYS = {
    "id",
    "type",
    "slug",
    "title",
    "summary",
    "url",
    "api_url",
    "revision_id",
    "first_published_at",
    "last_published_at",
    "hero_image",
    "review_status",
    "locale",
    "translation_status",
}
RELATIONS = {
    "conditions": {"causes", "treatments", "therapies", "symptoms"},
    "causes": {"conditions", "therapies"},
    "treatments": {"conditions", "category"},
    "therapies": {"relieves", "provider_name"},
}
DETAIL_KEYS = {
    "breadcrumbs",
    "body",
    "medical_review",
    "references",
    "codes",
    "disclaimer",
    "seo",
    "schema_org",
}
TYPE_KEYS = {
    "conditions": {"also_known_as", "symptoms_overview", "subtypes", "treatment_approach"},
    "causes": {"resulting_pain_syndrome", "statistics"},
    "treatments": {"drug_class", "example_drugs", "how_it_works", "evidence_notes"},
    "therapies": {
        "evidence_summary",
        "drug",
        "mechanism_of_action",
        "what_to_expect",
        "call_to_action",
        "safety",
    },
}
REFERENCE_KEYS = {"id", "type", "slug", "title", "url", "api_url"}

SEED_ONCE = True  # every database test reads the seed (tests/conftest.py)


@pytest.mark.parametrize("collection", RELATIONS)
def test_list_envelope_and_item_shape(api, collection):
    response = api(f"/api/v1/{collection}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == len(body["results"]) > 0
    for item in body["results"]:
        assert set(item) == ITEM_KEYS | RELATIONS[collection]
        assert item["url"].startswith(WEBSITE + "/" + collection + "/")
        assert item["api_url"] == f"{API}/api/v1/{collection}/{item['slug']}/"
        assert isinstance(item["revision_id"], int)
    titles = [item["title"] for item in body["results"]]
    assert titles == sorted(titles)


@pytest.mark.parametrize("collection", RELATIONS)
def test_detail_shape(api, collection):
    first = api(f"/api/v1/{collection}/").json()["results"][0]
    item = api(f"/api/v1/{collection}/{first['slug']}/").json()
    assert set(item) == ITEM_KEYS | RELATIONS[collection] | DETAIL_KEYS | TYPE_KEYS[collection]
    assert list(item)[:3] == ["id", "type", "slug"]
    assert set(item["medical_review"]) == {
        "reviewed_by",
        "last_reviewed",
        "next_review_due",
        "status",
    }
    assert item["medical_review"]["last_reviewed"] == "2026-03-10"
    assert item["medical_review"]["status"] == "current"
    assert "not personal medical advice" in item["disclaimer"]["text"]
    assert item["seo"]["canonical_url"] == item["url"]
    assert item["schema_org"]["@type"] == "MedicalWebPage"


def test_urls_come_from_settings_not_the_host_header(api):
    response = api("/api/v1/conditions/", HOST="evil.example")
    # The host is refused by ALLOWED_HOSTS; with an allowed host, URLs still use the settings.
    assert response.status_code == 400
    item = api("/api/v1/conditions/", HOST="localhost").json()["results"][0]
    assert item["url"].startswith(WEBSITE) and item["api_url"].startswith(API)


def test_neuropathic_pain_through_the_api(api):
    item = api("/api/v1/conditions/neuropathic-pain/").json()
    assert item["also_known_as"] == ["Nerve pain"]
    assert [c["slug"] for c in item["causes"]] == [
        "diabetic-peripheral-neuropathy",
        "complex-regional-pain-syndrome",
        "amputation",
        "alcoholism",
        "spine-problems",
        "hiv-infection",
        "multiple-sclerosis",
        "shingles",
    ]
    first = item["causes"][0]
    assert set(first) == REFERENCE_KEYS | {"is_most_common", "prevalence", "note"}
    assert first["is_most_common"] is True and "50%" in first["prevalence"]
    assert [s["slug"] for s in item["symptoms"]] == [
        "shooting-pain",
        "burning-pain",
        "tingling",
        "numbness",
    ]
    assert set(item["symptoms"][0]) == {"id", "slug", "name", "description", "note"}
    opioids = next(t for t in item["treatments"] if t["slug"] == "opioids")
    assert "respond poorly to opioid" in opioids["efficacy_caveat"]
    assert [t["slug"] for t in item["therapies"]] == ["ketamine-infusion-therapy"]
    assert item["subtypes"][0]["name"] == "Peripheral neuropathy"
    steps = item["treatment_approach"]
    assert [s["value"]["aim"] for s in steps] == ["underlying-cause", "symptoms"]
    assert set(steps[0]["value"]["causes"][0]) == REFERENCE_KEYS
    assert item["codes"] == [
        {
            "system": "SNOMED CT",
            "value": "247398009",
            "display_name": "Neuropathic pain",
            "verified": False,
        }
    ]


def test_ketamine_therapy_through_the_api(api):
    item = api("/api/v1/therapies/ketamine-infusion-therapy/").json()
    assert [(r["type"], r["slug"], r["label"]) for r in item["relieves"]] == [
        ("cause", "diabetic-peripheral-neuropathy", ""),
        ("cause", "shingles", ""),
        ("cause", "amputation", "Phantom limb pain"),
        ("cause", "complex-regional-pain-syndrome", ""),
        ("condition", "neuropathic-pain", ""),
    ]
    assert item["drug"]["mechanism_target"] == "NMDA receptor"
    assert "NMDA receptor" in item["mechanism_of_action"]
    safety = item["safety"]
    assert safety["off_label"] is True
    assert {"name": "Pregnancy", "note": ""} in safety["contraindications"]
    assert {s["name"] for s in safety["side_effects"]} >= {"Nausea", "Dizziness"}
    assert safety["source"]["doi"] == "10.1097/AAP.0000000000000808"
    claim = next(b for b in item["body"] if b["type"] == "evidence_claim")
    assert [r["doi"] for r in claim["value"]["references"]] == [
        "10.1213/ANE.0000000000004185",
        "10.1097/AAP.0000000000000808",
    ]
    assert {r["pmid"] for r in item["references"]} == {None, "31082965"}


def test_what_editors_write_about_symptoms_and_contraindications_reaches_the_api(api, seeded):
    from pages.models import Symptom, TherapyPage

    tingling = Symptom.objects.get(slug="tingling")
    item = api("/api/v1/conditions/neuropathic-pain/").json()
    listed = next(s for s in item["symptoms"] if s["slug"] == "tingling")
    assert listed["description"] == tingling.description != ""
    step = item["treatment_approach"][1]["value"]
    chosen = next(s for s in step["symptoms"] if s["slug"] == "tingling")
    assert chosen == {
        "id": tingling.pk,
        "slug": "tingling",
        "name": "Tingling",
        "description": tingling.description,
    }

    page = TherapyPage.objects.get(slug="ketamine-infusion-therapy")
    rows = list(page.contraindications.all())
    pregnancy = next(row for row in rows if row.name == "Pregnancy")
    pregnancy.note = "Not studied in pregnancy; avoid."
    page.contraindications = rows
    page.save_revision().publish()
    item = api("/api/v1/therapies/ketamine-infusion-therapy/").json()
    assert {"name": "Pregnancy", "note": "Not studied in pregnancy; avoid."} in item["safety"][
        "contraindications"
    ]
    assert [c["name"] for c in item["safety"]["contraindications"]] == [row.name for row in rows]
    # schema.org's MedicalTherapy.contraindication stays the names
    assert "Pregnancy" in item["schema_org"]["about"]["contraindication"]


def test_rich_text_is_client_html(api, seeded):
    from api.record import changes
    from pages.models import CausePage, ConditionPage

    page = ConditionPage.objects.get(slug="neuropathic-pain")
    shingles = CausePage.objects.get(slug="shingles")
    page.body = [
        {
            "type": "paragraph",
            "value": f'<p>See <a linktype="page" id="{shingles.pk}">shingles</a> and '
            '<a href="javascript:alert(1)">this</a>.</p>',
        }
    ]
    # saving refuses the unsafe link (pages/link_safety.py): written around it, as content
    # stored before that check could be, it is still dropped when read
    ConditionPage.objects.filter(pk=page.pk).update(body=page.body)
    changes.refresh(page_ids=[page.pk])
    body = api("/api/v1/conditions/neuropathic-pain/").json()["body"]
    html = body[0]["value"]
    assert f'<a href="{WEBSITE}/causes/shingles/">shingles</a>' in html
    assert "linktype" not in html and "embedtype" not in html and "javascript:" not in html
    assert re.match(r"^[0-9a-f-]{36}$", body[0]["id"])


def test_fields_and_expand(api):
    item = api("/api/v1/conditions/?fields=title,causes").json()["results"][0]
    assert set(item) == {"id", "type", "title", "causes"}
    expanded = api("/api/v1/conditions/?fields=causes&expand=causes").json()["results"][0]
    cause = expanded["causes"][0]
    assert set(cause) == ITEM_KEYS | RELATIONS["causes"] | {"is_most_common", "prevalence", "note"}
    assert cause["is_most_common"] is True
    assert set(cause["conditions"][0]) == REFERENCE_KEYS | {"is_most_common", "prevalence", "note"}
    detail = api("/api/v1/therapies/ketamine-infusion-therapy/?fields=safety").json()
    assert set(detail) == {"id", "type", "safety"}


def test_expand_a_relation_of_mixed_types(api):
    """A therapy's `relieves` points at causes and conditions: each expands to its own list
    shape (with its own relations) plus the link annotations, in the editor's order."""
    item = api("/api/v1/therapies/ketamine-infusion-therapy/?expand=relieves").json()
    flat = api("/api/v1/therapies/ketamine-infusion-therapy/").json()["relieves"]
    relieves = item["relieves"]
    assert [(r["type"], r["slug"]) for r in relieves] == [(r["type"], r["slug"]) for r in flat]
    annotations = {"label", "note"}
    amputation = next(r for r in relieves if r["slug"] == "amputation")
    assert set(amputation) == ITEM_KEYS | RELATIONS["causes"] | annotations
    assert amputation["label"] == "Phantom limb pain"
    assert [c["slug"] for c in amputation["conditions"]] == ["neuropathic-pain"]
    condition = next(r for r in relieves if r["type"] == "condition")
    assert set(condition) == ITEM_KEYS | RELATIONS["conditions"] | annotations
    assert len(condition["causes"]) == 8
    assert [t["slug"] for t in condition["therapies"]] == ["ketamine-infusion-therapy"]
    listed = api("/api/v1/therapies/?expand=relieves").json()["results"][0]["relieves"]
    assert listed == relieves


def test_json_ld_uses_only_schema_org_vocabulary(api):
    import msgspec_schemaorg.models as vocabulary

    def check(node, where):
        if isinstance(node, list):
            for n, child in enumerate(node):
                check(child, f"{where}[{n}]")
            return
        if not isinstance(node, dict):
            return
        schema_type = node.get("@type")
        cls = getattr(vocabulary, schema_type, None) if schema_type else None
        assert cls is not None, f"{where}: unknown schema.org type {schema_type!r}"
        for key, value in node.items():
            if key.startswith("@"):
                continue
            assert key in cls.__struct_fields__, f"{where}: {schema_type} has no property {key!r}"
            check(value, f"{where}.{key}")

    for collection in RELATIONS:
        for item in api(f"/api/v1/{collection}/").json()["results"]:
            ld = api(f"/api/v1/{collection}/{item['slug']}/").json()["schema_org"]
            check(ld, f"{collection}/{item['slug']}")
    ld = api("/api/v1/therapies/ketamine-infusion-therapy/").json()["schema_org"]
    assert ld["about"]["@type"] == "MedicalTherapy"
    assert ld["about"]["drug"]["identifier"][0] == {
        "@type": "PropertyValue",
        "propertyID": "ATC",
        "value": "N01AX03",
    }
    condition = api("/api/v1/conditions/neuropathic-pain/").json()["schema_org"]
    assert len(condition["about"]["signOrSymptom"]) == 4
    assert {m["causeOf"]["name"] for m in condition["mentions"]} == {"Neuropathic pain"}


def test_hero_image_renditions(api, seeded, settings, tmp_path):
    import wagtail_factories

    from pages.models import ConditionPage

    settings.MEDIA_ROOT = tmp_path
    page = ConditionPage.objects.get(slug="neuropathic-pain")
    page.hero_image = wagtail_factories.ImageFactory(file__width=2000, file__height=1200)
    page.hero_image_alt = "A clinician talking with a patient"
    page.save_revision().publish()
    hero = api("/api/v1/conditions/neuropathic-pain/").json()["hero_image"]
    assert hero["alt"] == "A clinician talking with a patient"
    assert set(hero["renditions"]) == {"small", "medium", "large"}
    medium = hero["renditions"]["medium"]
    assert (medium["width"], medium["height"]) == (1200, 675)
    assert medium["url"].startswith(API + "/media/") and medium["format"] in {"png", "jpg", "jpeg"}
    assert medium["webp"]["url"].endswith(".webp") and medium["webp"]["width"] == 1200
    assert medium["webp"]["format"] == "webp"
    # the whole image for srcset, 320 to 1920 wide (never wider than the 2000 px original)
    srcset = hero["srcset"]
    assert [(r["width"], r["height"]) for r in srcset] == [
        (320, 192), (640, 384), (960, 576), (1280, 768), (1920, 1152)
    ]  # fmt: skip
    assert all(r["webp"]["format"] == "webp" and r["webp"]["width"] == r["width"] for r in srcset)
    assert (hero["width"], hero["height"], hero["focal_point"]) == (2000, 1200, None)
    listed = api("/api/v1/conditions/?fields=hero_image").json()["results"][0]["hero_image"]
    assert listed == {key: value for key, value in hero.items() if key != "srcset"}
    image = page.hero_image
    image.focal_point_x, image.focal_point_y = 500, 300
    image.focal_point_width, image.focal_point_height = 200, 100
    image.save()
    from api.record.changes import refresh

    refresh(everything=True)
    hero = api("/api/v1/conditions/neuropathic-pain/").json()["hero_image"]
    assert hero["focal_point"] == {"x": 500, "y": 300, "width": 200, "height": 100}


def test_a_narrow_image_is_never_enlarged_for_srcset(api, seeded, settings, tmp_path):
    import wagtail_factories

    from pages.models import ConditionPage

    settings.MEDIA_ROOT = tmp_path
    page = ConditionPage.objects.get(slug="neuropathic-pain")
    page.hero_image = wagtail_factories.ImageFactory(file__width=700, file__height=400)
    page.hero_image_alt = "A small picture"
    page.save_revision().publish()
    hero = api("/api/v1/conditions/neuropathic-pain/").json()["hero_image"]
    assert [r["width"] for r in hero["srcset"]] == [320, 640, 700]


def test_a_link_to_a_document_is_typed_in_both_channels(api, seeded, settings, tmp_path):
    from pages.models import ConditionPage
    from tests.pages.test_media import make_document

    settings.MEDIA_ROOT = tmp_path
    size = len(b"%PDF-1.4 a leaflet")
    document = make_document(name="leaflet.pdf", file_size=size)  # as an upload records it
    page = ConditionPage.objects.get(slug="neuropathic-pain")
    link = f'<p>Read <a linktype="document" id="{document.pk}">the leaflet</a>.</p>'
    page.body = [{"type": "paragraph", "value": link}]
    page.save_revision().publish()
    html = api("/api/v1/conditions/neuropathic-pain/?fields=body").json()["body"][0]["value"]
    assert (
        f'<a href="{API}/documents/{document.pk}/leaflet.pdf" data-document-id="{document.pk}" '
        f'data-file-type="pdf" data-file-size="{size}">the leaflet</a>'
    ) in html
    app = api("/api/v1/conditions/neuropathic-pain/?fields=body&channel=app").json()
    (node,) = [n for n in app["body"][0]["value"][0]["children"] if n["type"] == "link"]
    assert node["href"] == f"{API}/documents/{document.pk}/leaflet.pdf"
    assert node["target"] == {
        "type": "document", "id": document.pk, "file_type": "pdf", "file_size": size
    }  # fmt: skip
    document.delete()
    from api.record.changes import refresh

    refresh(everything=True)
    html = api("/api/v1/conditions/neuropathic-pain/?fields=body").json()["body"][0]["value"]
    assert html == "<p>Read the leaflet.</p>"
