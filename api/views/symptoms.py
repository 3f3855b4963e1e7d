"""GET /api/v1/symptoms/: the public symptoms by name, each with the public items that show it
(a site's symptom index; `?symptom=<slug>` on a collection lists those items in full)."""

from django.utils import timezone

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.views import APIView

from api.http.pagination import page_parameters
from api.http.schema import ERROR_RESPONSES
from api.serving.read_path import earliest, fixed_answer
from api.serving.stored import render
from api.views.reading import AnsweringMixin, PagedListView
from pages.models import Symptom
from pages.selectors import Visibility, public_snippets
from pages.text_safety import clean_data
from shapes import registry
from shapes.build import build
from shapes.representation import (
    EVERY_PAGE_KEY,
    SYMPTOMS_KEY,
    page_key,
    page_reference,
    snippet_key,
)
from shapes.schema import SymptomSummarySerializer, paged


def showing(symptoms, visibility, now):
    """{symptom id: [references to the public items that show it, by title]}, and those items'
    expiry dates: one query per relation that shows symptoms (shapes/types/)."""
    shown_by, expiries = {symptom.pk: [] for symptom in symptoms}, []
    for item_type in registry.item_types():
        for relation in item_type.snippet_relations:
            target = relation.link_model._meta.get_field(relation.target).related_model
            if target is not Symptom:
                continue
            links = (
                relation.link_model.objects.filter(
                    **{f"{relation.target}_id__in": list(shown_by)},
                    **{f"{relation.owner}__in": visibility.pages(item_type.model, now=now)},
                )
                .select_related(relation.owner)
                .order_by(f"{relation.owner}__title", f"{relation.owner}_id")
            )
            for link in links:
                page = getattr(link, relation.owner)
                reference = page_reference(page, visibility, model=item_type.model)
                shown_by[getattr(link, f"{relation.target}_id")].append(reference)
                expiries.append(page.expire_at)
    return shown_by, expiries


@extend_schema_view(
    get=extend_schema(
        summary="List symptoms",
        operation_id="symptoms_list",
        parameters=page_parameters(),
        responses={
            200: paged("SymptomList", SymptomSummarySerializer(many=True)),
            **ERROR_RESPONSES,
        },
    )
)
class SymptomListView(PagedListView, AnsweringMixin, APIView):
    """Published symptoms by name, each with the public items that show it (`shown_by`)."""

    def answer(self, request, paginator):
        live = public_snippets(Symptom.objects.all()).order_by("name", "pk")
        symptoms = paginator.paginate_rows(
            request, live.count, lambda offset, limit: live[offset : offset + limit]
        )
        visibility, now = Visibility.load(), timezone.now()
        shown_by, expiries = showing(symptoms, visibility, now)
        results = [
            build(SymptomSummarySerializer, symptom, shown_by=shown_by[symptom.pk])
            for symptom in symptoms
        ]
        pages = {ref["id"] for refs in shown_by.values() for ref in refs}
        keys = [SYMPTOMS_KEY, EVERY_PAGE_KEY, *(snippet_key(Symptom, s.pk) for s in symptoms)]
        # the first expiry among all public symptoms ends the count too
        expiring = live.filter(expire_at__isnull=False).order_by("expire_at")
        moments = [expiring.values_list("expire_at", flat=True).first(), *expiries]
        return fixed_answer(
            render(clean_data({**paginator.envelope(), "results": results})),
            keys=[*keys, *(page_key(pk) for pk in sorted(pages))],
            validators=[SYMPTOMS_KEY, EVERY_PAGE_KEY],
            expires=earliest(moments),
        )
