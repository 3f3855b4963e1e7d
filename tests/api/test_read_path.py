"""Requests are answered from the stored representations (api/serving/read_path.py), byte for byte
what the serializers produce, and a stored copy that names a page no longer public is never served,
even before the worker has refreshed it."""

import datetime

from django.core.management import call_command
from django.test import RequestFactory
from django.utils import timezone

import pytest

from api.models import RepresentationState
from api.serving import stored
from pages.models import CONTENT_PAGE_MODELS, CausePage, ConditionPage, TherapyPage
from pages.selectors import Visibility
from shapes import registry
from shapes.relations import expandable
from shapes.represent import represent
from shapes.representation import APP, CHANNELS, WEB
from shapes.serializers import DETAIL, LIST
from tests.sizes import sized

SEED_ONCE = True  # every database test here reads the seed (tests/conftest.py)


def live(model, pk, shape, fields=None, expand=(), channel=WEB):
    """The oracle: what the serializers produce now for one item, with `expand=` and `fields=`
    applied here, independently of the read path's splicing of stored bytes: each expanded
    reference replaced by the related item's list shape plus the link's annotations, then
    every property but `id`, `type` and `fields` dropped."""
    request = RequestFactory().get("/")
    visibility = Visibility.compute()
    data = represent(model, [pk], visibility, shape, request=request, channel=channel)[pk].data
    for name in expand:
        annotations = expandable(model)[name].annotations
        data[name] = [
            {
                **represent(
                    registry.named(ref["type"]).model,
                    [ref["id"]],
                    visibility,
                    LIST,
                    request=request,
                    channel=channel,
                )[ref["id"]].data,
                **{key: ref[key] for key in annotations},
            }
            for ref in data[name]
        ]
    if fields:
        data = {key: value for key, value in data.items() if key in {"id", "type", *fields}}
    return stored.render(data)


def served_results(client, path):
    response = client.get(path)
    assert response.status_code == 200, (path, response.content[:300])
    return response.json()["results"]


def assert_served_as_serialized(client, channel=WEB):
    """Every public item, through every door that shows it, equals the serializers' output:
    detail, list, fields= and expand= (each relation), in `channel`'s shapes."""
    checked = 0
    for model in CONTENT_PAGE_MODELS:
        base = f"/api/v1/{registry.of(model).collection}/"
        relations = sorted(expandable(model))
        fields = {"title", "slug", *relations[:1]}
        shapes = [(None, ()), (fields, ())] + [(None, (name,)) for name in relations]
        for wanted, expand in shapes:
            query = "&".join(
                part
                for part in (
                    wanted and f"fields={','.join(sorted(wanted))}",
                    expand and f"expand={','.join(expand)}",
                    channel != WEB and f"channel={channel}",
                )
                if part
            )
            listed = served_results(client, f"{base}?limit=100&{query}")
            for item in listed:
                expected = live(model, item["id"], LIST, wanted, expand, channel)
                assert stored.render(item) == expected, (model, item["slug"], query)
            for item in listed[:25]:
                detail = client.get(f"{base}{item['slug']}/?{query}")
                expected = live(model, item["id"], DETAIL, wanted, expand, channel)
                assert detail.content == expected, (model, item["slug"], query)
                checked += 1
    return checked


@pytest.mark.parametrize("channel", CHANNELS)
def test_the_seed_is_served_from_storage_as_serialized(seeded, client, channel):
    assert assert_served_as_serialized(client, channel) >= 15


@pytest.mark.heavy  # the seed's test above runs in make test; generated content in CI's pass
def test_generated_content_is_served_from_storage_as_serialized(
    heavy, db, settings, tmp_path, client
):
    settings.MEDIA_ROOT = tmp_path
    conditions = sized(3, 15)
    call_command("generate_content", "--conditions", str(conditions), verbosity=0)
    assert assert_served_as_serialized(client) > 40
    assert assert_served_as_serialized(client, APP) > 40


def tamper(page, marker="stored-copy"):
    """Change the stored bytes so a response shows whether it read them."""
    state = RepresentationState.objects.get(page_id=page.pk)
    detail = bytes(state.detail).replace(page.title.encode(), marker.encode(), 1)
    item = bytes(state.list_item).replace(page.title.encode(), marker.encode(), 1)
    RepresentationState.objects.filter(pk=state.pk).update(detail=detail, list_item=item)


def test_requests_read_the_stored_bytes(api, seeded):
    shingles = CausePage.objects.get(slug="shingles")
    tamper(shingles)
    assert api("/api/v1/causes/shingles/").json()["title"] == "stored-copy"
    titles = [item["title"] for item in api("/api/v1/causes/?limit=100").json()["results"]]
    assert "stored-copy" in titles
    path = api("/api/v1/pages/?path=/causes/shingles/").json()
    assert path["title"] == "stored-copy"
    expanded = api("/api/v1/conditions/neuropathic-pain/?expand=causes").json()
    assert "stored-copy" in [cause["title"] for cause in expanded["causes"]]


