from django.db import models

from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Orderable
from wagtail.search import index

from pages.blocks import RICH_TEXT_FEATURES
from pages.models.base import BaseContentPage, BaseIndexPage


class TreatmentIndexPage(BaseIndexPage):
    subpage_types = ["pages.TreatmentPage"]


class TreatmentPage(BaseContentPage):
    class Category(models.TextChoices):
        MEDICATION = "medication", "Medication"
        TOPICAL = "topical", "Topical"
        ALTERNATIVE_MEDICINE = "alternative-medicine", "Alternative medicine"
        PROCEDURE = "procedure", "Procedure"

    category = models.CharField(max_length=30, choices=Category.choices)
    drug_class = models.CharField(
        max_length=200, blank=True, help_text="For medication: the class, e.g. 'Anticonvulsant'."
    )
    how_it_works = RichTextField(features=RICH_TEXT_FEATURES, blank=True)
    evidence_notes = RichTextField(
        features=RICH_TEXT_FEATURES,
        blank=True,
        help_text="How well it works and for whom, citing the references below.",
    )

    search_fields = [
        *BaseContentPage.search_fields,
        index.SearchField("drug_class"),
        index.SearchField("how_it_works"),
        index.FilterField("category"),
        index.RelatedFields("example_drugs", [index.SearchField("name")]),
    ]
    content_panels = [
        *BaseContentPage.intro_panels,
        MultiFieldPanel(
            [
                FieldPanel("category"),
                FieldPanel("drug_class"),
                InlinePanel("example_drugs", label="Example drug"),
            ],
            heading="Kind of treatment",
        ),
        FieldPanel("how_it_works"),
        FieldPanel("evidence_notes"),
        *BaseContentPage.closing_panels,
    ]
    api_type = "treatment"  # the "type" consumers see
    api_collection = "treatments"  # /api/v1/treatments/
    parent_page_types = ["pages.TreatmentIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = "treatment"


class TreatmentExampleDrug(Orderable):
    page = ParentalKey(TreatmentPage, on_delete=models.CASCADE, related_name="example_drugs")
    name = models.CharField(max_length=120, help_text="Generic name, e.g. 'gabapentin'.")
    code = models.ForeignKey(
        "pages.MedicalCode",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Its ATC code, if known.",
    )

    panels = [FieldPanel("name"), FieldPanel("code")]

    def __str__(self):
        return self.name
