"""What every content page shares: hero, medical review, references, codes, disclaimer, body."""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from pages.blocks import BodyBlock
from pages.governance import KeepsHeldRevisions
from pages.link_safety import check_links
from pages.previews import page_preview_modes, serve_preview
from pages.stemming import STEMS_FIELD, StemmedSearch

REVIEW_DUE_SOON_DAYS = 30


class HeroMixin(models.Model):
    hero_image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Landscape image, at least 1600 px wide.",
    )
    hero_image_alt = models.CharField(
        "Hero image alt text",
        max_length=250,
        blank=True,
        help_text="Describe the image for people who cannot see it. Required with an image.",
    )

    hero_panels = [
        MultiFieldPanel([FieldPanel("hero_image"), FieldPanel("hero_image_alt")], heading="Hero"),
    ]

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        check_links(self)
        if self.hero_image_id and not self.hero_image_alt.strip():
            raise ValidationError({"hero_image_alt": "Describe the hero image for screen readers."})


class MedicalReviewMixin(models.Model):
    """Who checked this page medically, when, and when it must be checked again."""

    class ReviewStatus(models.TextChoices):
        CURRENT = "current", "Current"
        DUE_SOON = "due_soon", "Due soon"
        OVERDUE = "overdue", "Overdue"
        UNREVIEWED = "unreviewed", "Not reviewed"

    reviewed_by = models.ForeignKey(
        "pages.Reviewer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The clinician or medical team who checked the content.",
    )
    last_reviewed = models.DateField(
        null=True, blank=True, help_text="Date of the last medical review."
    )
    next_review_due = models.DateField(
        null=True, blank=True, help_text="Usually one year after the last review."
    )

    REVIEW_FIELDS = ("reviewed_by", "last_reviewed", "next_review_due")
    # Read-only in the editor: only an approval or a Medical reviewer's "Mark reviewed"
    # records a review (pages/governance.py).
    review_panels = [
        MultiFieldPanel(
            [FieldPanel(name, read_only=True) for name in REVIEW_FIELDS],
            heading="Medical review",
            help_text="Recorded when a Medical reviewer approves the page or marks it reviewed.",
        ),
    ]

    class Meta:
        abstract = True

    def with_content_json(self, content):
        """A revision's content with the review the page row holds: revisions never carry a
        review in or out (an older revision published keeps today's review)."""
        obj = super().with_content_json(content)
        for name in self.REVIEW_FIELDS:
            attname = self._meta.get_field(name).attname
            setattr(obj, attname, getattr(self, attname))
        return obj

    def clean(self):
        super().clean()
        if self.last_reviewed and self.last_reviewed > timezone.localdate():
            raise ValidationError({"last_reviewed": "The last review cannot be in the future."})
        if (
            self.last_reviewed
            and self.next_review_due
            and self.next_review_due <= self.last_reviewed
        ):
            raise ValidationError(
                {"next_review_due": "The next review must be due after the last review."}
            )
        if (self.last_reviewed or self.next_review_due) and not self.reviewed_by_id:
            raise ValidationError({"reviewed_by": "Say who reviewed the page."})

    @classmethod
    def review_status_filters(cls, today=None):
        """{status: Q} selecting the pages `review_status()` gives each status, for querysets."""
        today = today or timezone.localdate()
        soon = today + datetime.timedelta(days=REVIEW_DUE_SOON_DAYS)
        return {
            cls.ReviewStatus.UNREVIEWED: models.Q(next_review_due__isnull=True),
            cls.ReviewStatus.OVERDUE: models.Q(next_review_due__lt=today),
            cls.ReviewStatus.DUE_SOON: models.Q(
                next_review_due__gte=today, next_review_due__lte=soon
            ),
            cls.ReviewStatus.CURRENT: models.Q(next_review_due__gt=soon),
        }

    def review_status(self, today=None):
        """current | due_soon (due within 30 days) | overdue | unreviewed."""
        if not self.next_review_due:
            return self.ReviewStatus.UNREVIEWED
        today = today or timezone.localdate()
        if self.next_review_due < today:
            return self.ReviewStatus.OVERDUE
        if self.next_review_due <= today + datetime.timedelta(days=REVIEW_DUE_SOON_DAYS):
            return self.ReviewStatus.DUE_SOON
        return self.ReviewStatus.CURRENT


