from django.db import models

from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.models import Orderable
from wagtail.search import index

from pages.models.base import BaseContentPage, BaseIndexPage


class CauseIndexPage(BaseIndexPage):
    subpage_types = ["pages.CausePage"]


class CausePage(BaseContentPage):
    resulting_pain_syndrome = models.CharField(
        max_length=200,
        blank=True,
        help_text="The pain syndrome this cause leads to, if it has its own name "
        "(e.g. 'phantom limb pain' for amputation).",
    )

    search_fields = [
        *BaseContentPage.search_fields,
        index.SearchField("resulting_pain_syndrome"),
    ]
    content_panels = [
        *BaseContentPage.intro_panels,
        FieldPanel("resulting_pain_syndrome"),
        InlinePanel("statistics", heading="Key statistics", label="Statistic"),
        *BaseContentPage.closing_panels,
    ]
    api_type = "cause"  # the "type" consumers see
    api_collection = "causes"  # /api/v1/causes/
    parent_page_types = ["pages.CauseIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = "cause"


class CauseStatistic(Orderable):
    """A number that matters, e.g. '50%' of 'people with diabetes' 'have neuropathic pain'."""

    page = ParentalKey(CausePage, on_delete=models.CASCADE, related_name="statistics")
    value = models.CharField(max_length=40, help_text="The figure, e.g. '50%'.")
    population = models.CharField(max_length=200, help_text="Of whom, e.g. 'people with diabetes'.")
    outcome = models.CharField(
        max_length=200, help_text="What happens to them, e.g. 'have nerve pain'."
    )
    reference = models.ForeignKey(
        "pages.Reference",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The source of the figure.",
    )

    panels = [
        FieldPanel("value"),
        FieldPanel("population"),
        FieldPanel("outcome"),
        FieldPanel("reference"),
    ]

    def __str__(self):
        return f"{self.value} of {self.population} {self.outcome}"
