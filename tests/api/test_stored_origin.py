"""The bytes an item is stored as never depend on the origin (API_BASE_URL) of the process
that wrote them: stored copies hold a placeholder the read path replaces, so processes serving
different origins share one record without rewriting it, and sync clients never re-download
the catalogue because another process refreshed it."""

import orjson

from api.models import RepresentationState
from api.record.changes import refresh
from shapes.representation import STORED_ORIGIN

DETAIL = "/api/v1/therapies/ketamine-infusion-therapy/"

SEED_ONCE = True  # every database test reads the seed (tests/conftest.py)


def stored_rows():
    return list(
        RepresentationState.objects.order_by("page_id").values_list(
            "page_id", "detail", "list_item", "app_detail", "fingerprint", "change"
        )
    )


def strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict | list):
        for item in value.values() if isinstance(value, dict) else value:
            yield from strings(item)


def test_stored_copies_hold_no_origin(api, settings):
    origin = settings.API_BASE_URL.encode()
    for _, *bodies, _, _ in stored_rows():
        for body in bodies:
            assert origin not in bytes(body)
    assert any(STORED_ORIGIN.encode() in bytes(row[1]) for row in stored_rows())


def test_each_origin_is_served_its_own_urls_from_the_same_stored_copies(api, settings, client):
    before = stored_rows()
    first = client.get(DETAIL, {"channel": "app"})
    other = settings.API_BASE_URL = "http://127.0.0.1:8322"
    second = client.get(DETAIL, {"channel": "app"})
    for response, origin in ((first, "https://api.example-clinic.test"), (second, other)):
        data = orjson.loads(response.content)
        assert data["api_url"].startswith(origin + "/api/v1/")
        ours = [url for url in strings(data) if "/media/" in url or "/api/v1/" in url]
        assert ours and all(url.startswith(origin) for url in ours)
        assert STORED_ORIGIN.encode() not in response.content
    assert first["ETag"] != second["ETag"]  # a client's copy for one origin is not the other's
    # a process with another origin refreshing everything rewrites nothing
    refresh(everything=True)
    assert stored_rows() == before


def test_feeds_and_lists_carry_this_origin(api, settings, client):
    settings.API_BASE_URL = "http://localhost:9000"
    for path in ("/api/v1/therapies/", "/api/v1/feeds/therapies.rss", "/api/v1/sync/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert b"https://api.example-clinic.test" not in response.content, path
        assert STORED_ORIGIN.encode() not in response.content, path
