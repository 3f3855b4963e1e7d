"""One serializer per page type, a list shape and a detail shape, fed by pages.selectors.

List item (every collection)::

    {"id": 12, "type": "condition", "slug": "neuropathic-pain", "title": "Neuropathic pain",
     "summary": "...", "url": "https://www.../conditions/neuropathic-pain/",
     "api_url": "https://api.../api/v1/conditions/neuropathic-pain/", "revision_id": 40,
     "first_published_at": "...", "last_published_at": "...", "hero_image": {...} | null,
     "review_status": "current",
     "causes": [{"id": 5, "type": "cause", "slug": "...", "title": "...", "url": "...",
                 "api_url": "...", "is_most_common": true, "prevalence": "...", "note": ""}]}

Detail adds `body`, the type's structured fields, `medical_review`, `references`, `codes`,
`disclaimer`, `seo` and `schema_org`.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

from api.relations import expandable
from pages.models import CausePage, ConditionPage, Disclaimer, TherapyPage, TreatmentPage
from pages.renditions import HERO_RENDITIONS
from pages.representation import (
    api_url,
    code_representation,
    image_representation,
    linked_page_ids,
    page_reference,
    record_dependencies,
    reference_representation,
    resolve_rich_text,
    stream_linked_page_ids,
    website_url,
)
from pages.schema_org import build_schema_org

ALWAYS_FIELDS = ("id", "type")


depends_on = record_dependencies  # what a representation shows: its surrogate keys


class PageReferenceSerializer(serializers.Serializer):
    """Schema of a flat page reference (link annotations are added per relation)."""

    id = serializers.IntegerField()
    type = serializers.ChoiceField(choices=["condition", "cause", "treatment", "therapy"])
    slug = serializers.SlugField()
    title = serializers.CharField()
    url = serializers.URLField()
    api_url = serializers.URLField()


class RenditionSerializer(serializers.Serializer):
    url = serializers.URLField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    format = serializers.CharField()
    webp = inline_serializer(
        "WebpRendition",
        {
            "url": serializers.URLField(),
            "width": serializers.IntegerField(),
            "height": serializers.IntegerField(),
        },
    )


class ImageSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    alt = serializers.CharField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    renditions = inline_serializer(
        "HeroRenditions", {name: RenditionSerializer() for name in HERO_RENDITIONS}
    )


ANNOTATION_FIELDS = {
    "is_most_common": serializers.BooleanField,
    "prevalence": serializers.CharField,
    "note": serializers.CharField,
    "efficacy_caveat": serializers.CharField,
    "label": serializers.CharField,
}


class RelationField(serializers.Field):
    """A relation as flat references plus link annotations; with ?expand=<name>, the related
    items' list shape plus the same annotations."""

    def __init__(self, relation):
        self.relation = relation
        super().__init__(source="*", read_only=True)

    def to_representation(self, page):
        expand = self.relation.name in self.parent.context.get("expand", set())
        return [
            self.parent.link_representation(link, self.relation, expand)
            for link in getattr(page, self.relation.attr)
        ]


def relation_field(model, name):
    """The RelationField for `model`'s relation `name`, documented with its annotations."""
    relation = expandable(model)[name]
    fields = PageReferenceSerializer().get_fields()  # fresh field instances
    fields.update({key: ANNOTATION_FIELDS[key]() for key in relation.annotations})
    schema = inline_serializer(f"{model.api_type.title()}{name.title()}Link", fields, many=True)
    field_class = extend_schema_field(schema)(type("RelationField", (RelationField,), {}))
    return field_class(relation)


@extend_schema_field(
    inline_serializer(
        "SymptomLink",
        {
            "id": serializers.IntegerField(),
            "slug": serializers.SlugField(),
            "name": serializers.CharField(),
            "note": serializers.CharField(),
        },
        many=True,
    )
)
class SymptomsField(serializers.Field):
    def __init__(self):
        super().__init__(source="*", read_only=True)

    def to_representation(self, page):
        depends_on(self.parent.context, *(r.symptom for r in page.public_symptoms))
        return [
            {"id": r.symptom.pk, "slug": r.symptom.slug, "name": r.symptom.name, "note": r.note}
            for r in page.public_symptoms
        ]


