"""Therapies (`/api/v1/therapies/`): e.g. ketamine infusion therapy, with its drug, safety
information and the conditions and causes it relieves."""

from django.utils.translation import gettext_lazy as _

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from pages.models import CausePage, ConditionPage, TherapyPage, TherapyReliefLink
from pages.selectors import shown
from pages.text_safety import safe_href
from shapes import schema
from shapes.build import build
from shapes.registry import EmailSection, ItemType, RelationFilter, SchemaOrgAbout
from shapes.relations import Relation
from shapes.representation import reference_representation, snippet_in_language
from shapes.schema import SchemaOrgMedicalTherapy
from shapes.serializers import (
    ContentDetailMixin,
    ContentListSerializer,
    RelationField,
    RichTextField,
    depends_on,
)


class TherapyListSerializer(ContentListSerializer):
    """A therapy as lists and search results show it."""

    model = TherapyPage
    provider_name = serializers.CharField(read_only=True)
    relieves = RelationField()


class TherapyDetailSerializer(ContentDetailMixin, TherapyListSerializer):
    """One therapy: its list shape, body, structured fields, safety information, review,
    references and JSON-LD."""

    evidence_summary = serializers.CharField(read_only=True)
    drug = serializers.SerializerMethodField()
    mechanism_of_action = RichTextField()
    what_to_expect = RichTextField()
    call_to_action = serializers.SerializerMethodField()
    safety = serializers.SerializerMethodField()

    @extend_schema_field(schema.DrugSerializer())
    def get_drug(self, page):
        return build(schema.DrugSerializer, page)

    @extend_schema_field(schema.CallToActionSerializer(allow_null=True))
    def get_call_to_action(self, page):
        return {"label": page.cta_label, "url": page.cta_url} if safe_href(page.cta_url) else None

    @extend_schema_field(schema.SafetySerializer())
    def get_safety(self, page):
        depends_on(self.context, page.safety_reference)
        return {
            "off_label": page.is_off_label,
            "approved_use": page.approved_use,
            "contraindications": [
                build(schema.ContraindicationSerializer, c) for c in page.contraindications.all()
            ],
            "side_effects": [
                build(schema.SideEffectSerializer, s) for s in page.side_effects.all()
            ],
            "monitoring": page.monitoring,
            "source": shown(page.safety_reference)
            and reference_representation(snippet_in_language(page.safety_reference, self.context)),
        }


def about_therapy(item):
    data = {"@type": "MedicalTherapy", "name": item["title"], "url": item["url"]}
    drug = item.get("drug") or {}
    if drug.get("name"):
        data["drug"] = {
            "@type": "Drug",
            "name": drug["name"],
            "mechanismOfAction": f"Acts on the {drug['mechanism_target']}."
            if drug.get("mechanism_target")
            else "",
        }
        if drug.get("drug_class"):
            data["drug"]["drugClass"] = {"@type": "DrugClass", "name": drug["drug_class"]}
        codes = [c for c in item.get("codes", []) if c["system"] == "ATC"]
        if codes:  # a Thing identifier: valid for Drug however its parents are modelled
            data["drug"]["identifier"] = [
                {"@type": "PropertyValue", "propertyID": "ATC", "value": c["value"]} for c in codes
            ]
    safety = item.get("safety") or {}
    data["contraindication"] = [c["name"] for c in safety.get("contraindications", [])]
    data["adverseOutcome"] = [
        {"@type": "MedicalEntity", "name": s["name"]} for s in safety.get("side_effects", [])
    ]
    return data


THERAPY = ItemType(
    model=TherapyPage,
    name="therapy",
    collection="therapies",
    list_serializer=TherapyListSerializer,
    detail_serializer=TherapyDetailSerializer,
    example_slug="ketamine-infusion-therapy",
    relations=(
        Relation(
            "relieves",
            TherapyReliefLink,
            "page",
            "target",
            (ConditionPage, CausePage),  # validated to be a condition or a cause page
            ("label", "note"),
        ),
    ),
    detail_prefetch=("contraindications", "side_effects", "safety_reference"),
    filters={
        "condition": RelationFilter("relieves", "neuropathic-pain", ConditionPage),
        "cause": RelationFilter("relieves", "shingles", CausePage),
    },
    # a therapy's drug carries its ATC code as an identifier: its `about` has no `code`
    schema_org=SchemaOrgAbout(about_therapy, {"MedicalTherapy": SchemaOrgMedicalTherapy}),
    email_sections=(
        EmailSection("text", "evidence_summary"),
        EmailSection("stream", "body"),
        EmailSection("drug", "drug", _("The medicine")),
        EmailSection("rich_text", "mechanism_of_action", _("How it works")),
        EmailSection("rich_text", "what_to_expect", _("What to expect")),
        EmailSection("links", "relieves", _("What it can relieve")),
    ),
)
