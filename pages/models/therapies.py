from django.core.exceptions import ValidationError
from django.db import models

from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel, PageChooserPanel
from wagtail.fields import RichTextField
from wagtail.models import Orderable
from wagtail.search import index

from pages.blocks import RICH_TEXT_FEATURES
from pages.models.base import BaseContentPage, BaseIndexPage


class TherapyIndexPage(BaseIndexPage):
    subpage_types = ["pages.TherapyPage"]


class TherapyPage(BaseContentPage):
    """A service the clinic provides, e.g. ketamine infusion therapy."""

    provider_name = models.CharField(
        max_length=200, help_text="Who provides it, e.g. 'Kalypso Wellness Centers'."
    )
    evidence_summary = models.TextField(
        blank=True, help_text="The state of the evidence in one or two sentences."
    )
    # The drug
    drug_name = models.CharField(max_length=120, blank=True, help_text="e.g. 'Ketamine'")
    drug_class = models.CharField(max_length=200, blank=True, help_text="e.g. 'Anesthetic'")
    drug_background = models.TextField(
        blank=True, help_text="e.g. how long and where it has been used."
    )
    administration = models.CharField(
        max_length=200,
        blank=True,
        help_text="Dose and route, e.g. 'low-dose intravenous infusion'.",
    )
    mechanism_target = models.CharField(
        max_length=200, blank=True, help_text="What it acts on, e.g. 'NMDA receptor'."
    )
    mechanism_of_action = RichTextField(features=RICH_TEXT_FEATURES, blank=True)
    what_to_expect = RichTextField(features=RICH_TEXT_FEATURES, blank=True)
    cta_label = models.CharField("Call to action label", max_length=80, blank=True)
    cta_url = models.URLField("Call to action URL", blank=True)
    # Safety
    is_off_label = models.BooleanField(
        "Off-label use",
        default=False,
        help_text="Tick if this use is not an approved indication of the drug.",
    )
    approved_use = models.CharField(
        max_length=200, blank=True, help_text="What the drug is approved for, e.g. 'anesthesia'."
    )
    monitoring = models.TextField(
        blank=True, help_text="How patients are monitored during treatment."
    )
    safety_reference = models.ForeignKey(
        "pages.Reference",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The guideline the safety information comes from.",
    )

    search_fields = [
        *BaseContentPage.search_fields,
        index.SearchField("drug_name"),
        index.SearchField("mechanism_target"),
        index.SearchField("mechanism_of_action"),
    ]
    content_panels = [
        *BaseContentPage.intro_panels,
        FieldPanel("provider_name"),
        FieldPanel("evidence_summary"),
        InlinePanel("relief_links", heading="Relieves", label="Condition or cause"),
        MultiFieldPanel(
            [
                FieldPanel("drug_name"),
                FieldPanel("drug_class"),
                FieldPanel("drug_background"),
                FieldPanel("administration"),
                FieldPanel("mechanism_target"),
                FieldPanel("mechanism_of_action"),
            ],
            heading="The drug",
        ),
        FieldPanel("what_to_expect"),
        MultiFieldPanel([FieldPanel("cta_label"), FieldPanel("cta_url")], heading="Call to action"),
        MultiFieldPanel(
            [
                FieldPanel("is_off_label"),
                FieldPanel("approved_use"),
                InlinePanel("contraindications", label="Contraindication"),
                InlinePanel("side_effects", label="Side effect"),
                FieldPanel("monitoring"),
                FieldPanel("safety_reference"),
            ],
            heading="Safety",
        ),
        *BaseContentPage.closing_panels,
    ]
    api_type = "therapy"  # the "type" consumers see
    api_collection = "therapies"  # /api/v1/therapies/
    parent_page_types = ["pages.TherapyIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = "therapy"

    def clean(self):
        super().clean()
        if bool(self.cta_label) != bool(self.cta_url):
            raise ValidationError("A call to action needs both a label and a URL.")


class TherapyReliefLink(Orderable):
    """A condition or cause the therapy relieves, with the label the page shows for it."""

    page = ParentalKey(TherapyPage, on_delete=models.CASCADE, related_name="relief_links")
    target = models.ForeignKey(
        "wagtailcore.Page", on_delete=models.PROTECT, related_name="therapy_relief_links"
    )
    label = models.CharField(
        max_length=200,
        blank=True,
        help_text="Shown instead of the page title, e.g. 'phantom limb pain' for amputation.",
    )
    note = models.CharField(max_length=300, blank=True)

    panels = [
        PageChooserPanel("target", ["pages.ConditionPage", "pages.CausePage"]),
        FieldPanel("label"),
        FieldPanel("note"),
    ]

    class Meta(Orderable.Meta):
        constraints = [
            models.UniqueConstraint(fields=["page", "target"], name="unique_therapy_relief_target"),
        ]

    def clean(self):
        super().clean()
        if self.target_id:
            model = self.target.specific_class
            if model is None or model._meta.model_name not in {"conditionpage", "causepage"}:
                raise ValidationError({"target": "Choose a condition page or a cause page."})


class TherapyContraindication(Orderable):
    page = ParentalKey(TherapyPage, on_delete=models.CASCADE, related_name="contraindications")
    name = models.CharField(max_length=200, help_text="e.g. 'pregnancy'")
    note = models.CharField(max_length=300, blank=True)

    panels = [FieldPanel("name"), FieldPanel("note")]


class TherapySideEffect(Orderable):
    class Severity(models.TextChoices):
        COMMON = "common", "Common"
        SERIOUS = "serious", "Serious"

    page = ParentalKey(TherapyPage, on_delete=models.CASCADE, related_name="side_effects")
    name = models.CharField(max_length=200, help_text="e.g. 'nausea'")
    examples = models.CharField(
        max_length=300, blank=True, help_text="e.g. 'hallucinations, vivid dreams'"
    )
    severity = models.CharField(max_length=20, choices=Severity.choices, default=Severity.COMMON)

    panels = [FieldPanel("name"), FieldPanel("examples"), FieldPanel("severity")]
