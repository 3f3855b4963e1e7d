from pages.models import ConditionPage


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


def test_surrogate_keys(api, seeded):
    condition = ConditionPage.objects.get(slug="neuropathic-pain")
    detail = api("/api/v1/conditions/neuropathic-pain/")
    assert detail["Surrogate-Key"].split() == ["collection-conditions", f"page-{condition.pk}"]
    assert detail["Cache-Tag"] == f"collection-conditions,page-{condition.pk}"
    listing = api("/api/v1/causes/")
    keys = listing["Surrogate-Key"].split()
    assert keys[0] == "collection-causes" and len(keys) == 1 + 8
    assert "collection-search" in api("/api/v1/search/?q=pain")["Surrogate-Key"]


def test_errors_are_not_cacheable_as_content(api):
    response = api("/api/v1/conditions/?limit=0")
    assert response.status_code == 400 and not response.has_header("ETag")


def test_surrogate_header_falls_back_to_collection_keys_when_too_long():
    from api.caching import surrogate_header_values

    keys = ["collection-conditions"] + [f"page-{n}" for n in range(5000)]
    surrogate, tag = surrogate_header_values(keys)
    assert surrogate == "collection-conditions" and tag == "collection-conditions"
