"""Treatments (`/api/v1/treatments/`): e.g. opioids, a medication class, and the conditions it
is used for."""

from django.utils.translation import gettext_lazy as _

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from pages.models import ConditionPage, ConditionTreatmentLink, TreatmentPage
from pages.selectors import shown
from shapes import schema
from shapes.registry import (
    ChoiceFilter,
    EmailSection,
    ItemType,
    RelationFilter,
    SchemaOrgAbout,
)
from shapes.relations import Relation
from shapes.representation import code_representation, snippet_in_language
from shapes.schema import CODES, SchemaOrgMedicalTherapy, SchemaOrgThing, json_ld_node
from shapes.schema_org import with_codes
from shapes.serializers import (
    ContentDetailMixin,
    ContentListSerializer,
    RelationField,
    RichTextField,
    depends_on,
)


class TreatmentListSerializer(ContentListSerializer):
    """A treatment as lists and search results show it."""

    model = TreatmentPage
    category = serializers.ChoiceField(choices=TreatmentPage.Category.choices, read_only=True)
    conditions = RelationField()


class TreatmentDetailSerializer(ContentDetailMixin, TreatmentListSerializer):
    """One treatment: its list shape, body, structured fields, review, references and JSON-LD."""

    drug_class = serializers.CharField(read_only=True)
    example_drugs = serializers.SerializerMethodField()
    how_it_works = RichTextField()
    evidence_notes = RichTextField()

    @extend_schema_field(schema.ExampleDrugSerializer(many=True))
    def get_example_drugs(self, page):
        depends_on(self.context, *(d.code for d in page.example_drugs.all()))
        return [
            {
                "name": d.name,
                "code": shown(d.code)
                and code_representation(snippet_in_language(d.code, self.context)),
            }
            for d in page.example_drugs.all()
        ]


def about_treatment(item):
    if item.get("category") == "medication":
        data = {"@type": "DrugClass", "name": item.get("drug_class") or item["title"]}
        data["drug"] = [{"@type": "Drug", "name": d["name"]} for d in item.get("example_drugs", [])]
    else:
        data = {"@type": "MedicalTherapy", "name": item["title"]}
    data["url"] = item["url"]
    return with_codes(data, item)


TREATMENT = ItemType(
    model=TreatmentPage,
    name="treatment",
    collection="treatments",
    list_serializer=TreatmentListSerializer,
    detail_serializer=TreatmentDetailSerializer,
    example_slug="opioids",
    relations=(
        Relation(
            "conditions",
            ConditionTreatmentLink,
            "treatment",
            "page",
            (ConditionPage,),
            ("note", "efficacy_caveat"),
            order="title",
        ),
    ),
    detail_prefetch=("example_drugs__code",),
    filters={
        "condition": RelationFilter("conditions", "neuropathic-pain"),
        "category": ChoiceFilter("medication"),
    },
    schema_org=SchemaOrgAbout(
        about_treatment,
        {
            "DrugClass": json_ld_node(
                "SchemaOrgDrugClass",
                ["DrugClass"],
                {
                    "name": serializers.CharField(),
                    "drug": SchemaOrgThing(many=True),
                    "url": serializers.URLField(),
                    "code": CODES,
                },
                "A medication treatment: its drug class and example drugs.",
            ),
            "MedicalTherapy": SchemaOrgMedicalTherapy,
        },
    ),
    email_sections=(
        EmailSection("text", "drug_class", _("Drug class")),
        EmailSection("named", "example_drugs", _("Examples")),
        EmailSection("stream", "body"),
        EmailSection("rich_text", "how_it_works", _("How it works")),
        EmailSection("rich_text", "evidence_notes", _("Evidence")),
        EmailSection("links", "conditions", _("Used for")),
    ),
)
