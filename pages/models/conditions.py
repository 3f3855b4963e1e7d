from django.db import models

from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel, PageChooserPanel
from wagtail.fields import StreamField
from wagtail.models import Orderable
from wagtail.search import index

from pages.blocks import TreatmentApproachBlock
from pages.models.base import BaseContentPage, BaseIndexPage


class ConditionIndexPage(BaseIndexPage):
    subpage_types = ["pages.ConditionPage"]


class ConditionPage(BaseContentPage):
    symptoms_overview = models.TextField(
        blank=True,
        help_text="How the symptoms present together, e.g. which ones usually accompany the pain.",
    )
    treatment_approach = StreamField(
        TreatmentApproachBlock(),
        blank=True,
        help_text="The parts of treatment, in order: e.g. the underlying cause, then the symptoms.",
    )

    search_fields = [
        *BaseContentPage.search_fields,
        index.RelatedFields("also_known_as", [index.SearchField("name")]),
        index.SearchField("symptoms_overview"),
        index.RelatedFields("subtypes", [index.SearchField("name")]),
    ]

    content_panels = [
        *BaseContentPage.intro_panels,
        InlinePanel("also_known_as", heading="Also known as", label="Other name"),
        MultiFieldPanel(
            [
                FieldPanel("symptoms_overview"),
                InlinePanel("symptom_links", label="Symptom"),
            ],
            heading="Symptoms",
        ),
        InlinePanel("subtypes", heading="Subtypes", label="Subtype"),
        InlinePanel("cause_links", heading="Causes", label="Cause"),
        FieldPanel("treatment_approach"),
        InlinePanel("treatment_links", heading="Treatments", label="Treatment"),
        *BaseContentPage.closing_panels,
    ]
    api_type = "condition"  # the "type" consumers see
    api_collection = "conditions"  # /api/v1/conditions/
    parent_page_types = ["pages.ConditionIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = "condition"


class ConditionOtherName(Orderable):
    page = ParentalKey(ConditionPage, on_delete=models.CASCADE, related_name="also_known_as")
    name = models.CharField(
        max_length=120, help_text="Another name patients use, e.g. 'nerve pain'."
    )

    panels = [FieldPanel("name")]

    def __str__(self):
        return self.name


class ConditionSymptomLink(Orderable):
    page = ParentalKey(ConditionPage, on_delete=models.CASCADE, related_name="symptom_links")
    symptom = models.ForeignKey(
        "pages.Symptom", on_delete=models.PROTECT, related_name="condition_links"
    )
    note = models.CharField(
        max_length=300, blank=True, help_text="e.g. 'often accompanies the pain'"
    )

    panels = [FieldPanel("symptom"), FieldPanel("note")]


class ConditionSubtype(Orderable):
    """A form of the condition, e.g. peripheral neuropathy, and how it typically spreads."""

    page = ParentalKey(ConditionPage, on_delete=models.CASCADE, related_name="subtypes")
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    onset_site = models.CharField(
        max_length=200, blank=True, help_text="Where it usually starts, e.g. 'fingers and toes'."
    )
    progression = models.CharField(
        max_length=300,
        blank=True,
        help_text="How it spreads, e.g. 'upward into the arms and legs'.",
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("description"),
        FieldPanel("onset_site"),
        FieldPanel("progression"),
    ]


class ConditionCauseLink(Orderable):
    page = ParentalKey(ConditionPage, on_delete=models.CASCADE, related_name="cause_links")
    cause = models.ForeignKey(
        "pages.CausePage", on_delete=models.PROTECT, related_name="condition_links"
    )
    is_most_common = models.BooleanField(
        "Most common cause", default=False, help_text="Tick for the most common cause only."
    )
    prevalence = models.CharField(
        max_length=300,
        blank=True,
        help_text="A sourced statement, e.g. 'causes pain in 50% of people with diabetes'.",
    )
    note = models.CharField(max_length=300, blank=True)

    panels = [
        PageChooserPanel("cause", "pages.CausePage"),
        FieldPanel("is_most_common"),
        FieldPanel("prevalence"),
        FieldPanel("note"),
    ]

    class Meta(Orderable.Meta):
        constraints = [
            models.UniqueConstraint(fields=["page", "cause"], name="unique_condition_cause"),
        ]


class ConditionTreatmentLink(Orderable):
    page = ParentalKey(ConditionPage, on_delete=models.CASCADE, related_name="treatment_links")
    treatment = models.ForeignKey(
        "pages.TreatmentPage", on_delete=models.PROTECT, related_name="condition_links"
    )
    note = models.CharField(
        max_length=300, blank=True, help_text="e.g. 'for the pain and tingling'"
    )
    efficacy_caveat = models.CharField(
        max_length=300,
        blank=True,
        help_text="What patients should know about how well it works for this condition.",
    )

    panels = [
        PageChooserPanel("treatment", "pages.TreatmentPage"),
        FieldPanel("note"),
        FieldPanel("efficacy_caveat"),
    ]

    class Meta(Orderable.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["page", "treatment"], name="unique_condition_treatment"
            ),
        ]
