"""An item changes when anything in its representation changes (docs/architecture.md, "The
change record"): its own publication, a
linked page's title, a snippet it shows, its visibility. `?updated_since=` and the change record
(api/record/changes.py) follow that rule, and nothing else moves them."""

from django.core.management import call_command

from wagtail.models import PageViewRestriction

import pytest

from api.models import RepresentationDependency, RepresentationState
from api.record.changes import refresh_review_status
from pages.models import CausePage, ConditionPage, Disclaimer, Reference, Symptom, TherapyPage

SEED_ONCE = True  # every database test here reads the seed (tests/conftest.py)

SINCE = "2026-06-01T00:00:00Z"


@pytest.fixture
def later(api, freezer):
    """The seed content as served on 2026-03-10; the test's edits happen on 2026-06-01."""
    freezer.move_to("2026-06-01 12:00:00")
    return api


def changed(api, collection):
    response = api(f"/api/v1/{collection}/?updated_since={SINCE}&fields=slug&limit=100")
    assert response.status_code == 200, response.content
    return {item["slug"] for item in response.json()["results"]}


def state(slug):
    return RepresentationState.objects.get(slug=slug)


def test_the_seed_is_recorded_with_what_each_item_shows(api):
    condition = ConditionPage.objects.get(slug="neuropathic-pain")
    keys = set(
        RepresentationDependency.objects.filter(state__page_id=condition.pk).values_list(
            "key", flat=True
        )
    )
    shingles = CausePage.objects.get(slug="shingles")
    symptom = Symptom.objects.get(slug="tingling")
    assert {f"page-{shingles.pk}", f"snippet-symptom-{symptom.pk}"} <= keys
    assert state("neuropathic-pain").public is True
    assert str(state("neuropathic-pain").changed_at.date()) == "2026-03-10"
    assert changed(api, "conditions") == set()


def test_a_linked_page_title_changes_the_items_that_show_it(later):
    shingles = CausePage.objects.get(slug="shingles")
    shingles.title = "Shingles (herpes zoster)"
    shingles.save_revision().publish()
    assert changed(later, "causes") == {"shingles"}
    assert changed(later, "conditions") == {"neuropathic-pain"}  # lists shingles as a cause
    assert changed(later, "therapies") == {"ketamine-infusion-therapy"}  # relieves it
    assert changed(later, "treatments") == set()  # no treatment shows shingles


def test_a_republish_without_visible_change_is_still_a_new_revision(later):
    page = TherapyPage.objects.get(slug="ketamine-infusion-therapy")
    page.save_revision().publish()  # new revision_id: consumers cite it
    assert changed(later, "therapies") == {"ketamine-infusion-therapy"}
    assert changed(later, "conditions") == set()  # a reference's title did not change


def test_a_snippet_changes_exactly_the_items_that_show_it(later):
    symptom = Symptom.objects.get(slug="tingling")
    symptom.name = "Tingling or pins and needles"
    symptom.save()
    assert changed(later, "conditions") == {"neuropathic-pain"}
    assert changed(later, "causes") == set()
    unused = Reference.objects.create(title="An uncited paper", year=2020, authors="A. N. Other")
    unused.title = "An uncited paper, revised"
    unused.save()
    assert changed(later, "therapies") == set()


def test_the_default_disclaimer_changes_every_item(later):
    disclaimer = Disclaimer.objects.get(is_default=True)
    disclaimer.emergency_text += " Call 911."
    disclaimer.save()
    assert "neuropathic-pain" in changed(later, "conditions")
    assert len(changed(later, "causes")) == 8


def test_unpublishing_leaves_a_tombstone_and_changes_the_pages_that_linked(later):
    amputation = CausePage.objects.get(slug="amputation")
    amputation.unpublish()
    record = state("amputation")
    assert record.public is False and record.fingerprint == ""
    assert str(record.changed_at.date()) == "2026-06-01"
    assert changed(later, "conditions") == {"neuropathic-pain"}
    assert changed(later, "therapies") == {"ketamine-infusion-therapy"}
    amputation.refresh_from_db()
    amputation.save_revision().publish()
    assert state("amputation").public is True


def test_a_private_section_becomes_tombstones(later):
    index = CausePage.objects.get(slug="shingles").get_parent()
    PageViewRestriction.objects.create(page=index, restriction_type="login")
    assert RepresentationState.objects.filter(type="cause", public=True).count() == 0
    assert changed(later, "conditions") == {"neuropathic-pain"}


def test_review_status_moves_with_the_calendar(later, freezer):
    freezer.move_to("2027-02-20")  # next review due 2027-03-10: now due soon
    assert refresh_review_status() >= 1
    assert state("neuropathic-pain").review_status == "due_soon"
    assert "neuropathic-pain" in changed(later, "conditions")
    assert refresh_review_status() == 0  # nothing moved since


def test_refresh_command_backfills_from_publication_times(api):
    RepresentationState.objects.all().delete()
    call_command("refresh_representations", verbosity=0)
    assert str(state("neuropathic-pain").changed_at.date()) == "2026-03-10"
    assert changed(api, "conditions") == set()


def test_an_edited_image_changes_the_items_that_show_it(later, freezer, settings, tmp_path):
    import wagtail_factories

    settings.MEDIA_ROOT = tmp_path
    freezer.move_to("2026-05-01")
    page = TherapyPage.objects.get(slug="ketamine-infusion-therapy")
    page.hero_image = wagtail_factories.ImageFactory(file__width=1600, file__height=900)
    page.hero_image_alt = "An infusion room"
    page.save_revision().publish()
    freezer.move_to("2026-06-01 12:00:00")
    assert changed(later, "therapies") == set()
    image = page.hero_image
    image.focal_point_x, image.focal_point_y = 100, 100
    image.focal_point_width = image.focal_point_height = 50
    image.save()
    assert changed(later, "therapies") == {"ketamine-infusion-therapy"}
    assert changed(later, "conditions") == set()  # they show the therapy as a reference
