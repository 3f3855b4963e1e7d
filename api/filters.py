"""django-filter FilterSets. Each filter's docstring shows its query syntax.

Unknown parameters and malformed values are 400s (see api.views.ContentViewSet).
"""

from django import forms
from django.db.models import Q

import django_filters
from drf_spectacular.utils import extend_schema_field

from api.models import RepresentationState
from pages.models import REVIEW_STATUS_CHOICES, CausePage, ConditionPage, TherapyPage, TreatmentPage


@extend_schema_field({"type": "string", "pattern": "^[-a-zA-Z0-9_]+$", "maxLength": 255})
class SlugFilter(django_filters.CharFilter):
    """?<name>=<slug> (letters, digits, hyphens). Items linked to that slug."""

    field_class = forms.SlugField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("distinct", True)
        kwargs.setdefault("max_length", 255)
        super().__init__(*args, **kwargs)


class ContentFilterSet(django_filters.FilterSet):
    updated_since = django_filters.IsoDateTimeFilter(
        method="filter_updated_since",
        label="Items whose representation changed at or after this ISO 8601 time (a publish, "
        "or a change to a linked page or a snippet it shows), e.g. 2026-01-31T00:00:00Z",
    )
    review_status = django_filters.ChoiceFilter(
        choices=REVIEW_STATUS_CHOICES,
        method="filter_review_status",
        label="current | due_soon (due within 30 days) | overdue | unreviewed",
    )

    def filter_updated_since(self, queryset, name, value):
        """Changed since `value` by the change record (api/changes.py), or published since
        (for an item the record has not reached yet)."""
        changed = RepresentationState.objects.filter(changed_at__gte=value).values("page_id")
        return queryset.filter(Q(last_published_at__gte=value) | Q(pk__in=changed))

    def filter_review_status(self, queryset, name, value):
        """?review_status=overdue — by next review due date relative to today."""
        return queryset.filter(queryset.model.review_status_filters()[value])


class ConditionFilterSet(ContentFilterSet):
    symptom = SlugFilter(field_name="symptom_links__symptom__slug", label="?symptom=tingling")
    cause = SlugFilter(field_name="cause_links__cause__slug", label="?cause=shingles")
    treatment = SlugFilter(
        field_name="treatment_links__treatment__slug", label="?treatment=opioids"
    )
    therapy = SlugFilter(
        field_name="therapy_relief_links__page__slug", label="?therapy=ketamine-infusion-therapy"
    )

    class Meta:
        model = ConditionPage
        fields = []


class CauseFilterSet(ContentFilterSet):
    condition = SlugFilter(
        field_name="condition_links__page__slug", label="?condition=neuropathic-pain"
    )

    class Meta:
        model = CausePage
        fields = []


class TreatmentFilterSet(ContentFilterSet):
    condition = SlugFilter(
        field_name="condition_links__page__slug", label="?condition=neuropathic-pain"
    )
    category = django_filters.ChoiceFilter(
        choices=TreatmentPage.Category.choices, label="?category=medication"
    )

    class Meta:
        model = TreatmentPage
        fields = []


class TherapyFilterSet(ContentFilterSet):
    condition = SlugFilter(
        field_name="relief_links__target__slug", label="?condition=neuropathic-pain"
    )

    class Meta:
        model = TherapyPage
        fields = []


FILTERSETS = {
    ConditionPage: ConditionFilterSet,
    CausePage: CauseFilterSet,
    TreatmentPage: TreatmentFilterSet,
    TherapyPage: TherapyFilterSet,
}
