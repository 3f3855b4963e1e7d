"""Conditions (`/api/v1/conditions/`): e.g. neuropathic pain, with its symptoms, causes,
treatments and the therapies that relieve it."""

from django.utils.translation import gettext_lazy as _

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from pages.models import (
    CausePage,
    ConditionCauseLink,
    ConditionPage,
    ConditionSymptomLink,
    ConditionTreatmentLink,
    TreatmentPage,
)
from shapes import schema
from shapes.blocks import stream_value
from shapes.build import build
from shapes.registry import EmailSection, ItemType, RelationFilter, SchemaOrgAbout
from shapes.relations import Relation
from shapes.schema import CODES, SchemaOrgThing, json_ld_node
from shapes.schema_org import linked, with_codes
from shapes.serializers import (
    ContentDetailMixin,
    ContentListSerializer,
    RelationField,
    public_links,
)
from shapes.types.shared import RELIEVED_BY_THERAPIES


@extend_schema_field(schema.SymptomLinkSerializer(many=True))
class SymptomsField(serializers.Field):
    def __init__(self):
        super().__init__(source="*", read_only=True)

    def to_representation(self, page):
        return [
            build(schema.SymptomLinkSerializer, r.symptom, note=r.note)
            for r in public_links(self.parent.context, page.public_symptoms, "symptom")
        ]


class ConditionListSerializer(ContentListSerializer):
    """A condition as lists and search results show it."""

    model = ConditionPage
    symptoms = SymptomsField()
    causes = RelationField()
    treatments = RelationField()
    therapies = RelationField()


class ConditionDetailSerializer(ContentDetailMixin, ConditionListSerializer):
    """One condition: its list shape, body, structured fields, review, references and JSON-LD."""

    also_known_as = serializers.SerializerMethodField()
    symptoms_overview = serializers.CharField(read_only=True)
    subtypes = serializers.SerializerMethodField()
    treatment_approach = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_also_known_as(self, page):
        return [row.name for row in page.also_known_as.all()]

    @extend_schema_field(schema.SubtypeSerializer(many=True))
    def get_subtypes(self, page):
        return [build(schema.SubtypeSerializer, s) for s in page.subtypes.all()]

    @extend_schema_field(schema.TreatmentApproachStep(many=True))
    def get_treatment_approach(self, page):
        return stream_value(page.treatment_approach, self.context)


def about_condition(item):
    data = {"@type": "MedicalCondition", "name": item["title"], "url": item["url"]}
    if item.get("also_known_as"):
        data["alternateName"] = item["also_known_as"]
    data["signOrSymptom"] = [
        {"@type": "MedicalSignOrSymptom", "name": s["name"]} for s in item.get("symptoms", [])
    ]
    data["possibleTreatment"] = linked(
        item.get("treatments", []) + item.get("therapies", []), "MedicalTherapy"
    )
    return with_codes(data, item)


def cause_mentions(item):
    """Current schema.org has no MedicalCondition.cause: each cause says what it causes."""
    condition = {"@type": "MedicalCondition", "name": item["title"], "url": item["url"]}
    return [
        {**cause, "causeOf": condition} for cause in linked(item.get("causes", []), "MedicalCause")
    ]


CONDITION = ItemType(
    model=ConditionPage,
    name="condition",
    collection="conditions",
    list_serializer=ConditionListSerializer,
    detail_serializer=ConditionDetailSerializer,
    example_slug="neuropathic-pain",
    relations=(
        Relation(
            "causes",
            ConditionCauseLink,
            "page",
            "cause",
            (CausePage,),
            ("is_most_common", "prevalence", "note"),
        ),
        Relation(
            "treatments",
            ConditionTreatmentLink,
            "page",
            "treatment",
            (TreatmentPage,),
            ("note", "efficacy_caveat"),
        ),
        RELIEVED_BY_THERAPIES,
    ),
    snippet_relations=(
        Relation("symptoms", ConditionSymptomLink, "page", "symptom", (), ("note",)),
    ),
    detail_prefetch=("also_known_as", "subtypes"),
    streams=("body", "treatment_approach"),
    filters={
        "symptom": RelationFilter("symptoms", "tingling"),
        "cause": RelationFilter("causes", "shingles"),
        "treatment": RelationFilter("treatments", "opioids"),
        "therapy": RelationFilter("therapies", "ketamine-infusion-therapy"),
    },
    schema_org=SchemaOrgAbout(
        about_condition,
        {
            "MedicalCondition": json_ld_node(
                "SchemaOrgMedicalCondition",
                ["MedicalCondition"],
                {
                    "name": serializers.CharField(),
                    "url": serializers.URLField(),
                    "alternateName": serializers.ListField(
                        child=serializers.CharField(), required=False
                    ),
                    "signOrSymptom": SchemaOrgThing(many=True),
                    "possibleTreatment": SchemaOrgThing(many=True),
                    "code": CODES,
                },
                "A condition.",
            )
        },
        mentions=cause_mentions,
    ),
    email_sections=(
        EmailSection("list", "also_known_as", _("Also known as")),
        EmailSection("stream", "body"),
        EmailSection("text", "symptoms_overview", _("Symptoms")),
        EmailSection("named", "symptoms"),
        EmailSection("named", "subtypes", _("Types")),
        EmailSection("links", "causes", _("Causes")),
        EmailSection("steps", "treatment_approach", _("How it is treated")),
        EmailSection("links", "treatments", _("Treatments")),
        EmailSection("links", "therapies", _("Therapies")),
    ),
)
