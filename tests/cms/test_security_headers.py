"""The admin's security headers: a Content-Security-Policy (django-csp; tests/browser checks
the admin works under it), X-Frame-Options, Referrer-Policy; the JSON API carries none of the
HTML-only ones."""

import pytest

pytestmark = pytest.mark.django_db


def directives(response):
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split("; ")}


def test_admin_pages_carry_a_content_security_policy(client):
    response = client.get("/admin/login/")
    policy = directives(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def test_the_json_api_carries_no_html_policy(seeded, client):
    response = client.get("/api/v1/conditions/")
    assert "Content-Security-Policy" not in response
    assert response["X-Content-Type-Options"] == "nosniff"
