"""django-filter FilterSets. Each filter's docstring shows its query syntax.

Relation filters follow the visibility rule (pages.selectors.Visibility): a filter on the slug of a
page the public may not see answers exactly like a filter on a slug that never existed. Unknown
parameters and malformed values are 400s (see api.views.content.ContentViewSet).
"""

import datetime
import re
from functools import cache

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q

import django_filters
from django_filters.constants import EMPTY_VALUES
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema_field

from api.models import RepresentationState
from pages.models import REVIEW_STATUS_CHOICES
from pages.selectors import Visibility, public_snippets
from shapes import registry
from shapes.registry import ChoiceFilter
from shapes.relations import relations_of

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
        """Changed since `value` by the change record (api/record/changes.py), or published since
        (for an item the record has not reached yet)."""
        changed = RepresentationState.objects.filter(changed_at__gte=value).values("page_id")
        return queryset.filter(Q(last_published_at__gte=value) | Q(pk__in=changed))

    def filter_review_status(self, queryset, name, value):
        """?review_status=overdue — by next review due date relative to today."""
        return queryset.filter(queryset.model.review_status_filters()[value])


def declared_filter(item_type, name, declaration):
    """The django-filter filter for one of `item_type`'s declared filters (shapes.registry)."""
    label = f"?{name}={declaration.example}"
    if isinstance(declaration, ChoiceFilter):
        field = item_type.model._meta.get_field(name)
        return django_filters.ChoiceFilter(choices=field.choices, label=label)
    relations = {r.name: r for r in relations_of(item_type.model)}
    return RelatedSlugFilter(relations[declaration.relation], declaration.target, label=label)


@cache
def filterset_for(model):
    """The FilterSet of `model`'s collection: what every collection filters by, and the
    filters its type's registration declares."""
    item_type = registry.of(model)
    filters = {
        name: declared_filter(item_type, name, declaration)
        for name, declaration in item_type.filters.items()
    }
    meta = type("Meta", (), {"model": model, "fields": []})
    name = f"{item_type.name.title()}FilterSet"
    return type(name, (ContentFilterSet,), {**filters, "Meta": meta})
