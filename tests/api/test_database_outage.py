"""A database that is away answers 503, not 500: problem+json with Retry-After in the API, a
readable page in the admin; key holders keep being served while their key's validity is
remembered (api/http/auth.py, api/http/problems.py, cms/database.py). tests/resilience/ drives the
same through a real hung and refusing PostgreSQL."""

from django.db import OperationalError
from django.test import Client

from wagtail.admin.views.account import LoginView

import pytest

from accounts.middleware import TwoFactorMiddleware
from api.http import auth
from api.http.auth import create_key
from pages.selectors import Visibility


def database_away(*args, **kwargs):
    raise OperationalError("connection failed: Connection refused")


class AwayManager:
    """ApiKey.objects while the database is away."""

    filter = staticmethod(database_away)


def assert_unavailable_problem(response):
    assert response.status_code == 503, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert response["Retry-After"] == "5"  # DB_RETRY_SECONDS
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert body["status"] == 503 and body["type"].endswith("/problems/service-unavailable/")
    return body


def test_an_api_request_the_database_cannot_serve_is_a_503_problem(api, monkeypatch):
    monkeypatch.setattr(Visibility, "load", database_away)
    body = assert_unavailable_problem(api("/api/v1/conditions/neuropathic-pain/"))
    assert body["instance"] == "/api/v1/conditions/neuropathic-pain/"
    monkeypatch.undo()
    documented = api("/api/v1/problems/service-unavailable/")
    assert documented.status_code == 200 and "Retry-After" in documented.json()["description"]


def test_the_admin_shows_a_readable_503_page(client, db, monkeypatch):
    monkeypatch.setattr(LoginView, "get", database_away)
    response = client.get("/admin/login/")
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert response["Content-Type"].startswith("text/html")
    assert b"Temporarily unavailable" in response.content


def test_a_database_error_in_a_middleware_is_a_503_too(db, monkeypatch):
    monkeypatch.setattr(TwoFactorMiddleware, "__call__", database_away)
    client = Client(raise_request_exception=False)
    assert client.get("/admin/").status_code == 503
    assert_unavailable_problem(client.get("/api/v1/conditions/"))


@pytest.fixture
def key_holder(api):
    """A key, used once (so its row is cached), and the headers that send it."""
    _, raw = create_key("Website")
    headers = {"authorization": f"Bearer {raw}"}
    assert api("/api/v1/causes/shingles/", **headers).status_code == 200
    return headers


def test_a_key_read_before_the_outage_is_still_accepted(api, key_holder, freezer, monkeypatch):
    freezer.tick(auth.CACHE_SECONDS + 1)  # its cached row is due to be read again
    monkeypatch.setattr(auth.ApiKey, "objects", AwayManager())
    # served (the last-use write after the response is skipped quietly)
    assert api("/api/v1/causes/shingles/", **key_holder).status_code == 200
    freezer.tick(3600)  # API_KEY_OUTAGE_SECONDS after it was read: no longer vouched for
    assert_unavailable_problem(api("/api/v1/causes/shingles/", **key_holder))


def test_during_an_outage_an_unknown_or_revoked_key_is_not_accepted(api, key_holder, monkeypatch):
    _, unknown = create_key("Never used")
    key = auth.ApiKey.objects.get(name="Website")
    key.is_active = False
    key.save()  # revoked: its cached row is dropped at once
    monkeypatch.setattr(auth.ApiKey, "objects", AwayManager())
    assert_unavailable_problem(api("/api/v1/causes/shingles/", **key_holder))
    assert_unavailable_problem(api("/api/v1/causes/shingles/", authorization=f"Bearer {unknown}"))
