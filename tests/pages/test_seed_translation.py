"""The seed's Spanish translation of the therapy page: a draft awaiting medical review, with no
review recorded, never published by the seed command and kept as editors change it."""

from django.core.management import call_command

from wagtail.models import Locale, WorkflowState

import pytest

from pages import translations
from pages.models import Reviewer, TherapyPage
from pages.seed import data

pytestmark = pytest.mark.django_db


def spanish_therapy():
    return TherapyPage.objects.get(locale__language_code="es")


def test_the_seed_submits_the_spanish_therapy_page_for_review_unpublished(client, freezer):
    call_command("seed_content", verbosity=0)
    english = TherapyPage.objects.get(slug=data.THERAPY["slug"], locale=Locale.get_default())
    page = spanish_therapy()
    assert page.translation_key == english.translation_key
    assert not page.live and page.live_revision_id is None
    assert (page.reviewed_by_id, page.last_reviewed, page.next_review_due) == (None, None, None)
    assert page.review_status() == page.ReviewStatus.UNREVIEWED

    draft = page.get_latest_revision_as_object()
    assert (draft.title, draft.slug) == (data.THERAPY_ES["title"], data.THERAPY_ES["slug"])
    assert draft.summary == data.THERAPY_ES["summary"]
    assert [row.name for row in draft.contraindications.all()] == data.THERAPY_ES[
        "contraindications"
    ]
    assert [(r.name, r.examples) for r in draft.side_effects.all()] == data.THERAPY_ES[
        "side_effects"
    ]
    (claim,) = [block.value for block in draft.body if block.block_type == "evidence_claim"]
    assert claim["claim"].source == data.THERAPY_ES["claim"]
    english_claim = next(b.value for b in english.body if b.block_type == "evidence_claim")
    assert [r.pk for r in claim["references"]] == [r.pk for r in english_claim["references"]]

    state = WorkflowState.objects.get(object_id=str(page.pk))
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert state.current_task_state.revision_id == page.latest_revision_id
    assert state.workflow.name == "Medical review"

    team = Reviewer.objects.get(name=data.REVIEWER["name"])
    assert team.in_language(page.locale_id) == ("", data.REVIEWER_ES["job_title"])

    origin = translations.origin_of(page)
    assert (origin.source_id, origin.made_from_id) == (str(english.pk), english.live_revision_id)
    assert translations.status(page) == translations.CURRENT

    # served nowhere: not by its slug, not among the therapies
    assert client.get(f"/api/v1/therapies/{data.THERAPY_ES['slug']}/").status_code == 404
    listed = client.get("/api/v1/therapies/?limit=100").json()["results"]
    assert [item["slug"] for item in listed] == [data.THERAPY["slug"]]


def test_seeding_again_keeps_the_translation_as_editors_left_it(freezer):
    call_command("seed_content", verbosity=0)
    page = spanish_therapy()
    page.title = "Terapia con ketamina"
    page.save_revision()
    call_command("seed_content", verbosity=0)
    assert TherapyPage.objects.filter(locale__language_code="es").count() == 1
    assert spanish_therapy().get_latest_revision_as_object().title == "Terapia con ketamina"
    assert WorkflowState.objects.count() == 1


def test_no_spanish_content_language_no_translation(settings, freezer):
    Locale.objects.filter(language_code="es").delete()
    call_command("seed_content", verbosity=0)
    assert not TherapyPage.objects.filter(locale__language_code="es").exists()
