"""Reports > Medical reviews due: live pages whose medical review is overdue or due within 30
days, with their reviewers, soonest first (the content.review_due webhook fires for the same
transitions, api/record/events.py). Reports > Outdated translations: translations whose source
changed since (pages/translations.py)."""

from django.urls import reverse

from wagtail.admin.ui.tables import Column, DateColumn, StatusTagColumn, TitleColumn
from wagtail.admin.views.reports import ReportView
from wagtail.models import Page
from wagtail.permission_policies.pages import PagePermissionPolicy

from pages import translations
from pages.models import CONTENT_PAGE_MODELS, BaseContentPage

DUE = (BaseContentPage.ReviewStatus.OVERDUE, BaseContentPage.ReviewStatus.DUE_SOON)


def reviews_due(today=None):
    """Live content pages whose review is overdue or due soon, soonest first."""
    pages = []
    for model in CONTENT_PAGE_MODELS:
        filters = model.review_status_filters(today)
        due = filters[DUE[0]] | filters[DUE[1]]
        pages += model.objects.live().filter(due).select_related("reviewed_by")
    return sorted(pages, key=lambda page: (page.next_review_due, page.title, page.pk))


class ContentReport(ReportView):
    """A report for the people who write or review pages."""

    permission_policy = PagePermissionPolicy(Page)
    any_permission_required = ["add", "change", "publish"]


class ReviewsDueView(ContentReport):
    page_title = "Medical reviews due"
    header_icon = "warning"
    index_url_name = "medical_reviews_due"
    index_results_url_name = "medical_reviews_due_results"
    list_export = ["title", "review_status", "next_review_due", "reviewed_by", "last_reviewed"]
    export_headings = {
        "title": "Page",
        "review_status": "Review status",
        "next_review_due": "Due",
        "reviewed_by": "Reviewer",
        "last_reviewed": "Last reviewed",
    }
    columns = [
        TitleColumn(
            "title",
            label="Page",
            get_url=lambda page: reverse("wagtailadmin_pages:edit", args=[page.pk]),
        ),
        Column("kind", label="Type", accessor=lambda page: page._meta.verbose_name),
        StatusTagColumn(
            "review_status",
            label="Review",
            accessor=lambda page: BaseContentPage.ReviewStatus(page.review_status()).label,
            primary=lambda page: False,
        ),
        DateColumn("next_review_due", label="Due"),
        Column("reviewed_by", label="Reviewer"),
        DateColumn("last_reviewed", label="Last reviewed"),
    ]

    def get_queryset(self):
        return reviews_due()


class OutdatedTranslationsView(ContentReport):
    """Reports > Outdated translations: pages, medical snippets and campaigns whose source has
    been published since they were made or last reviewed (pages/translations.py), with the
    source's changes to compare."""

    page_title = "Outdated translations"
    header_icon = "globe"
    index_url_name = "outdated_translations"
    index_results_url_name = "outdated_translations_results"
    list_export = ["translation", "kind", "locale", "source", "made_from_id", "source_live_id"]
    export_headings = {
        "translation": "Translation",
        "kind": "Type",
        "locale": "Language",
        "source": "Source",
        "made_from_id": "Made from revision",
        "source_live_id": "Source's live revision",
    }
    columns = [
        TitleColumn(
            "translation",
            label="Translation",
            get_url=lambda origin: translations.edit_url(origin.translation),
        ),
        Column("kind", label="Type", accessor=lambda o: o.translation._meta.verbose_name),
        Column("locale", label="Language", accessor="translation.locale.get_display_name"),
        TitleColumn(
            "source",
            label="Source (compare the changes)",
            get_url=lambda origin: translations.changes_url(origin, origin.source),
        ),
    ]

    def get_queryset(self):
        return translations.outdated()
