import datetime

import factory
import wagtail_factories

from pages import models


class SymptomFactory(factory.django.DjangoModelFactory):
    name = factory.Sequence(lambda n: f"Symptom {n}")
    slug = factory.Sequence(lambda n: f"symptom-{n}")

    class Meta:
        model = models.Symptom


class ReviewerFactory(factory.django.DjangoModelFactory):
    kind = models.Reviewer.Kind.PERSON
    name = factory.Sequence(lambda n: f"Dr Reviewer {n}")
    credentials = "MD"

    class Meta:
        model = models.Reviewer


class ReferenceFactory(factory.django.DjangoModelFactory):
    authors = "Doe J, Roe R"
    title = factory.Sequence(lambda n: f"A trial of treatment {n}")
    journal = "J Pain"
    year = 2020
    doi = factory.Sequence(lambda n: f"10.5555/test.{n}")

    class Meta:
        model = models.Reference


class MedicalCodeFactory(factory.django.DjangoModelFactory):
    system = models.MedicalCode.System.SNOMED_CT
    value = factory.Sequence(lambda n: str(100000 + n))
    display_name = factory.Sequence(lambda n: f"Finding {n}")

    class Meta:
        model = models.MedicalCode


class HomePageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = models.HomePage


class ContentPageFactory(wagtail_factories.PageFactory):
    summary = factory.Faker("sentence")
    reviewed_by = factory.SubFactory(ReviewerFactory)
    last_reviewed = datetime.date(2026, 1, 1)
    next_review_due = datetime.date(2027, 1, 1)


class ConditionIndexPageFactory(wagtail_factories.PageFactory):
    title = "Conditions"
    slug = "conditions"

    class Meta:
        model = models.ConditionIndexPage


class CauseIndexPageFactory(wagtail_factories.PageFactory):
    title = "Causes"
    slug = "causes"

    class Meta:
        model = models.CauseIndexPage


class TreatmentIndexPageFactory(wagtail_factories.PageFactory):
    title = "Treatments"
    slug = "treatments"

    class Meta:
        model = models.TreatmentIndexPage


class TherapyIndexPageFactory(wagtail_factories.PageFactory):
    title = "Therapies"
    slug = "therapies"

    class Meta:
        model = models.TherapyIndexPage


class ConditionPageFactory(ContentPageFactory):
    title = factory.Sequence(lambda n: f"Condition {n}")

    class Meta:
        model = models.ConditionPage


class CausePageFactory(ContentPageFactory):
    title = factory.Sequence(lambda n: f"Cause {n}")

    class Meta:
        model = models.CausePage


class TreatmentPageFactory(ContentPageFactory):
    title = factory.Sequence(lambda n: f"Treatment {n}")
    category = models.TreatmentPage.Category.MEDICATION

    class Meta:
        model = models.TreatmentPage


class TherapyPageFactory(ContentPageFactory):
    title = factory.Sequence(lambda n: f"Therapy {n}")
    provider_name = "Test Clinic"

    class Meta:
        model = models.TherapyPage


def give_hero_image(settings, media_root, alt, slug="neuropathic-pain"):
    """Publish the seeded condition `slug` with a 2000 x 1200 hero image (files in
    `media_root`)."""
    import wagtail_factories

    from pages.models import ConditionPage

    settings.MEDIA_ROOT = media_root
    page = ConditionPage.objects.get(slug=slug)
    page.hero_image = wagtail_factories.ImageFactory(file__width=2000, file__height=1200)
    page.hero_image_alt = alt
    page.save_revision().publish()
    return page
