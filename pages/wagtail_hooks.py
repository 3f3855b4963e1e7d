"""Admin: snippet viewsets with searchable, filterable listings, grouped under one menu."""

from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from pages.models import Disclaimer, MedicalCode, Reference, Reviewer, Symptom


class SymptomViewSet(SnippetViewSet):
    model = Symptom
    icon = "list-ul"
    list_display = ["name", "slug"]
    search_fields = ["name", "description"]


class ReviewerViewSet(SnippetViewSet):
    model = Reviewer
    icon = "user"
    list_display = ["name", "kind", "credentials", "job_title"]
    list_filter = ["kind"]
    search_fields = ["name", "credentials"]


class ReferenceViewSet(SnippetViewSet):
    model = Reference
    icon = "doc-full"
    list_display = ["title", "authors", "journal", "year", "doi", "pmid"]
    list_filter = ["year"]
    search_fields = ["title", "authors", "journal", "doi", "pmid"]


class MedicalCodeViewSet(SnippetViewSet):
    model = MedicalCode
    icon = "tag"
    list_display = ["value", "system", "display_name", "verified"]
    list_filter = ["system", "verified"]
    search_fields = ["value", "display_name"]


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
