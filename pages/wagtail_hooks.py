"""Admin: snippet viewsets with searchable, filterable listings, grouped under one menu.

Listings search through each model's own search index (index.Indexed search_fields). Setting
search_fields on a viewset instead makes the SQLite search backend query a column that does not
exist (a 500), so none is set here.
"""

from django.urls import path, reverse

from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from pages.models import Campaign, Disclaimer, MedicalCode, Reference, Reviewer, Symptom
from pages.reports import ReviewsDueView


class SymptomViewSet(SnippetViewSet):
    model = Symptom
    icon = "list-ul"
    list_display = ["name", "slug"]


class ReviewerViewSet(SnippetViewSet):
    model = Reviewer
    icon = "user"
    list_display = ["name", "kind", "credentials", "job_title"]
    list_filter = ["kind"]


class ReferenceViewSet(SnippetViewSet):
    model = Reference
    icon = "doc-full"
    list_display = ["title", "authors", "journal", "year", "doi", "pmid"]
    list_filter = ["year"]


class MedicalCodeViewSet(SnippetViewSet):
    model = MedicalCode
    icon = "tag"
    list_display = ["value", "system", "display_name", "verified"]
    list_filter = ["system", "verified"]


class DisclaimerViewSet(SnippetViewSet):
    model = Disclaimer
    icon = "warning"
    list_display = ["name", "is_default"]


class MedicalContentViewSetGroup(SnippetViewSetGroup):
    menu_label = "Medical library"
    menu_icon = "folder-open-inverse"
    menu_order = 250
    items = (
        SymptomViewSet,
        ReviewerViewSet,
        ReferenceViewSet,
        MedicalCodeViewSet,
        DisclaimerViewSet,
    )


register_snippet(MedicalContentViewSetGroup)


class CampaignViewSet(SnippetViewSet):
    """Email campaigns: drafts, revisions, scheduled publishing and an Email preview."""

    model = Campaign
    icon = "mail"
    menu_label = "Campaigns"
    menu_order = 260
    add_to_admin_menu = True
    list_display = ["name", "subject", "slug", "live"]
    list_filter = ["live"]


register_snippet(CampaignViewSet)


@hooks.register("register_admin_urls")
def register_reviews_due_urls():
    return [
        path("reports/reviews-due/", ReviewsDueView.as_view(), name="medical_reviews_due"),
        path(
            "reports/reviews-due/results/",
            ReviewsDueView.as_view(results_only=True),
            name="medical_reviews_due_results",
        ),
    ]


class ReviewsDueMenuItem(MenuItem):
    def is_shown(self, request):
        return ReviewsDueView.permission_policy.user_has_any_permission(
            request.user, ReviewsDueView.any_permission_required
        )


@hooks.register("register_reports_menu_item")
def register_reviews_due_menu_item():
    return ReviewsDueMenuItem(
        "Medical reviews due", reverse("medical_reviews_due"), icon_name="warning", order=50
    )