class PageReferenceLink(Orderable):
    """A citation on a page, in the order the page lists its references."""

    page = ParentalKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="reference_links")
    reference = models.ForeignKey("pages.Reference", on_delete=models.PROTECT, related_name="+")
    note = models.CharField(
        max_length=300, blank=True, help_text="Optional: what this reference supports on the page."
    )

    panels = [FieldPanel("reference"), FieldPanel("note")]

    class Meta(Orderable.Meta):
        constraints = [
            models.UniqueConstraint(fields=["page", "reference"], name="unique_page_reference"),
        ]


class PageMedicalCode(Orderable):
    """A terminology code that identifies what a page is about (condition, cause or drug)."""

    page = ParentalKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="code_links")
    code = models.ForeignKey("pages.MedicalCode", on_delete=models.PROTECT, related_name="+")

    panels = [FieldPanel("code")]

    class Meta(Orderable.Meta):
        constraints = [
            models.UniqueConstraint(fields=["page", "code"], name="unique_page_code"),
        ]


class BaseContentPage(StemmedSearch, KeepsHeldRevisions, HeroMixin, MedicalReviewMixin, Page):
    """Abstract base of condition, cause, treatment and therapy pages."""

    summary = models.TextField(
        max_length=500,
        help_text="One or two plain sentences: shown in lists, search results, emails and the app.",
    )
    body = StreamField(BodyBlock(), blank=True, help_text="The article, in sections.")
    disclaimer = models.ForeignKey(
        "pages.Disclaimer",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Leave empty to show the default medical disclaimer.",
    )

    # A copy, and a translation above all, is content no one has reviewed yet.
    exclude_fields_in_copy = list(MedicalReviewMixin.REVIEW_FIELDS)

    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("body"),
        index.SearchField(STEMS_FIELD),  # the stems of all of them (pages/stemming.py)
        index.FilterField("last_reviewed"),
        index.FilterField("next_review_due"),
    ]

    # Type-specific panels go between these two lists (see each page type).
    intro_panels = [*Page.content_panels, FieldPanel("summary"), *HeroMixin.hero_panels]
    closing_panels = [
        FieldPanel("body"),
        InlinePanel("code_links", heading="Medical codes", label="Code"),
        InlinePanel("reference_links", heading="References", label="Reference"),
        *MedicalReviewMixin.review_panels,
        FieldPanel("disclaimer"),
    ]

    class Meta:
        abstract = True

    @property
    def preview_modes(self):  # the website templates, the app's JSON, the email, clients'
        return page_preview_modes()

    def serve_preview(self, request, mode_name):
        if not mode_name:
            return super().serve_preview(request, mode_name)
        return serve_preview(request, self, mode_name)

    def get_disclaimer(self, default=None):
        """The page's own disclaimer, else the default one (`default` when the caller already
        looked it up, e.g. once for many pages; else `Disclaimer.default()`)."""
        from pages.models.snippets import Disclaimer
        from pages.selectors import snippet_is_public

        if self.disclaimer_id and snippet_is_public(self.disclaimer):
            return self.disclaimer
        return default if default is not None else Disclaimer.default()


class BaseIndexPage(KeepsHeldRevisions, Page):
    """Abstract base of the section pages (/conditions/, /causes/, ...), one of each per site."""

    intro = models.TextField(blank=True, help_text="Shown above the list on the website.")

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["pages.HomePage"]
    max_count_per_parent = 1
    show_in_menus_default = True  # a section is in the website's menu unless an editor says not

    class Meta:
        abstract = True


class HomePage(KeepsHeldRevisions, Page):
    intro = models.TextField(blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "pages.ConditionIndexPage",
        "pages.CauseIndexPage",
        "pages.TreatmentIndexPage",
        "pages.TherapyIndexPage",
    ]
    max_count = 1
