"""CORS for the API only, from the CORS_ALLOWED_ORIGINS allowlist, never with credentials."""

import pytest

WEBSITE = "https://www.clinic.example"
PATH = "/api/v1/conditions/?fields=slug"


@pytest.fixture(autouse=True)
def allowlist(settings):
    settings.CORS_ALLOWED_ORIGINS = [WEBSITE]


def test_an_allowed_origin_may_read_the_api_without_credentials(api, client):
    response = client.get(PATH, headers={"origin": WEBSITE})
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == WEBSITE
    assert "Access-Control-Allow-Credentials" not in response
    assert "ETag" in response["Access-Control-Expose-Headers"]
    assert "origin" in response["Vary"].lower()  # shared caches keep one copy per origin


def test_another_origin_gets_no_cors_headers(api, client):
    response = client.get(PATH, headers={"origin": "https://evil.example"})
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response


def test_a_preflight_is_answered_for_reads_only(api, client):
    response = client.options(
        PATH,
        headers={
            "origin": WEBSITE,
            "access-control-request-method": "GET",
            "access-control-request-headers": "authorization",
        },
    )
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == WEBSITE
    assert set(response["Access-Control-Allow-Methods"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    assert "authorization" in response["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Credentials" not in response


def test_the_admin_is_never_cross_origin(db, client):
    response = client.get("/admin/login/", headers={"origin": WEBSITE})
    assert "Access-Control-Allow-Origin" not in response
