"""SQL query budgets on generate_content data (3+ links per relation, images with renditions,
rich-text links). Answers from stored representations cost a fixed handful of queries; with no
stored copy (a fresh database), the live fallback costs the same at limit=5 and limit=100."""

from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

import pytest

from api.models import RepresentationState
from pages.models import CONTENT_PAGE_MODELS
from shapes import registry
from shapes.relations import expandable
from tests.module_data import rolled_back_after_module
from tests.sizes import sized

SEED_ONCE = True  # every database test here reads the seed (tests/conftest.py)

# From stored copies, the visibility facts cached (steady state): count, page of items with
# their stored copies, visibility of what they show. A detail: the item, the visibility check.
STORED_LIST_BUDGET = 4
STORED_DETAIL_BUDGET = 3
STORED_EXPANSIONS = 2  # the targets with their stored copies, their visibility: all relations
# the default site with its home in each language (one query), and the view restrictions, when
# no cache holds them
UNCACHED_FACTS = 2
# Live (no stored copy usable), as every request cost before the read path.
LIVE_LIST_BUDGET = 15
# each expanded relation: the targets' rows and visibility, then loading them live (a condition
# has four link tables; a therapy's `relieves` loads conditions and causes)
LIVE_PER_EXPANSION = 10
# the read path's own two queries, then loading the item (its breadcrumbs: one; whether it is a
# translation: one; its versions in other languages: one)
LIVE_DETAIL_BUDGET = 20
LIVE_COLD_DETAIL_BUDGET = LIVE_DETAIL_BUDGET + 4  # site, homes, view restrictions, disclaimer


@pytest.fixture(scope="module")
def _generated(django_db_setup, django_db_blocker, tmp_path_factory):
    """Generated once for the module (tests/module_data.py)."""
    media = override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media"))
    with rolled_back_after_module(django_db_blocker), media:
        # over 100 conditions: a list of 100 against a list of 5
        call_command("generate_content", "--conditions", str(sized(110, 200)), verbosity=0)
        yield


@pytest.fixture
def generated(_generated, db):
    """The module's generated content; what a test changes is rolled back after it."""


@pytest.fixture
def without_stored_copies(generated, monkeypatch):
    """Every stored copy counts as missing, and no refresh runs to store them again."""
    RepresentationState.objects.update(version=0)
    monkeypatch.setattr("api.serving.read_path.ask_refresh", lambda pieces: None)


def queries(client, path):
    with CaptureQueriesContext(connection) as context:
        response = client.get(path)
    assert response.status_code == 200, (path, response.content[:300])
    return len(context.captured_queries)


def paths(model):
    base = f"/api/v1/{registry.of(model).collection}/"
    slug = model.objects.filter(slug__startswith="gen-").values_list("slug", flat=True)[0]
    return base, f"{base}{slug}/", sorted(expandable(model))


def test_stored_answers_cost_a_fixed_handful(generated, client):
    client.get("/api/v1/conditions/")  # warm the cached visibility facts
    for model in CONTENT_PAGE_MODELS:
        base, detail, relations = paths(model)
        for limit in (5, 100):
            assert queries(client, f"{base}?limit={limit}") <= STORED_LIST_BUDGET, base
            assert queries(client, f"{base}?limit={limit}&channel=app") <= STORED_LIST_BUDGET
        assert queries(client, detail) <= STORED_DETAIL_BUDGET, detail
        assert queries(client, f"{detail}?channel=app") <= STORED_DETAIL_BUDGET, detail
        if relations:
            expand = ",".join(relations)
            budget = STORED_LIST_BUDGET + STORED_EXPANSIONS
            assert queries(client, f"{base}?limit=100&expand={expand}") <= budget, base
            budget = STORED_DETAIL_BUDGET + STORED_EXPANSIONS
            assert queries(client, f"{detail}?expand={expand}") <= budget, detail
        cache.clear()  # cold: the facts are read once more
        assert queries(client, detail) <= STORED_DETAIL_BUDGET + UNCACHED_FACTS, detail


def test_a_sync_page_costs_a_fixed_handful(generated, client):
    client.get("/api/v1/conditions/")  # warm the cached visibility facts
    # the change counter, a page of the change record, the items with their stored copies
    for limit in (5, 100):
        assert queries(client, f"/api/v1/sync/?limit={limit}") <= STORED_LIST_BUDGET


def test_with_no_cache_at_all_every_fact_comes_from_the_database(generated, client, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    for model in CONTENT_PAGE_MODELS:
        base, detail, _ = paths(model)
        assert queries(client, f"{base}?limit=100") <= STORED_LIST_BUDGET + UNCACHED_FACTS, base
        assert queries(client, detail) <= STORED_DETAIL_BUDGET + UNCACHED_FACTS, detail


def test_a_cached_response_costs_no_query(generated, client, settings):
    settings.API_RESPONSE_CACHE_SECONDS = 300
    for model in CONTENT_PAGE_MODELS:
        base, detail, _ = paths(model)
        for path in (f"{base}?limit=100", detail, "/api/v1/search/?q=pain"):
            client.get(path)
            assert queries(client, path) == 0, path


def test_live_lists_do_not_grow_with_page_size(without_stored_copies, client):
    client.get("/api/v1/conditions/")  # warm the cached visibility facts
    for model in CONTENT_PAGE_MODELS:
        base, _, relations = paths(model)
        small, large = queries(client, base + "?limit=5"), queries(client, base + "?limit=100")
        assert small == large, f"{base}: {small} queries for 5 items, {large} for 100"
        assert large <= LIVE_LIST_BUDGET, base
        for name in relations:
            expanded_small = queries(client, f"{base}?limit=5&expand={name}")
            expanded_large = queries(client, f"{base}?limit=100&expand={name}")
            assert expanded_small == expanded_large, f"{base} expand={name}"
            assert expanded_large - large <= LIVE_PER_EXPANSION, f"{base} expand={name}"


def test_live_detail_budget(without_stored_copies, client):
    for model in CONTENT_PAGE_MODELS:
        _, path, _ = paths(model)
        cache.clear()
        assert queries(client, path) <= LIVE_COLD_DETAIL_BUDGET, path
        assert queries(client, path) <= LIVE_DETAIL_BUDGET, path
        if registry.of(model).name == "condition":
            body = client.get(path).json()["body"]
            assert any(block["type"] == "image" for block in body)
            assert 'href="https://www.example-clinic.test/causes/' in body[1]["value"]