class ContentListSerializer(serializers.Serializer):
    """The list shape shared by every type. Context: `fields` (set or None) and `expand` (set)."""

    id = serializers.IntegerField(source="pk", read_only=True)
    type = serializers.SerializerMethodField()
    slug = serializers.SlugField(read_only=True)
    title = serializers.CharField(read_only=True)
    summary = serializers.CharField(read_only=True)
    url = serializers.SerializerMethodField()
    api_url = serializers.SerializerMethodField()
    revision_id = serializers.IntegerField(source="live_revision_id", read_only=True)
    first_published_at = serializers.DateTimeField(read_only=True)
    last_published_at = serializers.DateTimeField(read_only=True)
    hero_image = serializers.SerializerMethodField()
    review_status = serializers.SerializerMethodField()

    model = None

    @classmethod
    def field_names(cls):
        return set(cls._declared_fields)

    @property
    def root_path(self):
        return self.context["root_path"]

    @extend_schema_field(
        serializers.ChoiceField(choices=["condition", "cause", "treatment", "therapy"])
    )
    def get_type(self, page):
        return type(page).api_type

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, page):
        return website_url(page, self.root_path)

    @extend_schema_field(OpenApiTypes.URI)
    def get_api_url(self, page):
        return api_url(page)

    @extend_schema_field(ImageSerializer(allow_null=True))
    def get_hero_image(self, page):
        depends_on(self.context, page.hero_image)
        return image_representation(page.hero_image, page.hero_image_alt)

    @extend_schema_field(
        serializers.ChoiceField(choices=["current", "due_soon", "overdue", "unreviewed"])
    )
    def get_review_status(self, page):
        return page.review_status()

    def to_representation(self, page):
        depends_on(self.context, page)
        data = self.full_representation(page)
        wanted = self.context.get("fields")
        if wanted:  # sparse fieldset; `id` and `type` always stay
            data = {k: v for k, v in data.items() if k in wanted or k in ALWAYS_FIELDS}
        return data

    def full_representation(self, page):
        return super().to_representation(page)

    def link_representation(self, link, relation, expand):
        target = getattr(link, relation.target)  # its specific type when expanded
        depends_on(self.context, target)
        if expand:
            serializer = LIST_SERIALIZERS[type(target)](
                target, context={**self.context, "fields": None, "expand": set()}
            )
            data = serializer.data
        else:
            model = type(target) if type(target) in LIST_SERIALIZERS else target.specific_class
            data = page_reference(target, self.root_path, model=model)
        for name in relation.annotations:
            data[name] = getattr(link, name)
        return data


