"""Cases a hostile client found: each is now a clear answer, never a 500 or a leak."""

import socket
import threading
import time

from django.conf import settings as django_settings

import pytest

from api.serving.redis_cache import TolerantRedisCache
from pages.models import CausePage, ConditionPage, TherapyPage

SEED_ONCE = True  # every database test here reads the seed (tests/conftest.py)

PROBLEM = "application/problem+json"


def problem(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM, response["Content-Type"]
    body = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    return body


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("ordering=--title", "ordering"),
        ("ordering=---id", "ordering"),
        ("ordering=title,title", "ordering"),
        ("ordering=title,-title", "ordering"),
        ("ordering=title,", "ordering"),
        ("limit=1&limit=2", "limit"),
        ("limit=+5", "limit"),
        ("limit=1_0", "limit"),
        ("limit=%D9%A1%D9%A0", "limit"),  # Arabic-Indic digits
        ("limit=%205", "limit"),
        ("offset=" + "1" + "0" * 25, "offset"),
        ("cause=", "cause"),
        ("review_status=", "review_status"),
        ("cause=%20shingles", "cause"),
        ("fields=title,", "fields"),
        ("fields=title,%20summary", "fields"),
        ("updated_since=2026-03-01", "updated_since"),
        ("updated_since=2026-03-01T00:00:00", "updated_since"),  # no offset: which time?
        ("updated_since=2026-02-30T00:00:00Z", "updated_since"),
    ],
)
def test_strict_parameters(api, query, parameter):
    body = problem(api(f"/api/v1/conditions/?{query}"), 400)
    assert parameter in body["errors"], body


def test_an_empty_category_is_a_400(api):
    assert "category" in problem(api("/api/v1/treatments/?category="), 400)["errors"]


@pytest.mark.parametrize(
    ("since", "count"),
    [("0001-01-01T00:00:00+00:01", 1), ("9999-12-31T23:59:59-00:01", 0)],
)
def test_updated_since_at_the_ends_of_the_calendar(api, since, count):
    response = api(f"/api/v1/conditions/?updated_since={since.replace('+', '%2B')}")
    assert response.status_code == 200, response.content
    assert response.json()["count"] == count


@pytest.mark.parametrize(
    "text", ['"', 'pain"', "%00", '"+OR+1%3D1+--', "NEAR(pain+nerve)", "pain*", "a:b", "%E2%80%AE"]
)
def test_search_takes_any_text(api, text):
    for path in (f"/api/v1/search/?q={text}", f"/api/v1/conditions/?search={text}"):
        response = api(path)
        if response.status_code == 400:  # nothing but spaces or control characters was sent
            assert text in ("%00", "%E2%80%AE") or "q" in response.json()["errors"]
            continue
        assert response.status_code == 200, (path, response.content)


def test_search_with_quotes_finds_the_words(api):
    titles = [
        item["title"] for item in api('/api/v1/search/?q="neuropathic pain"').json()["results"]
    ]
    assert titles[0] == "Neuropathic pain"


def test_ordering_by_id_is_allowed_once(api):
    assert api("/api/v1/conditions/?ordering=-id").status_code == 200


@pytest.fixture
def shingles(seeded):
    return CausePage.objects.get(slug="shingles")


def listing(api, path):
    response = api(path)
    return response.status_code, response.content, response.get("ETag")


def test_a_filter_on_an_unpublished_slug_answers_like_an_unknown_one(api, shingles):
    assert api("/api/v1/conditions/?cause=shingles").json()["count"] == 1
    shingles.unpublish()
    hidden = listing(api, "/api/v1/conditions/?cause=shingles")
    unknown = listing(api, "/api/v1/conditions/?cause=no-such-cause")
    assert hidden == unknown
    assert api("/api/v1/conditions/?cause=shingles").json()["count"] == 0


def test_every_relation_filter_ignores_hidden_targets(api, shingles):
    condition = ConditionPage.objects.get(slug="neuropathic-pain")
    therapy = TherapyPage.objects.get(slug="ketamine-infusion-therapy")
    treatment_slug = api("/api/v1/treatments/?limit=1").json()["results"][0]["slug"]
    queries = {
        "/api/v1/causes/?condition=": condition.slug,
        "/api/v1/treatments/?condition=": condition.slug,
        "/api/v1/therapies/?condition=": condition.slug,
        "/api/v1/conditions/?therapy=": therapy.slug,
        "/api/v1/conditions/?treatment=": treatment_slug,
    }
    for prefix, slug in queries.items():
        assert api(prefix + slug).json()["count"] >= 1, prefix
    condition.unpublish()
    therapy.unpublish()
    from wagtail.models import Page

    Page.objects.get(slug=treatment_slug).specific.unpublish()
    for prefix, slug in queries.items():
        assert listing(api, prefix + slug) == listing(api, prefix + "never-existed"), prefix


