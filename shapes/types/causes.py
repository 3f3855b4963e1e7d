"""Causes (`/api/v1/causes/`): e.g. shingles, with the conditions it causes and the therapies
that relieve it."""

from django.utils.translation import gettext_lazy as _

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from pages.models import CausePage, ConditionCauseLink, ConditionPage
from pages.selectors import shown
from shapes import schema
from shapes.registry import EmailSection, ItemType, RelationFilter, SchemaOrgAbout
from shapes.relations import Relation
from shapes.representation import reference_representation, snippet_in_language
from shapes.schema import CODES, SchemaOrgThing, json_ld_node
from shapes.schema_org import linked, with_codes
from shapes.serializers import ContentDetailMixin, ContentListSerializer, RelationField, depends_on
from shapes.types.shared import RELIEVED_BY_THERAPIES


class CauseListSerializer(ContentListSerializer):
    """A cause as lists and search results show it."""

    model = CausePage
    conditions = RelationField()
    therapies = RelationField()


class CauseDetailSerializer(ContentDetailMixin, CauseListSerializer):
    """One cause: its list shape, body, structured fields, review, references and JSON-LD."""

    resulting_pain_syndrome = serializers.CharField(read_only=True)
    statistics = serializers.SerializerMethodField()

    @extend_schema_field(schema.StatisticSerializer(many=True))
    def get_statistics(self, page):
        depends_on(self.context, *(s.reference for s in page.statistics.all()))
        return [
            {
                "value": s.value,
                "population": s.population,
                "outcome": s.outcome,
                "text": str(s),
                "reference": shown(s.reference)
                and reference_representation(snippet_in_language(s.reference, self.context)),
            }
            for s in page.statistics.all()
        ]


def about_cause(item):
    data = {"@type": "MedicalCause", "name": item["title"], "url": item["url"]}
    data["causeOf"] = linked(item.get("conditions", []), "MedicalEntity")
    return with_codes(data, item)


CAUSE = ItemType(
    model=CausePage,
    name="cause",
    collection="causes",
    list_serializer=CauseListSerializer,
    detail_serializer=CauseDetailSerializer,
    example_slug="shingles",
    relations=(
        Relation(
            "conditions",
            ConditionCauseLink,
            "cause",
            "page",
            (ConditionPage,),
            ("is_most_common", "prevalence", "note"),
            order="title",
        ),
        RELIEVED_BY_THERAPIES,
    ),
    detail_prefetch=("statistics__reference",),
    filters={"condition": RelationFilter("conditions", "neuropathic-pain")},
    schema_org=SchemaOrgAbout(
        about_cause,
        {
            "MedicalCause": json_ld_node(
                "SchemaOrgMedicalCause",
                ["MedicalCause"],
                {
                    "name": serializers.CharField(),
                    "url": serializers.URLField(),
                    "causeOf": SchemaOrgThing(many=True),
                    "code": CODES,
                },
                "A cause.",
            )
        },
    ),
    email_sections=(
        EmailSection("stream", "body"),
        EmailSection("text", "resulting_pain_syndrome", _("Resulting pain")),
        EmailSection("statistics", "statistics", _("In numbers")),
        EmailSection("links", "conditions", _("Conditions")),
        EmailSection("links", "therapies", _("Therapies")),
    ),
)
