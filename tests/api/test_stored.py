"""The change record stores what the API serves for each item (api/serving/stored.py): the stored
bytes are exactly what the serializers produce, for the detail and the list shape of every item."""

from django.core.management import call_command

import pytest

from api.models import RepresentationState
from api.serving import stored
from pages.models import CONTENT_PAGE_MODELS, CausePage
from pages.selectors import Visibility
from shapes.represent import represent
from shapes.representation import CHANNELS, stored_origin
from shapes.serializers import DETAIL, LIST

SEED_ONCE = True  # every database test here reads the seed (tests/conftest.py)


def assert_stored_equals_live():
    """Every public item's stored copies, in each channel and shape, are the bytes the
    serializers build now. Returns how many items were checked."""
    visibility = Visibility.compute()
    checked = 0
    for model in CONTENT_PAGE_MODELS:
        ids = list(visibility.pages(model).values_list("pk", flat=True))
        states = {s.page_id: s for s in RepresentationState.objects.filter(page_id__in=ids)}
        assert set(states) == set(ids), model
        with stored_origin():  # stored URLs begin with the placeholder, whoever wrote them
            live = {
                (channel, shape): represent(model, ids, visibility, shape, channel=channel)
                for channel, shape in stored.SHAPES
            }
        for pk in ids:
            state = states[pk]
            assert stored.is_current(state), (model, pk)
            for (channel, shape), items in live.items():
                body_column, digest_column = stored.COLUMNS[channel, shape]
                body = stored.render(items[pk].data)
                assert bytes(getattr(state, body_column)) == body, (model, pk, channel, shape)
                digest = stored.copy_digest(shape, items[pk].data, body)
                assert getattr(state, digest_column) == digest, (model, pk, channel, shape)
            details = [live[channel, DETAIL][pk] for channel in CHANNELS]
            lists = [live[channel, LIST][pk] for channel in CHANNELS]
            assert set(state.detail_keys.split()) == set().union(*(item.keys for item in details))
            assert set(state.list_keys.split()) == set().union(*(item.keys for item in lists))
            # a list shows less
            assert set(state.list_keys.split()) <= set(state.detail_keys.split())
            checked += 1
    return checked


def test_the_seed_is_stored_as_served(seeded):
    assert assert_stored_equals_live() == RepresentationState.objects.count() > 10


def test_generated_content_is_stored_as_served(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("generate_content", "--conditions", "12", verbosity=0)
    assert assert_stored_equals_live() > 12


def test_an_item_that_leaves_the_public_keeps_nothing_it_showed(seeded):
    shingles = CausePage.objects.get(slug="shingles")
    shingles.unpublish()
    state = RepresentationState.objects.get(page_id=shingles.pk)
    assert not state.public
    assert state.detail_keys == "" and state.list_keys == ""
    assert all(getattr(state, column) is None for column, _ in stored.COLUMNS.values())


def test_a_copy_of_another_version_is_stored_again(seeded, monkeypatch):
    from api.record.changes import refresh

    monkeypatch.setattr(stored, "VERSION", stored.VERSION + 1)
    before = dict(RepresentationState.objects.values_list("page_id", "changed_at"))
    refresh(everything=True)
    after = RepresentationState.objects.all()
    assert all(state.version == stored.VERSION for state in after)
    # the shape's code changed, not the content: changed_at stays (updated_since is unmoved)
    assert {s.page_id: s.changed_at for s in after} == before


@pytest.mark.parametrize("shape", [DETAIL, LIST])
def test_represent_records_every_page_it_mentions(seeded, shape):
    """A stored copy is served only while every page it shows is public: the keys must name
    each page it links to (relations, rich text, choosers)."""
    visibility = Visibility.compute()
    from pages.models import ConditionPage

    condition = ConditionPage.objects.get(slug="neuropathic-pain")
    item = represent(ConditionPage, [condition.pk], visibility, shape)[condition.pk]
    rendered = stored.render(item.data).decode()
    for state in RepresentationState.objects.filter(public=True).exclude(page_id=condition.pk):
        mentioned = f'"api_url":"https://api.example-clinic.test/api/v1/{state.type}' in rendered
        linked = f"/{state.slug}/" in rendered
        if linked:
            assert f"page-{state.page_id}" in item.keys, (shape, state.slug, mentioned)


def test_the_worker_catches_up_with_what_no_task_recorded(seeded, freezer):
    """A process that died after its commit, a deploy that changed the shapes, a restore."""
    from django.utils import timezone

    from api.record.changes import catch_up, stale_page_ids
    from pages.models import ConditionPage, TherapyPage

    condition = ConditionPage.objects.get(slug="neuropathic-pain")
    therapy = TherapyPage.objects.get(slug="ketamine-infusion-therapy")
    shingles = CausePage.objects.get(slug="shingles")
    RepresentationState.objects.filter(page_id=condition.pk).update(version=0)  # older code
    RepresentationState.objects.filter(page_id=therapy.pk).delete()  # never recorded
    CausePage.objects.filter(pk=shingles.pk).update(live=False)  # unpublished, no signal
    assert catch_up() >= 1  # the tombstone is a change; the re-stored shapes are not
    assert stored.is_current(RepresentationState.objects.get(page_id=condition.pk))
    assert stored.is_current(RepresentationState.objects.get(page_id=therapy.pk))
    assert not RepresentationState.objects.get(page_id=shingles.pk).public
    # published again (no signal): stored again; nothing left over for the next round
    freezer.tick(60)
    ConditionPage.objects.filter(pk=condition.pk).update(
        title="Nerve pain", last_published_at=timezone.now()
    )
    assert stale_page_ids() == {condition.pk}
    freezer.tick(60)
    assert catch_up() >= 1
    assert b'"title":"Nerve pain"' in bytes(
        RepresentationState.objects.get(page_id=condition.pk).detail
    )
    assert stale_page_ids() == set()


def edit_title(shingles):
    shingles.title = "Herpes zoster"
    shingles.save_revision().publish()


def edit_snippet(shingles):
    from pages.models import Symptom

    symptom = Symptom.objects.get(slug="tingling")
    symptom.name = "Pins and needles"
    symptom.save()


def edit_default_disclaimer(shingles):
    from pages.models import Disclaimer

    disclaimer = Disclaimer.objects.get(is_default=True)
    disclaimer.emergency_text = "Call 112 in an emergency."
    disclaimer.save()


def restrict(shingles):
    from wagtail.models import PageViewRestriction

    PageViewRestriction.objects.create(page=shingles, restriction_type="login")


def expire(shingles):
    from django.utils import timezone

    from api.record.changes import catch_up

    CausePage.objects.filter(pk=shingles.pk).update(expire_at=timezone.now())
    catch_up()  # the worker's round: no signal fires when a date passes


@pytest.mark.parametrize(
    "change",
    [edit_title, edit_snippet, edit_default_disclaimer, CausePage.unpublish, restrict, expire],
    ids=["linked-title", "snippet", "default-disclaimer", "unpublish", "restriction", "expiry"],
)
def test_every_kind_of_change_leaves_the_stored_copies_as_served(seeded, freezer, change):
    freezer.tick(60)
    change(CausePage.objects.get(slug="shingles"))
    freezer.tick(1)
    assert assert_stored_equals_live() > 10
