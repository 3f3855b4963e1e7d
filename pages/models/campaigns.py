"""Email campaigns marketing composes in the admin: a subject, an intro and an ordered choice of
content pages, each with an optional teaser, sent as one email (api/views/campaigns.py).

A campaign has drafts, revisions and a live version like a page: the API only ever shows the
live version of a published campaign, and only its items whose pages are public. Teasers are
medical claims too, so a campaign cannot be published while any item points at a page that is
not public (the admin form says which; `publish` refuses on every other path, scheduled
publishing included).
"""

import logging

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models, transaction

from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel, PageChooserPanel
from wagtail.fields import RichTextField
from wagtail.models import (
    DraftStateMixin,
    Orderable,
    PreviewableMixin,
    RevisionMixin,
    WorkflowMixin,
)
from wagtail.search import index

from pages.governance import KeepsHeldRevisions
from pages.link_safety import check_links
from pages.models.email_brand import Esp
from pages.models.snippets import (
    SUMMARY_FEATURES,
    TranslatedUnderReview,
    per_locale,
    revision_relations,
)
from pages.previews import EMAIL, serve_preview

logger = logging.getLogger(__name__)

# What api/channels/email.py accepts as a UTM value (kept here too: pages/ does not import api/).
UTM_VALUE = RegexValidator(
    r"^[A-Za-z0-9._~-]{1,100}$",
    "Use letters, digits, '.', '_', '~' or '-' only (no spaces), e.g. spring-newsletter_2027.",
)
CONTENT_PAGE_TYPES = [
    "pages.ConditionPage",
    "pages.CausePage",
    "pages.TreatmentPage",
    "pages.TherapyPage",
]


def hidden_items(pages):
    """Readable reasons, one per page among `pages` the public may not see."""
    from pages.selectors import Visibility

    visibility = Visibility.compute()
    public = set(
        visibility.pages().filter(pk__in=[p.pk for p in pages]).values_list("pk", flat=True)
    )
    return [
        f"“{page.title}” is not public (a draft, unpublished, expired or private): publish it "
        "first or remove it from the campaign."
        for page in pages
        if page.pk not in public
    ]


class CampaignForm(WagtailAdminModelForm):
    """The campaign's edit form: publishing is refused, with the reasons, while an item points
    at a page that is not public (saving a draft is not)."""

    def is_valid(self):
        valid = super().is_valid()
        if valid and "action-publish" in self.data:
            chosen = [
                form.cleaned_data["page"]
                for form in self.formsets["items"].forms
                if form.cleaned_data.get("page") and not form.cleaned_data.get("DELETE")
            ]
            for reason in hidden_items([page.specific_deferred for page in chosen]):
                self.add_error(None, reason)
            valid = not self.errors
        return valid


class Campaign(
    KeepsHeldRevisions,
    WorkflowMixin,
    DraftStateMixin,
    RevisionMixin,
    PreviewableMixin,
    TranslatedUnderReview,
    index.Indexed,
    ClusterableModel,
):
    name = models.CharField(max_length=200, help_text="For the team, e.g. 'Spring newsletter'.")
    slug = models.SlugField(
        max_length=100, help_text="Its address in the API: /api/v1/campaigns/<slug>/."
    )
    subject = models.CharField(max_length=150, help_text="The email's subject line.")
    preheader = models.CharField(
        max_length=150, blank=True, help_text="The preview text inboxes show after the subject."
    )
    intro = RichTextField(features=SUMMARY_FEATURES, blank=True)
    utm_campaign = models.CharField(
        "UTM campaign",
        max_length=100,
        blank=True,
        validators=[UTM_VALUE],
        help_text="utm_campaign of every link to the website (default: the slug).",
    )
    call_to_action_label = models.CharField(max_length=100, blank=True)
    call_to_action_url = models.URLField(blank=True)
    esp = models.CharField(
        "Email service provider",
        max_length=20,
        choices=Esp.choices,
        blank=True,
        help_text="Whose unsubscribe merge tag the email carries (empty: the email brand's "
        "default; a request's ?esp= overrides it).",
    )
    revisions, workflow_states = revision_relations()

    base_form_class = CampaignForm
    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        MultiFieldPanel([FieldPanel("subject"), FieldPanel("preheader")], heading="Inbox"),
        FieldPanel("intro"),
        InlinePanel("items", heading="Items", label="Item", min_num=1),
        MultiFieldPanel(
            [FieldPanel("call_to_action_label"), FieldPanel("call_to_action_url")],
            heading="Call to action",
        ),
        FieldPanel("utm_campaign"),
        FieldPanel("esp"),
    ]
    search_fields = [index.SearchField("name"), index.SearchField("subject")]

    class Meta(TranslatedUnderReview.Meta):
        ordering = ["name"]
        constraints = [
            per_locale(
                "slug",
                name="unique_campaign_slug",
                message="A campaign with this slug already exists in this language.",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        check_links(self)
        if bool(self.call_to_action_label) != bool(self.call_to_action_url):
            raise ValidationError(
                {"call_to_action_url": "Give the call to action a label and a URL, or neither."}
            )

    def publish(self, revision, *args, **kwargs):
        """Publish `revision`, unless one of its items points at a page that is not public:
        then a ValidationError, or for a scheduled revision (Wagtail's publish_scheduled, run by
        run_worker) its schedule is cancelled and logged, so the other scheduled work goes on
        and the admin no longer shows it as scheduled."""
        draft = revision.as_object()
        reasons = hidden_items([item.page.specific_deferred for item in draft.items.all()])
        if reasons and revision.approved_go_live_at is not None:
            logger.warning("Campaign %s not published as scheduled: %s", self.slug, reasons)
            revision.approved_go_live_at = None
            revision.save(update_fields=["approved_go_live_at"])
            return None
        if reasons:
            raise ValidationError(reasons)
        # one transaction with what the publication writes (the webhook outbox among them)
        with transaction.atomic():
            return super().publish(revision, *args, **kwargs)

    def unpublish(self, *args, **kwargs):
        with transaction.atomic():
            return super().unpublish(*args, **kwargs)

    def utm_name(self):
        return self.utm_campaign or self.slug

    # Preview: the email itself (api/views/campaigns.py renders it).
    preview_modes = [(EMAIL, "Email")]
    default_preview_mode = EMAIL

    def serve_preview(self, request, mode_name):
        return serve_preview(request, self, EMAIL)


class CampaignItem(Orderable):
    campaign = ParentalKey(Campaign, on_delete=models.CASCADE, related_name="items")
    page = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="+")
    teaser_title = models.CharField(
        max_length=200, blank=True, help_text="Instead of the page's title, in this campaign."
    )
    teaser_summary = models.TextField(
        max_length=600, blank=True, help_text="Instead of the page's summary, in this campaign."
    )

    panels = [
        PageChooserPanel("page", CONTENT_PAGE_TYPES),
        FieldPanel("teaser_title"),
        FieldPanel("teaser_summary"),
    ]
