"""Run by .ci/run against PostgreSQL and Redis, where skipping these fails the build."""

from django.core.cache import cache

from wagtail.search.backends import get_search_backend

import pytest

from pages.models import ConditionPage


@pytest.mark.postgres
def test_postgres_full_text_search_finds_a_condition_by_its_other_name(postgres_db, seeded):
    backend = get_search_backend()
    assert "postgres" in type(backend).__module__
    results = list(ConditionPage.objects.live().search("nerve pain"))
    assert [p.slug for p in results] == ["neuropathic-pain"]


@pytest.mark.redis
def test_the_shared_cache_is_redis(redis_url, settings, client, db):
    assert settings.CACHES["default"]["BACKEND"] == "api.serving.redis_cache.TolerantRedisCache"
    cache.set("ci-probe", {"ok": 1}, 30)
    assert cache.get("ci-probe") == {"ok": 1}
    response = client.get("/readyz/")
    assert response.json()["checks"] == {"database": "ok", "cache": "ok"}


def test_readiness_on_the_default_stack(client, db):
    response = client.get("/readyz/")
    assert response.status_code == 200
    assert response.json()["checks"]["database"] == "ok"
