import pytest


@pytest.fixture
def get(client):
    """GET an API path; returns the response (JSON bodies via response.json())."""

    def fetch(path, **headers):
        return client.get(path, headers=headers)

    return fetch


@pytest.fixture
def api(seeded, get):
    """The seed content, served (dates frozen on 2026-03-10 by `seeded`)."""
    return get
