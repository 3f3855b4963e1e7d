"""The procedure type's one registration: everything the API's doors need to know about it."""

from rest_framework import serializers

from pages.models import ConditionPage
from shapes.registry import EmailSection, ItemType, RelationFilter, SchemaOrgAbout
from shapes.relations import Relation
from shapes.schema import CODES, json_ld_node
from shapes.schema_org import with_codes
from shapes.serializers import ContentDetailMixin, ContentListSerializer, RelationField
from tests.extra_type.models import ProcedureConditionLink, ProcedurePage


class ProcedureListSerializer(ContentListSerializer):
    """A procedure as lists and search results show it."""

    model = ProcedurePage
    duration = serializers.CharField(read_only=True)
    conditions = RelationField()


class ProcedureDetailSerializer(ContentDetailMixin, ProcedureListSerializer):
    """One procedure: its list shape, body, review, references and JSON-LD."""


def about_procedure(item):
    about = {"@type": "MedicalProcedure", "name": item["title"], "url": item["url"]}
    return with_codes(about, item)


PROCEDURE = ItemType(
    model=ProcedurePage,
    name="procedure",
    collection="procedures",
    list_serializer=ProcedureListSerializer,
    detail_serializer=ProcedureDetailSerializer,
    example_slug="nerve-block",
    relations=(
        Relation(
            "conditions", ProcedureConditionLink, "page", "condition", (ConditionPage,), ("note",)
        ),
    ),
    filters={"condition": RelationFilter("conditions", "neuropathic-pain")},
    schema_org=SchemaOrgAbout(
        about_procedure,
        {
            "MedicalProcedure": json_ld_node(
                "SchemaOrgMedicalProcedure",
                ["MedicalProcedure"],
                {"name": serializers.CharField(), "url": serializers.URLField(), "code": CODES},
                "A procedure.",
            )
        },
    ),
    email_sections=(
        EmailSection("text", "duration", "How long it takes"),
        EmailSection("stream", "body"),
        EmailSection("links", "conditions", "Used for"),
    ),
)
