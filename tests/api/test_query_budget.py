"""SQL query budgets on generate_content data (3+ links per relation, images with renditions,
rich-text links). A list costs the same at limit=5 and limit=100; expansions add a fixed cost."""

from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest

from api.relations import expandable
from pages.models import CONTENT_PAGE_MODELS

LIST_BUDGET = 15
PER_EXPANSION = 4
DETAIL_BUDGET = 15  # with the visibility facts and default disclaimer cached (steady state)
COLD_DETAIL_BUDGET = DETAIL_BUDGET + 3  # site, view restrictions and disclaimer read once


@pytest.fixture
def generated(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("generate_content", "--conditions", "200", verbosity=0)


def queries(client, path):
    with CaptureQueriesContext(connection) as context:
        response = client.get(path)
    assert response.status_code == 200, (path, response.content[:300])
    return len(context.captured_queries)


def test_list_queries_do_not_grow_with_page_size(generated, client, django_assert_max_num_queries):
    client.get("/api/v1/conditions/")  # warm the cached visibility facts
    for model in CONTENT_PAGE_MODELS:
        base = f"/api/v1/{model.api_collection}/"
        small, large = queries(client, base + "?limit=5"), queries(client, base + "?limit=100")
        assert small == large, f"{base}: {small} queries for 5 items, {large} for 100"
        with django_assert_max_num_queries(LIST_BUDGET):
            client.get(base + "?limit=100")
        relations = sorted(expandable(model))
        for name in relations:
            expanded_small = queries(client, f"{base}?limit=5&expand={name}")
            expanded_large = queries(client, f"{base}?limit=100&expand={name}")
            assert expanded_small == expanded_large, f"{base} expand={name}"
            assert expanded_large - large <= PER_EXPANSION, f"{base} expand={name}"
        if relations:
            with django_assert_max_num_queries(LIST_BUDGET + PER_EXPANSION * len(relations)):
                client.get(f"{base}?limit=100&expand={','.join(relations)}")


def test_detail_budget(generated, client, django_assert_max_num_queries):
    for model in CONTENT_PAGE_MODELS:
        slug = model.objects.filter(slug__startswith="gen-").values_list("slug", flat=True)[0]
        path = f"/api/v1/{model.api_collection}/{slug}/"
        cache.clear()
        with django_assert_max_num_queries(COLD_DETAIL_BUDGET):
            client.get(path)
        with django_assert_max_num_queries(DETAIL_BUDGET):
            response = client.get(path)
        assert response.status_code == 200
        if model.api_type == "condition":
            body = response.json()["body"]
            assert any(block["type"] == "image" for block in body)
            assert 'href="https://www.example-clinic.test/causes/' in body[1]["value"]
