from io import StringIO
from unittest import mock

from django.core.management import call_command
from django.core.management.base import CommandError

from wagtail.images import get_image_model
from wagtail.models import Page, PageLogEntry, ReferenceIndex, Revision

import pytest

from pages.models import CONTENT_PAGE_MODELS, CausePage, ConditionPage, TherapyPage, TreatmentPage
from pages.search import search_public
from pages.seed.generated import SyntheticContent
from pages.signals import content_loaded

pytestmark = pytest.mark.django_db


def test_generates_linked_published_indexed_content(tmp_path, settings, capsys):
    settings.MEDIA_ROOT = tmp_path
    call_command("generate_content", "--conditions", "12")
    out = capsys.readouterr().out
    assert "Conditions: 12/12" in out and "Generated" in out

    generated = ConditionPage.objects.filter(slug__startswith="gen-")
    assert generated.count() == 12
    assert CausePage.objects.filter(slug__startswith="gen-").count() == 6
    assert TreatmentPage.objects.filter(slug__startswith="gen-").count() == 6
    assert TherapyPage.objects.filter(slug__startswith="gen-").count() == 3
    # The tree is consistent (paths, depths, numchild) after the bulk inserts.
    assert all(not problems for problems in Page.find_problems())

    for page in generated:
        assert page.live and page.live_revision_id and page.url.startswith("/conditions/gen-")
        assert page.cause_links.count() >= 3
        assert page.treatment_links.count() >= 3
        assert page.symptom_links.count() >= 3
        assert page.reference_links.count() >= 3
        assert page.hero_image and page.hero_image_alt
        types = [block.block_type for block in page.body]
        assert "image" in types
        assert 'linktype="page"' in page.body.raw_data[1]["value"]
        snapshot = page.live_revision.as_object()
        assert [c.cause_id for c in snapshot.cause_links.all()] == [
            c.cause_id for c in page.cause_links.all()
        ]
    for therapy in TherapyPage.objects.filter(slug__startswith="gen-"):
        assert therapy.relief_links.count() >= 3
    # ... and in the other direction: every cause and treatment is linked 3+ times.
    for cause in CausePage.objects.filter(slug__startswith="gen-"):
        assert cause.condition_links.count() >= 3
        assert cause.therapy_relief_links.count() >= 3
    for treatment in TreatmentPage.objects.filter(slug__startswith="gen-"):
        assert treatment.condition_links.count() >= 3
    for page in generated:
        assert page.therapy_relief_links.count() >= 3

    image = get_image_model().objects.filter(title__startswith="Generated").first()
    assert image.renditions.count() >= 3
    assert ReferenceIndex.objects.filter(object_id=str(generated[0].pk)).exists()
    title = generated[0].title
    assert generated[0].pk in [p.pk for p in ConditionPage.objects.search(title)]


def test_rejects_a_nonsense_count(db):
    with pytest.raises(CommandError, match="between 1 and 100000"):
        call_command("generate_content", "--conditions", "0")


