from django.core.management import call_command
from django.core.management.base import CommandError

from wagtail.images import get_image_model
from wagtail.models import Page, ReferenceIndex

import pytest

from pages.models import CausePage, ConditionPage, TherapyPage, TreatmentPage

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
