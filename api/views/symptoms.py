"""GET /api/v1/symptoms/: the public symptoms by name, each with the public items that show it
(a site's symptom index; `?symptom=<slug>` on a collection lists those items in full).

In another language (`locale=`), each symptom shows as its public reviewed translation where it
has one (else as it is, as inside an item), sorted by the name shown, with the items that show it
in that language (the website channel's stand-ins for missing translations)."""

from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.views import APIView

from api.http import locales
from api.http.pagination import StrictLimitOffsetPagination, page_parameters
from api.http.schema import ERROR_RESPONSES, LOCALE_REDIRECT, locale_parameters
from api.serving.read_path import earliest, fixed_answer
from api.serving.stored import render
from api.views.reading import AnsweringMixin
from pages.models import Symptom
from pages.selectors import public_snippets
from pages.text_safety import clean_data
from shapes import registry
from shapes.build import build
from shapes.representation import (
    EVERY_PAGE_KEY,
    SYMPTOMS_KEY,
    WEB,
    page_key,
    page_reference,
    snippet_key,
    translated_snippets,
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
        parameters=[*page_parameters(), *locale_parameters()],
        responses={
            200: paged("SymptomList", SymptomSummarySerializer(many=True)),
            **LOCALE_REDIRECT,
            **ERROR_RESPONSES,
        },
    )
)
class SymptomListView(locales.AnswersInLanguage, AnsweringMixin, APIView):
    """Published symptoms by name, each with the public items that show it (`shown_by`)."""

    http_method_names = ["get", "head"]

    def get(self, request):
        paginator = StrictLimitOffsetPagination()
        self.read_page_and_language(request, paginator, WEB)
        return self.answered_in_language(
            request, lambda: self.answer(request, paginator), [SYMPTOMS_KEY]
        )

    def answer(self, request, paginator):
        visibility, now = self.choice.visibility(), timezone.now()
        live = public_snippets(Symptom.objects.all()).order_by("name", "pk")
        if not visibility.is_default_language:  # by the name shown: the translation's
            translation = public_snippets(Symptom.objects.all(), locale_id=visibility.locale_id)
            translation = translation.filter(translation_key=OuterRef("translation_key"))
            shown_name = Coalesce(Subquery(translation.values("name")[:1]), "name")
            live = live.annotate(shown_name=shown_name).order_by("shown_name", "pk")
        symptoms = paginator.paginate_rows(
            request, live.count, lambda offset, limit: live[offset : offset + limit]
        )
        shown = translated_snippets(symptoms, visibility)
        shown_by, expiries = showing(symptoms, visibility, now)
        results = [
            build(SymptomSummarySerializer, version, shown_by=shown_by[symptom.pk])
            for symptom, version in zip(symptoms, shown, strict=True)
        ]
        pages = {ref["id"] for refs in shown_by.values() for ref in refs}
        versions = {s.pk for s in (*symptoms, *shown)}
        keys = [
            SYMPTOMS_KEY,
            EVERY_PAGE_KEY,
            *(snippet_key(Symptom, pk) for pk in sorted(versions)),
        ]
        # the first expiry among all public symptoms ends the count too
        expiring = live.filter(expire_at__isnull=False).order_by("expire_at")
        moments = [expiring.values_list("expire_at", flat=True).first(), *expiries]
        return fixed_answer(
            render(clean_data({**paginator.envelope(), "results": results})),
            keys=[*keys, *(page_key(pk) for pk in sorted(pages))],
            validators=[SYMPTOMS_KEY, EVERY_PAGE_KEY],
            expires=earliest(moments),
        )
