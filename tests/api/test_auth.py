"""API keys and rate limits: 401 for a key that is not valid, 403 for a revoked one, 429 over
the rate; no key is fine, at the anonymous rate."""

import re

from django.core.management import CommandError, call_command

import pytest

from api.http.auth import create_key
from api.models import ApiKey

PATH = "/api/v1/conditions/?fields=slug"

SEED_ONCE = True  # every database test reads the seed (tests/conftest.py)


def problem(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["detail"]
    return body


def test_no_key_and_a_valid_key_are_served(api, db):
    assert api(PATH).status_code == 200
    _, raw = create_key("Website production")
    assert api(PATH, authorization=f"Bearer {raw}").status_code == 200
    assert api(PATH, x_api_key=raw).status_code == 200


@pytest.mark.parametrize(
    "header",
    [
        {"authorization": "Bearer cms_nope_nope"},
        {"authorization": "Bearer not-a-key"},
        {"authorization": "Basic dXNlcjpwYXNz"},
        {"authorization": "Bearer"},
        {"x_api_key": "cms_00000000_wrong"},
    ],
)
def test_a_key_that_is_not_valid_is_401(api, header):
    response = api(PATH, **header)
    problem(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_wrong_secret_for_a_real_prefix_is_401(api):
    key, raw = create_key("App")
    problem(api(PATH, authorization=f"Bearer {raw[:-2]}xx"), 401)


def test_a_revoked_key_is_403_at_once(api):
    key, raw = create_key("Old email tool", channel=ApiKey.Channel.EMAIL)
    assert api(PATH, authorization=f"Bearer {raw}").status_code == 200  # now cached
    key.is_active = False
    key.save()
    body = problem(api(PATH, authorization=f"Bearer {raw}"), 403)
    assert "revoked on" in body["detail"]
    key.refresh_from_db()
    assert key.revoked_at is not None


def test_rates_per_address_and_per_key(api, settings):
    settings.API_ANONYMOUS_RATE = "3/min"
    for _ in range(3):
        assert api(PATH).status_code == 200
    response = api(PATH)
    problem(response, 429)
    assert 0 < int(response["Retry-After"]) <= 60
    _, raw = create_key("Website", requests_per_minute=2)
    auth = {"authorization": f"Bearer {raw}"}
    assert [api(PATH, **auth).status_code for _ in range(3)] == [200, 200, 429]


def test_rate_limits_fail_open_when_the_cache_is_down(api, monkeypatch):
    from django.core.cache import cache

    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "incr", broken)
    assert api(PATH).status_code == 200


def test_create_api_key_command(api, capsys):
    call_command("create_api_key", "Braze connected content", "--channel", "email")
    raw = capsys.readouterr().out.splitlines()[2]
    assert raw.startswith("cms_")
    assert api(PATH, authorization=f"Bearer {raw}").status_code == 200
    assert ApiKey.objects.get().channel == "email"
    with pytest.raises(CommandError, match="Unknown channel"):
        call_command("create_api_key", "x", "--channel", "fax")
    with pytest.raises(CommandError, match="positive"):
        call_command("create_api_key", "x", "--rate", "0")


def test_admin_creates_a_key_and_shows_it_once(api, admin_client):
    response = admin_client.post(
        "/admin/api_keys/new/",
        {
            "name": "Mobile app",
            "channel": "app",
            "scopes": ["read", "preview"],
            "requests_per_minute": "",
            "is_active": "on",
        },
    )
    assert response.status_code == 200  # the key on this page, not in a message or redirect
    assert "no-store" in response["Cache-Control"]
    raw = re.search(r"<code data-api-key[^>]*>([^<]+)</code>", response.content.decode())[1]
    key = ApiKey.objects.get(name="Mobile app")
    assert raw.split("_", 2)[1] == key.prefix and raw not in key.secret_hash
    assert key.scopes == ["read", "preview"]
    assert api(PATH, authorization=f"Bearer {raw}").status_code == 200
    listing = admin_client.get("/admin/api_keys/").content.decode()
    assert "Mobile app" in listing and raw not in listing  # nor in a message left for later
    assert raw not in str(admin_client.cookies) and raw not in str(dict(admin_client.session))


def test_openapi_documents_the_optional_key(api):
    schema = api("/api/v1/schema/?format=json").json()
    assert schema["components"]["securitySchemes"]["ApiKey"]["scheme"] == "bearer"
    operation = schema["paths"]["/api/v1/conditions/"]["get"]
    assert {} in operation["security"] and {"ApiKey": []} in operation["security"]
