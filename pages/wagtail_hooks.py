"""Admin: snippet viewsets with searchable, filterable listings, grouped under one menu.

Listings search through each model's own search index (index.Indexed search_fields). Setting
search_fields on a viewset instead makes the SQLite search backend query a column that does not
exist (a 500), so none is set here.

Governance (pages/governance.py): deleting a live medical snippet or campaign needs the
permission to publish it too (LiveNeedsPublishPolicy); the plain "Publish" is hidden while an
object is in review; the edit views take their POSTs one at a time per object (autosave).
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.functional import cached_property

from wagtail import hooks
from wagtail.admin import messages as admin_messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import LiveStatusTagColumn
from wagtail.admin.viewsets.pages import PageViewSet
from wagtail.admin.widgets import Button
from wagtail.contrib.simple_translation.forms import SubmitTranslationForm
from wagtail.contrib.simple_translation.views import SubmitPageTranslationView
from wagtail.documents.views import documents as document_views
from wagtail.images.views import images as image_views
from wagtail.models import Page
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import (
    DeleteView,
    IndexView,
    SnippetViewSet,
    SnippetViewSetGroup,
)

from pages import governance, media, translations
from pages.models import (
    BaseContentPage,
    Campaign,
    Disclaimer,
    MedicalCode,
    Reference,
    Reviewer,
    Symptom,
)
from pages.reports import ContentReport, OutdatedTranslationsView, ReviewsDueView

REVIEWED = (Symptom, Reference, MedicalCode, Disclaimer, Campaign)
# Registered before the viewsets below (which would otherwise make a default policy).
for _model in REVIEWED:
    register_permission_policy(_model, governance.LiveNeedsPublishPolicy(_model), exact_class=True)


class LiveDeleteView(DeleteView):
    """Delete asks the policy about this object (Wagtail's asks about the model only)."""

    def user_has_permission(self, permission):
        if permission == "delete":
            return self.user_has_permission_for_instance(permission, self.object)
        return super().user_has_permission(permission)


class LiveIndexView(IndexView):
    """The listing offers Delete only where LiveDeleteView would allow it."""

    def get_delete_url(self, instance):
        if self.user_has_permission_for_instance("delete", instance):
            return super().get_delete_url(instance)
        return None


class ReviewedSnippetViewSet(SnippetViewSet):
    """A snippet under the "Medical review" workflow (pages/governance.py)."""

    index_view_class = LiveIndexView
    delete_view_class = LiveDeleteView

    @property
    def edit_view(self):
        return governance.one_edit_at_a_time(super().edit_view, self.model, "pk")


class GovernedPageViewSet(PageViewSet):
    """Every page type's admin views, Wagtail's own but for an edit view taking its POSTs one
    at a time per page (pages/governance.py)."""

    @cached_property
    def edit_view(self):
        return governance.one_edit_at_a_time(super().edit_view, Page, "page_id")


@hooks.register("register_admin_viewset")
def register_page_viewset():
    return GovernedPageViewSet()


hooks.register("construct_page_action_menu", governance.hide_plain_publish)
hooks.register("construct_snippet_action_menu", governance.hide_plain_publish)


class SymptomViewSet(ReviewedSnippetViewSet):
    model = Symptom
    icon = "list-ul"
    list_display = ["name", "slug", LiveStatusTagColumn()]
    list_filter = ["live"]


class ReviewerViewSet(SnippetViewSet):
    model = Reviewer
    icon = "user"
    list_display = ["name", "kind", "credentials", "job_title"]
    list_filter = ["kind"]


class ReferenceViewSet(ReviewedSnippetViewSet):
    model = Reference
    icon = "doc-full"
    list_display = ["title", "authors", "journal", "year", "doi", LiveStatusTagColumn()]
    list_filter = ["year", "live"]


class MedicalCodeViewSet(ReviewedSnippetViewSet):
    model = MedicalCode
    icon = "tag"
    list_display = ["value", "system", "display_name", "verified", LiveStatusTagColumn()]
    list_filter = ["system", "verified", "live"]


class DisclaimerViewSet(ReviewedSnippetViewSet):
    model = Disclaimer
    icon = "warning"
    list_display = ["name", "is_default", LiveStatusTagColumn()]


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


class CampaignViewSet(ReviewedSnippetViewSet):
    """Email campaigns: drafts, revisions, scheduled publishing and an Email preview."""

    model = Campaign
    icon = "mail"
    menu_label = "Campaigns"
    menu_order = 260
    add_to_admin_menu = True
    list_display = ["name", "subject", "slug", LiveStatusTagColumn()]
    list_filter = ["live"]


register_snippet(CampaignViewSet)


def report_urls(view, slug):
    """A report's page at /admin/reports/<slug>/ and its results (for the filters)."""
    return [
        path(f"reports/{slug}/", view.as_view(), name=view.index_url_name),
        path(
            f"reports/{slug}/results/",
            view.as_view(results_only=True),
            name=view.index_results_url_name,
        ),
    ]


@hooks.register("register_admin_urls")
def register_report_urls():
    return [
        *report_urls(ReviewsDueView, "reviews-due"),
        *report_urls(OutdatedTranslationsView, "outdated-translations"),
    ]


class ContentReportMenuItem(MenuItem):
    """A report's menu item, shown to whoever may open it (pages/reports.py ContentReport)."""

    def is_shown(self, request):
        return ContentReport.permission_policy.user_has_any_permission(
            request.user, ContentReport.any_permission_required
        )


@hooks.register("register_reports_menu_item")
def register_reviews_due_menu_item():
    return ContentReportMenuItem(
        "Medical reviews due", reverse("medical_reviews_due"), icon_name="warning", order=50
    )


# Translations (pages/translations.py) ---------------------------------------------------------


class TranslatePageForm(SubmitTranslationForm):
    """Every language the page is not in yet is offered, even where the sections above it are
    not translated (simple_translation disables those): they are made with it."""

    def __init__(self, instance, *args, **kwargs):
        super().__init__(instance, *args, **kwargs)
        locales = self.fields["locales"]
        locales.widget.disabled_values = []
        locales.help_text = (
            "Sections above the page that are not in that language yet are made too, as "
            "copies that follow the original until someone translates them."
        )
        self.show_submit = locales.queryset.exists()


class TranslatePageView(SubmitPageTranslationView):
    """simple_translation's "Translate this page", making the sections above the page in the
    chosen locales first (as aliases of the source's): Wagtail's view refuses otherwise."""

    def get_form(self):
        data = self.request.POST if self.request.method == "POST" else None
        return TranslatePageForm(self.object, data)

    @transaction.atomic
    def post(self, request, **kwargs):
        form = self.get_form()
        if form.is_valid():
            for locale in form.cleaned_data["locales"]:
                translations.make_parents(self.object, locale)
        return super().post(request, **kwargs)


@hooks.register("register_admin_urls", order=-1)  # ahead of simple_translation's, same path
def register_translate_page_url():
    return [path("translation/submit/page/<int:page_id>/", TranslatePageView.as_view())]


@hooks.register("register_reports_menu_item")
def register_outdated_translations_menu_item():
    return ContentReportMenuItem(
        "Outdated translations", reverse("outdated_translations"), icon_name="globe", order=51
    )


@hooks.register("before_edit_page")
@hooks.register("before_edit_snippet")
def warn_outdated_translation(request, obj):
    """The header says when a translation's source changed since it was made, and on a
    source, which translations its next published change will make outdated."""
    if request.method != "GET":
        return None
    warning = translations.outdated_warning(obj)
    if warning is not None:
        text, url = warning
        admin_messages.warning(
            request, text, buttons=[admin_messages.button(url, "Compare the source")]
        )
    note = translations.translations_note(obj)
    if note is not None:
        admin_messages.info(request, note)
    return None


@hooks.register("register_log_actions")
def register_translation_log_action(actions):
    actions.register_action(
        translations.NO_IMPACT,
        "No change for translations",
        "Approved with no change for translations",
    )


# Medical review (pages/governance.py) ---------------------------------------------------------


def mark_reviewed_view(request, page_id):
    """GET: what marking reviewed records; POST: record it (a Medical reviewer only)."""
    page = get_object_or_404(Page, pk=page_id).specific
    if not isinstance(page, BaseContentPage):
        raise Http404("Only conditions, causes, treatments and therapies have a medical review.")
    if not governance.may_review(request.user, page):
        raise PermissionDenied
    edit_url = reverse("wagtailadmin_pages:edit", args=[page.pk])
    if request.method == "POST":
        try:
            governance.mark_reviewed(page, request.user)
        except governance.ReviewRefused as refused:
            messages.error(request, str(refused))
        else:
            messages.success(
                request,
                f"“{page.title}” marked reviewed today by {page.reviewed_by}; next review due "
                f"{page.next_review_due:%d %B %Y}.",
            )
        return redirect(edit_url)
    return TemplateResponse(
        request,
        "pages/admin/mark_reviewed.html",
        {"page": page, "edit_url": edit_url, "months": settings.MEDICAL_REVIEW_INTERVAL_MONTHS},
    )


@hooks.register("register_admin_urls")
def register_mark_reviewed_url():
    return [
        path("pages/<int:page_id>/mark-reviewed/", mark_reviewed_view, name="mark_reviewed"),
    ]


@hooks.register("register_page_header_buttons")
def mark_reviewed_button(page, user, view_name, next_url=None):
    specific = page.specific_deferred
    if isinstance(specific, BaseContentPage) and governance.may_review(user, page):
        yield Button(
            "Mark reviewed",
            url=reverse("mark_reviewed", args=[page.pk]),
            icon_name="tick",
            priority=62,
        )


@hooks.register("register_log_actions")
def register_review_log_action(actions):
    actions.register_action(governance.MARK_REVIEWED, "Mark reviewed", "Marked medically reviewed")


# Images and documents that live content shows (pages/media.py) -----------------------------------


# before Wagtail's collection privacy, whose login form would tell that the document exists
hooks.register("before_serve_document", media.refuse_private_document, order=-1)


class ExplainMediaRefusal:
    """An image's or document's edit or delete view that, refusing because live content shows
    the item, says so on the listing (with what to do instead) rather than a bare 403."""

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except PermissionDenied:
            item = self.model._default_manager.filter(pk=kwargs.get(self.pk_url_kwarg)).first()
            reason = item and media.refusal(request.user, item)
            if not reason:
                raise
            messages.error(request, reason)
            return redirect(self.index_url_name)


class ImageEditView(ExplainMediaRefusal, image_views.EditView):
    pass


class ImageDeleteView(ExplainMediaRefusal, image_views.DeleteView):
    pass


class DocumentEditView(ExplainMediaRefusal, document_views.EditView):
    pass


class DocumentDeleteView(ExplainMediaRefusal, document_views.DeleteView):
    pass


@hooks.register("register_admin_urls", order=-1)  # ahead of Wagtail's own, at the same paths
def register_media_refusal_urls():
    return [
        path("images/<int:image_id>/", ImageEditView.as_view()),
        path("images/<int:image_id>/delete/", ImageDeleteView.as_view()),
        path("documents/edit/<int:document_id>/", DocumentEditView.as_view()),
        path("documents/delete/<int:document_id>/", DocumentDeleteView.as_view()),
    ]
