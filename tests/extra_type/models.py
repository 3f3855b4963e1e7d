from django.db import models

from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.models import Orderable

from pages.models import BaseContentPage
from pages.models.base import BaseIndexPage


class ProcedureIndexPage(BaseIndexPage):
    subpage_types = ["extra_type.ProcedurePage"]


class ProcedurePage(BaseContentPage):
    """A procedure, e.g. a nerve block, and the conditions it is used for."""

    duration = models.CharField(max_length=100, blank=True, help_text="e.g. 'about an hour'")

    content_panels = [
        *BaseContentPage.content_panels,
        FieldPanel("duration"),
        InlinePanel("condition_links", label="Used for"),
    ]
    parent_page_types = ["extra_type.ProcedureIndexPage"]
    subpage_types = []


class ProcedureConditionLink(Orderable):
    page = ParentalKey(ProcedurePage, on_delete=models.CASCADE, related_name="condition_links")
    condition = models.ForeignKey("pages.ConditionPage", on_delete=models.CASCADE, related_name="+")
    note = models.CharField(max_length=200, blank=True)

    panels = [FieldPanel("condition"), FieldPanel("note")]
