from pages.models import ConditionPage

SEED_ONCE = True  # every database test reads the seed (tests/conftest.py)


def test_etag_and_304(api):
    first = api("/api/v1/conditions/neuropathic-pain/")
    etag = first["ETag"]
    assert etag.startswith('W/"') and first["Cache-Control"].startswith("public")
    again = api("/api/v1/conditions/neuropathic-pain/", IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    stale = api("/api/v1/conditions/neuropathic-pain/", IF_NONE_MATCH='W/"something-else"')
    assert stale.status_code == 200


def test_etag_changes_when_a_linked_page_title_changes(api, seeded):
    etag = api("/api/v1/conditions/neuropathic-pain/")["ETag"]
    from pages.models import CausePage

    cause = CausePage.objects.get(slug="shingles")
    cause.title = "Shingles (herpes zoster)"
    cause.save_revision().publish()
    response = api("/api/v1/conditions/neuropathic-pain/", IF_NONE_MATCH=etag)
    assert response.status_code == 200 and response["ETag"] != etag


def test_every_200_get_has_caching_headers(api):
    for path in [
        "/api/v1/conditions/",
        "/api/v1/causes/shingles/",
        "/api/v1/search/?q=pain",
        "/api/v1/pages/?path=/conditions/neuropathic-pain/",
    ]:
        response = api(path)
        assert response.status_code == 200, path
        assert response["ETag"] and response["Cache-Control"], path


def test_surrogate_keys_name_everything_the_response_shows(api, seeded):
    condition = ConditionPage.objects.get(slug="neuropathic-pain")
    detail = api("/api/v1/conditions/neuropathic-pain/")
    keys = detail["Surrogate-Key"].split()
    assert keys[0] == "collection-conditions"
    assert detail["Cache-Tag"] == ",".join(keys)
    expected = {f"page-{condition.pk}"}
    expected |= {f"page-{link.cause_id}" for link in condition.cause_links.all()}
    expected |= {f"page-{link.treatment_id}" for link in condition.treatment_links.all()}
    expected |= {f"snippet-symptom-{link.symptom_id}" for link in condition.symptom_links.all()}
    expected |= {
        f"snippet-reference-{link.reference_id}" for link in condition.reference_links.all()
    }
    expected |= {f"snippet-medicalcode-{link.code_id}" for link in condition.code_links.all()}
    expected |= {f"snippet-reviewer-{condition.reviewed_by_id}"}
    assert expected <= set(keys)
    assert f"snippet-disclaimer-{condition.get_disclaimer().pk}" in keys
    listing = api("/api/v1/causes/?fields=title")
    listed = [f"page-{item['id']}" for item in listing.json()["results"]]
    assert set(listed) <= set(listing["Surrogate-Key"].split())
    assert "collection-search" in api("/api/v1/search/?q=pain")["Surrogate-Key"]


def test_errors_are_not_cacheable_as_content(api):
    response = api("/api/v1/conditions/?limit=0")
    assert response.status_code == 400 and not response.has_header("ETag")


def test_surrogate_header_falls_back_to_collection_keys_when_too_long():
    from api.http.cache_headers import surrogate_header_values

    keys = ["collection-conditions"] + [f"page-{n}" for n in range(5000)]
    surrogate, tag = surrogate_header_values(keys)
    assert surrogate == "collection-conditions" and tag == "collection-conditions"