class ContentDetailMixin(serializers.Serializer):
    body = serializers.SerializerMethodField()
    medical_review = serializers.SerializerMethodField()
    references = serializers.SerializerMethodField()
    codes = serializers.SerializerMethodField()
    disclaimer = serializers.SerializerMethodField()
    seo = serializers.SerializerMethodField()
    schema_org = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_schema_org(self, page):
        return {}  # built in full_representation from the whole item (see pages.schema_org)

    rich_text_fields = ()

    def preload_links(self, page):
        """Check, in one query, the visibility of every page the detail's rich text and
        choosers link to (instead of one query per field or block)."""
        visibility = self.context.get("visibility")
        if visibility is None:
            return
        ids = stream_linked_page_ids(page.body.raw_data)
        if hasattr(page, "treatment_approach"):
            ids |= stream_linked_page_ids(page.treatment_approach.raw_data)
        for name in self.rich_text_fields:
            ids |= linked_page_ids(getattr(page, name))
        visibility.preload(ids)
        depends_on(self.context, *visibility.public_url_paths(ids))

    def full_representation(self, page):
        self.preload_links(page)
        data = super().full_representation(page)
        data["schema_org"] = build_schema_org(data)
        # The list shape's keys first, in their order, then the detail's own.
        first = [name for name in ContentListSerializer._declared_fields if name in data]
        return {**{name: data[name] for name in first}, **data}

    @extend_schema_field(
        inline_serializer(
            "StreamBlock",
            {
                "type": serializers.CharField(),
                "id": serializers.CharField(),
                "value": serializers.JSONField(),
            },
            many=True,
        )
    )
    def get_body(self, page):
        return page.body.stream_block.get_api_representation(page.body, self.context)

    @extend_schema_field(
        inline_serializer(
            "MedicalReview",
            {
                "reviewed_by": inline_serializer(
                    "Reviewer",
                    {
                        "name": serializers.CharField(),
                        "kind": serializers.ChoiceField(choices=["person", "organisation"]),
                        "credentials": serializers.CharField(),
                        "job_title": serializers.CharField(),
                        "profile_url": serializers.URLField(),
                    },
                    allow_null=True,
                ),
                "last_reviewed": serializers.DateField(allow_null=True),
                "next_review_due": serializers.DateField(allow_null=True),
                "status": serializers.ChoiceField(
                    choices=["current", "due_soon", "overdue", "unreviewed"]
                ),
            },
        )
    )
    def get_medical_review(self, page):
        reviewer = page.reviewed_by
        depends_on(self.context, reviewer)
        return {
            "reviewed_by": reviewer
            and {
                "name": reviewer.name,
                "kind": reviewer.kind,
                "credentials": reviewer.credentials,
                "job_title": reviewer.job_title,
                "profile_url": reviewer.profile_url,
            },
            "last_reviewed": page.last_reviewed,
            "next_review_due": page.next_review_due,
            "status": page.review_status(),
        }

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_references(self, page):
        depends_on(self.context, *(link.reference for link in page.reference_links.all()))
        return [
            reference_representation(link.reference, link.note)
            for link in page.reference_links.all()
        ]

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_codes(self, page):
        depends_on(self.context, *(link.code for link in page.code_links.all()))
        return [code_representation(link.code) for link in page.code_links.all()]

    @extend_schema_field(
        inline_serializer(
            "Disclaimer",
            {"text": serializers.CharField(), "emergency_text": serializers.CharField()},
            allow_null=True,
        )
    )
    def get_disclaimer(self, page):
        disclaimer = page.disclaimer or self.context.get("default_disclaimer")
        if disclaimer is None:
            return None
        depends_on(self.context, disclaimer)
        return {
            "text": resolve_rich_text(disclaimer.text, self.context.get("visibility")),
            "emergency_text": disclaimer.emergency_text,
        }

    @extend_schema_field(
        inline_serializer(
            "Seo",
            {
                "title": serializers.CharField(),
                "description": serializers.CharField(),
                "canonical_url": serializers.URLField(),
            },
        )
    )
    def get_seo(self, page):
        return {
            "title": page.seo_title or page.title,
            "description": page.search_description or page.summary,
            "canonical_url": website_url(page, self.root_path),
        }


class ConditionListSerializer(ContentListSerializer):
    model = ConditionPage
    symptoms = SymptomsField()
    causes = relation_field(ConditionPage, "causes")
    treatments = relation_field(ConditionPage, "treatments")
    therapies = relation_field(ConditionPage, "therapies")


class CauseListSerializer(ContentListSerializer):
    model = CausePage
    conditions = relation_field(CausePage, "conditions")
    therapies = relation_field(CausePage, "therapies")


class TreatmentListSerializer(ContentListSerializer):
    model = TreatmentPage
    category = serializers.ChoiceField(choices=TreatmentPage.Category.choices, read_only=True)
    conditions = relation_field(TreatmentPage, "conditions")


class TherapyListSerializer(ContentListSerializer):
    model = TherapyPage
    provider_name = serializers.CharField(read_only=True)
    relieves = relation_field(TherapyPage, "relieves")


