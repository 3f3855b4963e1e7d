import datetime

from django.core.exceptions import ValidationError

from wagtail.contrib.redirects.models import Redirect

import pytest

from pages.models import MedicalCode, MedicalReviewMixin, Reference, Reviewer
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_person_reviewer_needs_credentials_an_organisation_does_not():
    with pytest.raises(ValidationError, match="credentials"):
        Reviewer(kind="person", name="Dr Jane Doe").full_clean()
    Reviewer(kind="person", name="Dr Jane Doe", credentials="MD, FASA").full_clean()
    Reviewer(kind="organisation", name="Medical team").full_clean()


@pytest.mark.parametrize(
    ("system", "value", "valid"),
    [
        ("ICD-10-CM", "G90.50", True),
        ("ICD-10-CM", "g54.6", True),
        ("ICD-10-CM", "G9O.50", False),
        ("SNOMED CT", "247398009", True),
        ("SNOMED CT", "24739", False),
        ("ATC", "N01AX03", True),
        ("ATC", "N01AX3", False),
    ],
)
def test_medical_code_values_are_checked_per_system(system, value, valid):
    code = MedicalCode(system=system, value=value, display_name="x")
    if valid:
        code.full_clean()
        assert code.value == value.upper()
    else:
        with pytest.raises(ValidationError, match=f"not a valid {system} code"):
            code.full_clean()


def test_reference_needs_an_identifier_and_normalises_doi_links():
    with pytest.raises(ValidationError, match="DOI, PMID or URL"):
        Reference(authors="A", title="T", year=2020).full_clean()
    ref = Reference(authors="A", title="T", year=2020, doi="https://doi.org/10.1000/xyz")
    ref.full_clean()
    assert ref.doi == "10.1000/xyz"
    assert ref.doi_url == "https://doi.org/10.1000/xyz"
    with pytest.raises(ValidationError, match="PubMed ID"):
        Reference(authors="A", title="T", year=2020, pmid="PMC123").full_clean()


def test_citation_text():
    ref = Reference(
        authors="Cohen SP, et al.",
        title="Consensus guidelines",
        journal="Reg Anesth Pain Med",
        year=2018,
        volume="43",
        issue="5",
        pages="521-546",
    )
    assert (
        ref.citation
        == "Cohen SP, et al. Consensus guidelines. Reg Anesth Pain Med. 2018;43(5):521-546."
    )


@pytest.mark.parametrize(
    ("due", "status"),
    [
        (None, "unreviewed"),
        (datetime.date(2026, 3, 9), "overdue"),
        (datetime.date(2026, 3, 10), "due_soon"),
        (datetime.date(2026, 4, 9), "due_soon"),
        (datetime.date(2026, 4, 10), "current"),
    ],
)
def test_review_status(due, status):
    page = factories.ConditionPageFactory.build(next_review_due=due)
    assert page.review_status(today=datetime.date(2026, 3, 10)) == status
    assert status in MedicalReviewMixin.ReviewStatus.values


def test_hero_image_needs_alt_text(home):
    import wagtail_factories

    index = factories.CauseIndexPageFactory(parent=home)
    page = factories.CausePageFactory(parent=index)
    page.hero_image = wagtail_factories.ImageFactory()
    with pytest.raises(ValidationError, match="screen readers"):
        page.full_clean()
    page.hero_image_alt = "A nurse preparing an infusion"
    page.full_clean()


def test_slug_change_creates_a_redirect(home, django_capture_on_commit_callbacks):
    conditions = factories.ConditionIndexPageFactory(parent=home)
    page = factories.ConditionPageFactory(parent=conditions, slug="nerve-pain")
    page.slug = "neuropathic-pain"
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()
    redirect = Redirect.objects.get(old_path="/conditions/nerve-pain")
    assert redirect.redirect_page_id == page.pk


def test_pages_cannot_move_to_another_section(home):
    causes = factories.CauseIndexPageFactory(parent=home)
    therapies = factories.TherapyIndexPageFactory(parent=home)
    cause = factories.CausePageFactory(parent=causes, slug="shingles")
    assert not cause.can_move_to(therapies)
    assert cause.can_move_to(causes)