def test_a_copy_of_another_version_or_older_than_the_page_is_not_served(api, seeded, freezer):
    shingles = CausePage.objects.get(slug="shingles")
    tamper(shingles)
    RepresentationState.objects.filter(page_id=shingles.pk).update(version=stored.VERSION - 1)
    assert api("/api/v1/causes/shingles/").json()["title"] == "Shingles"
    tamper(shingles)
    freezer.tick(60)
    CausePage.objects.filter(pk=shingles.pk).update(last_published_at=timezone.now())
    assert api("/api/v1/causes/shingles/").json()["title"] == "Shingles"


def test_an_item_without_a_stored_copy_is_served_and_stored(api, seeded):
    therapy = TherapyPage.objects.get(slug="ketamine-infusion-therapy")
    RepresentationState.objects.filter(page_id=therapy.pk).delete()
    expected = live(TherapyPage, therapy.pk, DETAIL)
    assert api("/api/v1/therapies/ketamine-infusion-therapy/").content == expected
    # the refresh it asked for ran (the immediate task backend): the next read is stored
    assert stored.is_current(RepresentationState.objects.get(page_id=therapy.pk))


@pytest.fixture
def no_refresh(monkeypatch):
    """The worker has not run yet: the stored copies still show what was public."""
    from api.record import changes

    monkeypatch.setattr(changes, "queue_refresh", lambda **change: None)
    monkeypatch.setattr("api.record.signals.changes.queue_refresh", lambda **change: None)


def test_a_stored_copy_naming_a_page_that_stopped_being_public_is_not_served(
    api, seeded, no_refresh
):
    """Before any refresh: the condition's stored detail and list item link to shingles (a
    reference, JSON-LD and the treatment approach); once shingles is unpublished, they are
    served live, without it, and with the ETag of what is served."""
    shingles = CausePage.objects.get(slug="shingles")
    condition = ConditionPage.objects.get(slug="neuropathic-pain")
    before = api("/api/v1/conditions/neuropathic-pain/")
    assert b"shingles" in before.content
    shingles.unpublish()
    state = RepresentationState.objects.get(page_id=condition.pk)
    assert b"/causes/shingles/" in bytes(state.detail)  # not refreshed
    for path in [
        "/api/v1/conditions/neuropathic-pain/",
        "/api/v1/conditions/neuropathic-pain/?expand=causes",
        "/api/v1/conditions/?limit=100",
        "/api/v1/conditions/?limit=100&fields=title,causes",
        "/api/v1/pages/?path=/conditions/neuropathic-pain/",
        "/api/v1/search/?q=neuropathic",
        "/api/v1/therapies/?expand=relieves",
    ]:
        response = api(path)
        assert response.status_code == 200, path
        assert b"shingles" not in response.content.lower(), path
        assert f"page-{shingles.pk} " not in response["Surrogate-Key"] + " ", path
    after = api("/api/v1/conditions/neuropathic-pain/")
    assert after.content == live(ConditionPage, condition.pk, DETAIL)
    assert after["ETag"] != before["ETag"]
    assert api("/api/v1/causes/shingles/").status_code == 404


def test_an_expiry_date_passing_hides_a_linked_page_at_once(api, seeded, no_refresh, freezer):
    """No signal fires when `expire_at` passes: the read path checks it, and a response may be
    cached only until then."""
    shingles = CausePage.objects.get(slug="shingles")
    expires = timezone.now() + datetime.timedelta(minutes=2)
    CausePage.objects.filter(pk=shingles.pk).update(expire_at=expires)
    response = api("/api/v1/conditions/neuropathic-pain/")
    assert b"shingles" in response.content
    assert "s-maxage=120" in response["Cache-Control"]  # capped by the expiry
    assert "stale-while-revalidate" not in response["Cache-Control"]
    freezer.tick(121)
    response = api("/api/v1/conditions/neuropathic-pain/")
    assert b"shingles" not in response.content
    assert "stale-while-revalidate" in response["Cache-Control"]


def test_a_conditional_request_needs_no_body(api, seeded, monkeypatch):
    """The ETag is known from the stored fingerprints: a 304 assembles nothing."""
    from api.serving import read_path

    etag = api("/api/v1/conditions/?limit=5&fields=title")["ETag"]
    monkeypatch.setattr(
        read_path, "with_fields_and_expand", lambda *args, **kwargs: pytest.fail("assembled")
    )
    response = api("/api/v1/conditions/?limit=5&fields=title", IF_NONE_MATCH=etag)
    assert response.status_code == 304 and response["ETag"] == etag


def test_the_etag_is_the_same_for_a_stored_and_a_live_answer(api, seeded):
    """Whether a stored copy was used must not show: the ETag follows what is served."""
    stored_etag = api("/api/v1/conditions/?limit=100&expand=causes")["ETag"]
    detail_etag = api("/api/v1/conditions/neuropathic-pain/?fields=title,causes")["ETag"]
    RepresentationState.objects.update(version=0)  # every copy counts as missing
    assert api("/api/v1/conditions/?limit=100&expand=causes")["ETag"] == stored_etag
    assert api("/api/v1/conditions/neuropathic-pain/?fields=title,causes")["ETag"] == detail_etag