@pytest.fixture
def generated(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path

    def generate(conditions=3, seed=1):
        call_command("generate_content", "--conditions", conditions, "--seed", seed, verbosity=0)

    return generate


def test_generated_pages_are_placed_published_and_searchable(generated):
    generated()
    assert all(not problems for problems in Page.find_problems())  # treebeard: paths, numchild
    pages = [page for model in CONTENT_PAGE_MODELS for page in model.objects.all()]
    assert len(pages) == 18 + 3 + 3 + 3 + 3  # the seed, then 3 of each type
    for page in pages:
        parent = page.get_parent()
        assert page.url_path == f"{parent.url_path}{page.slug}/"
        assert page.depth == parent.depth + 1 and page.locale_id == parent.locale_id
        assert page.live and not page.has_unpublished_changes and page.first_published_at
        assert page.live_revision_id == page.latest_revision_id
        (revision,) = Revision.page_revisions.filter(object_id=str(page.pk))
        assert revision.pk == page.live_revision_id
        snapshot = revision.as_object()
        assert (snapshot.title, snapshot.slug) == (page.title, page.slug)
        assert list(snapshot.body.raw_data) == list(page.body.raw_data)  # block ids too
        assert {e.action for e in PageLogEntry.objects.filter(page=page)} == {
            "wagtail.create",
            "wagtail.publish",
        }
        written = ReferenceIndex.get_references_for_object(page).values_list(
            "to_content_type", "to_object_id", "content_path"
        )
        before = set(written)
        ReferenceIndex.create_or_update_for_object(page)  # Wagtail's own indexing changes nothing
        assert set(written.all()) == before
    condition = ConditionPage.objects.filter(slug__startswith="gen-").first()
    assert condition.pk in [page.pk for page in search_public(condition.title, CONTENT_PAGE_MODELS)]


def test_same_seed_same_content_and_a_second_run_adds_beside_the_first(generated):
    generated(seed=7)
    generated(seed=7)
    assert all(not problems for problems in Page.find_problems())

    assert len(run_pages(1)) == 3
    assert run_pages(1) == run_pages(2)


def test_listeners_hear_once_about_every_new_page(generated):
    listener = mock.Mock()
    content_loaded.connect(listener)
    try:
        generated()  # the seed content and the generated pages: one load
    finally:
        content_loaded.disconnect(listener)
    listener.assert_called_once()
    new = Page.objects.filter(depth__gt=1)  # all but the root
    assert sorted(listener.call_args.kwargs["page_ids"]) == sorted(new.values_list("pk", flat=True))


def run_pages(run):
    """(slug without the run, title, its causes' titles) of a run's conditions, in order."""
    pages = ConditionPage.objects.filter(slug__startswith=f"gen-{run}-").order_by("path")
    return [
        (
            page.slug.removeprefix(f"gen-{run}-"),
            page.title,
            [link.cause.title for link in page.cause_links.all()],
        )
        for page in pages
    ]


def test_a_run_in_chunks_commits_each_and_resumes_where_it_stopped(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    options = {"seed": 3, "chunk": 2, "verbosity": 0}
    call_command("generate_content", conditions=5, **options)  # run 1, unbroken: 3 chunks

    real_generate = SyntheticContent.generate
    calls = []

    def dies_in_the_second_chunk(self, n_conditions):
        calls.append(n_conditions)
        if len(calls) == 2:
            raise KeyboardInterrupt  # the operator's ^C, mid-chunk
        return real_generate(self, n_conditions)

    dying = mock.patch.object(SyntheticContent, "generate", dies_in_the_second_chunk)
    with dying, pytest.raises(KeyboardInterrupt):
        call_command("generate_content", conditions=5, **options)  # run 2
    assert len(run_pages(2)) == 2  # the first chunk was committed, the second rolled back
    assert all(not problems for problems in Page.find_problems())

    call_command("generate_content", conditions=5, resume=True, **options)
    assert not ConditionPage.objects.filter(slug__startswith="gen-3-").exists()
    assert run_pages(2) == run_pages(1)  # what the unbroken run wrote, slugs and links alike
    for model, per_run in [(CausePage, 3 + 3 + 3), (TreatmentPage, 9), (TherapyPage, 9)]:
        for run in (1, 2):
            assert model.objects.filter(slug__startswith=f"gen-{run}-").count() == per_run
    assert all(not problems for problems in Page.find_problems())

    out = StringIO()
    call_command(
        "generate_content", conditions=5, resume=True, stdout=out, **options | {"verbosity": 1}
    )
    assert "Nothing to add" in out.getvalue()


def test_a_single_condition_is_enough(generated):
    generated(conditions=1)
    assert ConditionPage.objects.filter(slug__startswith="gen-").count() == 1
    assert TherapyPage.objects.filter(slug__startswith="gen-").count() == 3


def test_rejects_a_nonsense_chunk(db):
    with pytest.raises(CommandError, match="--chunk must be at least 1"):
        call_command("generate_content", "--conditions", "3", "--chunk", "0")
