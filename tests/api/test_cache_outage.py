"""The shared cache may go down; the API keeps answering from the database."""


def test_the_api_keeps_serving_when_redis_is_unreachable(api, settings, caplog):
    """An outage of the shared cache costs speed, never a 500 (api/cache.py)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "api.cache.TolerantRedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # the discard port: nothing answers
            "OPTIONS": {"socket_connect_timeout": 0.2},
        }
    }
    listing = api("/api/v1/conditions/?fields=slug")
    assert listing.status_code == 200, listing.content
    assert [item["slug"] for item in listing.json()["results"]] == ["neuropathic-pain"]
    assert api("/api/v1/therapies/ketamine-infusion-therapy/").json()["disclaimer"]
    assert api("/readyz/").json()["checks"]["cache"] == "degraded"
    assert "serving without the cache" in caplog.text
