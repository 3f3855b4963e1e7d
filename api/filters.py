"""django-filter FilterSets. Each filter's docstring shows its query syntax.

Relation filters follow the visibility rule (pages.selectors.Visibility): a filter on the slug of a
page the public may not see answers exactly like a filter on a slug that never existed. Unknown
parameters and malformed values are 400s (see api.views.content.ContentViewSet).
"""

import datetime
import re

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q

import django_filters
from django_filters.constants import EMPTY_VALUES
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema_field

from api.models import RepresentationState
from api.relations import SNIPPET_RELATIONS, expandable
from pages.models import REVIEW_STATUS_CHOICES, CausePage, ConditionPage, TherapyPage, TreatmentPage
from pages.selectors import Visibility, public_snippets

SLUG_PATTERN = "^[-a-zA-Z0-9_]+$"
# RFC 3339 (the OpenAPI `date-time` format): a date, a time and a UTC offset, nothing else.
DATE_TIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})"
)


class DateTimeField(forms.Field):
    """An RFC 3339 date-time with its UTC offset, as an aware UTC datetime. An instant before
    year 1 or after year 9999 in UTC is as early or as late as a datetime can be."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if not DATE_TIME.fullmatch(value):
            raise ValidationError(
                "Give an ISO 8601 date and time with its offset, e.g. 2026-01-31T00:00:00Z."
            )
        try:
            moment = datetime.datetime.fromisoformat(value.upper())
        except ValueError:
            raise ValidationError(f"{value} is not a real date and time.") from None
        try:
            return moment.astimezone(datetime.UTC)
        except OverflowError:  # within a day of the calendar's ends
            edge = datetime.datetime.min if moment.year == 1 else datetime.datetime.max
            return edge.replace(tzinfo=datetime.UTC)


@extend_schema_field({"type": "string", "format": "date-time"})
class DateTimeFilter(django_filters.Filter):
    field_class = DateTimeField


@extend_schema_field({"type": "string", "pattern": SLUG_PATTERN, "maxLength": 255})
class RelatedSlugFilter(django_filters.CharFilter):
    """?<name>=<slug> (letters, digits, hyphens, underscores). Items linked, through
    `relation`, to the public page (of `target_model`) or the snippet with that slug."""

    field_class = forms.SlugField

    def __init__(self, relation, target_model=None, **kwargs):
        self.relation = relation
        self.target_model = target_model
        kwargs.setdefault("max_length", 255)
        kwargs.setdefault("strip", False)  # " x" is not a slug: the schema's pattern says so
        super().__init__(**kwargs)

    def targets(self, slug):
        relation = self.relation
        if relation.target_models:
            model = self.target_model or relation.target_models[0]
            return self.parent.visibility.pages(model).filter(slug=slug)
        model = relation.link_model._meta.get_field(relation.target).related_model
        return public_snippets(model._default_manager.filter(slug=slug))

    def filter(self, queryset, value):
        if value in EMPTY_VALUES:
            return queryset
        relation = self.relation
        owners = relation.link_model.objects.filter(
            **{f"{relation.target}__in": self.targets(value).values("pk")}
        ).values(f"{relation.owner}_id")
        return queryset.filter(pk__in=owners)


class VisibleFilterBackend(DjangoFilterBackend):
    """Hands the request's visibility facts (loaded once by the view) to the FilterSet."""

    def get_filterset_kwargs(self, request, queryset, view):
        kwargs = super().get_filterset_kwargs(request, queryset, view)
        kwargs["visibility"] = getattr(view, "visibility", None)
        return kwargs


class ContentFilterSet(django_filters.FilterSet):
    updated_since = DateTimeFilter(
        method="filter_updated_since",
        label="Items whose representation changed at or after this RFC 3339 time (a publish, "
        "or a change to a linked page or a snippet it shows), e.g. 2026-01-31T00:00:00Z",
    )
    review_status = django_filters.ChoiceFilter(
        choices=REVIEW_STATUS_CHOICES,
        method="filter_review_status",
        label="current | due_soon (due within 30 days) | overdue | unreviewed",
    )

    def __init__(self, *args, visibility=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.visibility = visibility or Visibility.load()

    def filter_updated_since(self, queryset, name, value):
        """Changed since `value` by the change record (api/changes.py), or published since
        (for an item the record has not reached yet)."""
        changed = RepresentationState.objects.filter(changed_at__gte=value).values("page_id")
        return queryset.filter(Q(last_published_at__gte=value) | Q(pk__in=changed))

    def filter_review_status(self, queryset, name, value):
        """?review_status=overdue — by next review due date relative to today."""
        return queryset.filter(queryset.model.review_status_filters()[value])


def related(model, name, target_model=None, label=""):
    """The filter on `model`'s relation `name` (a page relation or a snippet relation)."""
    relations = {**expandable(model), **{r.name: r for r in SNIPPET_RELATIONS.get(model, ())}}
    return RelatedSlugFilter(relations[name], target_model, label=label)


class ConditionFilterSet(ContentFilterSet):
    symptom = related(ConditionPage, "symptoms", label="?symptom=tingling")
    cause = related(ConditionPage, "causes", label="?cause=shingles")
    treatment = related(ConditionPage, "treatments", label="?treatment=opioids")
    therapy = related(ConditionPage, "therapies", label="?therapy=ketamine-infusion-therapy")

    class Meta:
        model = ConditionPage
        fields = []


class CauseFilterSet(ContentFilterSet):
    condition = related(CausePage, "conditions", label="?condition=neuropathic-pain")

    class Meta:
        model = CausePage
        fields = []


class TreatmentFilterSet(ContentFilterSet):
    condition = related(TreatmentPage, "conditions", label="?condition=neuropathic-pain")
    category = django_filters.ChoiceFilter(
        choices=TreatmentPage.Category.choices, label="?category=medication"
    )

    class Meta:
        model = TreatmentPage
        fields = []


class TherapyFilterSet(ContentFilterSet):
    condition = related(TherapyPage, "relieves", ConditionPage, label="?condition=neuropathic-pain")
    cause = related(TherapyPage, "relieves", CausePage, label="?cause=shingles")

    class Meta:
        model = TherapyPage
        fields = []


FILTERSETS = {
    ConditionPage: ConditionFilterSet,
    CausePage: CauseFilterSet,
    TreatmentPage: TreatmentFilterSet,
    TherapyPage: TherapyFilterSet,
}