def test_a_therapys_condition_filter_matches_conditions_only(api, shingles):
    """`relieves` holds conditions and causes: ?condition= must not match a cause's slug."""
    assert api("/api/v1/therapies/?cause=shingles").json()["count"] == 1
    assert api("/api/v1/therapies/?condition=shingles").json()["count"] == 0


def test_a_renamed_then_unpublished_page_answers_like_an_unknown_path(
    api, shingles, django_capture_on_commit_callbacks
):
    shingles.slug = "herpes-zoster"
    with django_capture_on_commit_callbacks(execute=True):  # redirects are made on commit
        shingles.save_revision().publish()
    moved = api("/api/v1/pages/?path=/causes/shingles/")
    assert moved.status_code == 301 and "herpes-zoster" in moved["Location"]
    CausePage.objects.get(pk=shingles.pk).unpublish()
    hidden = api("/api/v1/pages/?path=/causes/shingles/")
    unknown = api("/api/v1/pages/?path=/causes/never-existed/")
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.json()["detail"].replace("shingles", "X") == unknown.json()["detail"].replace(
        "never-existed", "X"
    )
    assert b"herpes" not in hidden.content


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("options", "/api/v1/docs/", 405),
        ("post", "/api/v1/docs/", 405),
        ("post", "/api/v1/schema/", 405),
        ("options", "/api/v1/conditions/", 405),
        ("delete", "/api/v1/conditions/neuropathic-pain/", 405),
        ("post", "/api/v1/problems/invalid-parameters/", 405),
        ("get", "/api/v2/pages/", 404),
        ("get", "/api", 404),
    ],
)
def test_errors_outside_drf_are_problems_too(api, client, method, path, status):
    problem(getattr(client, method)(path), status)


def test_a_doubled_slash_is_an_api_404(api, client):
    # the test client would read "//api" as a host name: set the path itself
    problem(client.get("/", PATH_INFO="//api/v1/conditions/"), 404)


def test_a_csrf_failure_under_api_is_a_problem(api):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    problem(strict.post("/api/v1/problems/invalid-parameters/"), 403)


def test_405_names_the_allowed_methods(client, db):
    response = client.post("/api/v1/schema/")
    assert response["Allow"] == "GET, HEAD"


def test_a_bad_key_on_the_schema_is_a_problem_not_yaml(client, db):
    problem(client.get("/api/v1/schema/", headers={"authorization": "Bearer nope"}), 401)


@pytest.mark.parametrize("path", ["/healthz/", "/readyz/"])
def test_load_balancers_may_send_head(client, db, path):
    assert client.head(path).status_code == 200


def test_problem_types_do_not_echo_the_host_header(api, settings):
    settings.ALLOWED_HOSTS = [*django_settings.ALLOWED_HOSTS, "evil.example"]
    for path in ("/api/v1/problems/invalid-parameters/", "/api/v1/conditions/?limit=0"):
        response = api(path, host="evil.example")
        assert b"evil.example" not in response.content, path
        assert response.json()["type"].startswith(settings.API_BASE_URL)


def test_a_host_not_allowed_is_a_problem(api):
    problem(api("/api/v1/conditions/", host="evil.example"), 400)


def test_a_forwarded_for_header_cannot_buy_a_new_rate(api, settings):
    settings.API_ANONYMOUS_RATE = "3/min"
    statuses = [api("/api/v1/causes/", x_forwarded_for=f"10.0.0.{n}").status_code for n in range(5)]
    assert statuses == [200, 200, 200, 429, 429]


@pytest.fixture
def hanging_server():
    """A TCP server that accepts connections and never answers (a hung Redis)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    accepted = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join()
    for conn in accepted:
        conn.close()
    listener.close()


def test_a_redis_that_hangs_costs_a_timeout_not_a_hung_request(hanging_server, monkeypatch):
    """The production cache settings carry socket timeouts: a cache call gives up and counts
    as a miss instead of waiting forever."""
    monkeypatch.setenv("REDIS_URL", f"redis://127.0.0.1:{hanging_server}/0")
    import importlib

    from cms.settings import base

    try:
        options = importlib.reload(base).CACHES["default"]["OPTIONS"]
    finally:
        monkeypatch.undo()
        importlib.reload(base)
    assert options["socket_timeout"] <= 1 and options["socket_connect_timeout"] <= 1
    cache = TolerantRedisCache(f"redis://127.0.0.1:{hanging_server}/0", {"OPTIONS": options})
    started = time.monotonic()
    assert cache.get("anything", "missed") == "missed"
    assert time.monotonic() - started < 5  # a hang would never return: 0.5 s in practice