class ConditionDetailSerializer(ContentDetailMixin, ConditionListSerializer):
    also_known_as = serializers.SerializerMethodField()
    symptoms_overview = serializers.CharField(read_only=True)
    subtypes = serializers.SerializerMethodField()
    treatment_approach = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_also_known_as(self, page):
        return [row.name for row in page.also_known_as.all()]

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_subtypes(self, page):
        return [
            {
                "name": s.name,
                "description": s.description,
                "onset_site": s.onset_site,
                "progression": s.progression,
            }
            for s in page.subtypes.all()
        ]

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_treatment_approach(self, page):
        stream = page.treatment_approach
        return stream.stream_block.get_api_representation(stream, self.context)


class CauseDetailSerializer(ContentDetailMixin, CauseListSerializer):
    resulting_pain_syndrome = serializers.CharField(read_only=True)
    statistics = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_statistics(self, page):
        return [
            {
                "value": s.value,
                "population": s.population,
                "outcome": s.outcome,
                "text": str(s),
                "reference": s.reference and reference_representation(s.reference),
            }
            for s in page.statistics.all()
        ]


class TreatmentDetailSerializer(ContentDetailMixin, TreatmentListSerializer):
    rich_text_fields = ("how_it_works", "evidence_notes")
    drug_class = serializers.CharField(read_only=True)
    example_drugs = serializers.SerializerMethodField()
    how_it_works = serializers.SerializerMethodField()
    evidence_notes = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_example_drugs(self, page):
        return [
            {"name": d.name, "code": d.code and code_representation(d.code)}
            for d in page.example_drugs.all()
        ]

    def get_how_it_works(self, page) -> str:
        return resolve_rich_text(page.how_it_works, self.context.get("visibility"))

    def get_evidence_notes(self, page) -> str:
        return resolve_rich_text(page.evidence_notes, self.context.get("visibility"))


class TherapyDetailSerializer(ContentDetailMixin, TherapyListSerializer):
    rich_text_fields = ("mechanism_of_action", "what_to_expect")
    evidence_summary = serializers.CharField(read_only=True)
    drug = serializers.SerializerMethodField()
    mechanism_of_action = serializers.SerializerMethodField()
    what_to_expect = serializers.SerializerMethodField()
    call_to_action = serializers.SerializerMethodField()
    safety = serializers.SerializerMethodField()

    @extend_schema_field(serializers.DictField())
    def get_drug(self, page):
        return {
            "name": page.drug_name,
            "drug_class": page.drug_class,
            "background": page.drug_background,
            "administration": page.administration,
            "mechanism_target": page.mechanism_target,
        }

    def get_mechanism_of_action(self, page) -> str:
        return resolve_rich_text(page.mechanism_of_action, self.context.get("visibility"))

    def get_what_to_expect(self, page) -> str:
        return resolve_rich_text(page.what_to_expect, self.context.get("visibility"))

    @extend_schema_field(serializers.DictField(allow_null=True))
    def get_call_to_action(self, page):
        return {"label": page.cta_label, "url": page.cta_url} if page.cta_url else None

    @extend_schema_field(serializers.DictField())
    def get_safety(self, page):
        return {
            "off_label": page.is_off_label,
            "approved_use": page.approved_use,
            "contraindications": [c.name for c in page.contraindications.all()],
            "side_effects": [
                {"name": s.name, "examples": s.examples, "severity": s.severity}
                for s in page.side_effects.all()
            ],
            "monitoring": page.monitoring,
            "source": page.safety_reference and reference_representation(page.safety_reference),
        }


LIST_SERIALIZERS = {
    ConditionPage: ConditionListSerializer,
    CausePage: CauseListSerializer,
    TreatmentPage: TreatmentListSerializer,
    TherapyPage: TherapyListSerializer,
}
DETAIL_SERIALIZERS = {
    ConditionPage: ConditionDetailSerializer,
    CausePage: CauseDetailSerializer,
    TreatmentPage: TreatmentDetailSerializer,
    TherapyPage: TherapyDetailSerializer,
}

__all__ = ["DETAIL_SERIALIZERS", "LIST_SERIALIZERS", "Disclaimer", "expandable"]
