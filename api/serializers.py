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
`disclaimer`, `seo` and `schema_org`. The shapes of nested values are documented in api/schema.py,
which also teaches drf-spectacular that `fields=` may drop any property but `id` and `type`.
"""

from functools import cache

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api import schema
from api.relations import expandable
from pages.models import CausePage, ConditionPage, Disclaimer, TherapyPage, TreatmentPage
from pages.representation import (
    APP,
    WEB,
    api_url,
    code_representation,
    disclaimer_representation,
    image_representation,
    linked_page_ids,
    page_reference,
    record_default_disclaimer,
    record_dependencies,
    reference_representation,
    rich_text_value,
    stream_linked_page_ids,
    website_url,
)
from pages.schema_org import build_schema_org
from pages.selectors import shown, snippet_is_public
from pages.text_safety import safe_href

ALWAYS_FIELDS = ("id", "type")


depends_on = record_dependencies  # what a representation shows: its surrogate keys


def public_links(context, links, target):
    """The `links` whose snippet `target` the public may see. Every linked snippet is a
    dependency, shown or not (a hidden one only as a mention): publishing it must reach the
    item."""
    links = list(links)
    depends_on(context, *(getattr(link, target) for link in links))
    return [link for link in links if snippet_is_public(getattr(link, target))]


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

    def link_serializers(self):
        """Schema: {type: serializer} of the links, one per page type the relation points at."""
        owner, channel = self.parent.model, self.parent.channel
        return {
            target.api_type: link_serializer(owner, self.relation, target, channel)
            for target in self.relation.target_models
        }

    def link_component_name(self):
        name = f"{self.parent.model.api_type.title()}{self.relation.name.title()}Link"
        return name + CHANNEL_SUFFIX[self.parent.channel]


def relation_field(model, name):
    return RelationField(expandable(model)[name])


CHANNEL_SUFFIX = {WEB: "", APP: "App"}  # of the component names of each channel's shapes


@cache
def link_serializer(owner, relation, target, channel=WEB):
    """Documents one link of `owner`'s `relation` to a `target` page: the target's list shape
    in `channel` (with `expand=`) of which the reference's keys and the annotations are always
    present."""
    kind = target.api_type
    name = f"{owner.api_type.title()}{relation.name.title()}"
    name += f"{kind.title()}Link" if relation.mixed else "Link"
    name += CHANNEL_SUFFIX[channel]
    annotations = {key: ANNOTATION_FIELDS[key]() for key in relation.annotations}
    doc = (
        f"A {kind} this {owner.api_type} links to (`{relation.name}`): its reference "
        f"(`{'`, `'.join(schema.REFERENCE_KEYS)}`) and the link's annotations"
        + (f" (`{'`, `'.join(relation.annotations)}`)" if relation.annotations else "")
        + f", always present; with `expand={relation.name}`, also every other property of the "
        f"{kind}'s list shape (its own relations as references)."
    )
    attributes = {
        **annotations,
        "__doc__": doc,
        "always_present": (*schema.REFERENCE_KEYS, *relation.annotations),
        "schema_note": "",
    }
    return type(f"{name}Serializer", (SERIALIZERS[channel]["list"][target],), attributes)


@extend_schema_field(schema.SymptomLinkSerializer(many=True))
class SymptomsField(serializers.Field):
    def __init__(self):
        super().__init__(source="*", read_only=True)

    def to_representation(self, page):
        return [
            {
                "id": r.symptom.pk,
                "slug": r.symptom.slug,
                "name": r.symptom.name,
                "description": r.symptom.description,
                "note": r.note,
            }
            for r in public_links(self.parent.context, page.public_symptoms, "symptom")
        ]


class ItemTypeField(schema.NamedEnumField):
    """The item's `type`, documented as a constant per item schema (e.g. ConditionType)."""

    def __init__(self):
        super().__init__(None, schema.ITEM_TYPES, source="*", read_only=True)

    def to_representation(self, page):
        return type(page).api_type

    def enum_component(self):
        kind = self.parent.model.api_type
        return f"{kind.title()}Type", [kind]


@extend_schema_field(OpenApiTypes.STR)
class RichTextField(serializers.Field):
    """Database rich text in the context's channel: client HTML, or the app's tree of nodes
    (pages.representation.rich_text_value)."""

    def __init__(self):
        super().__init__(read_only=True)

    def to_representation(self, html):
        return rich_text_value(html, self.context.get("visibility"), self.context)


@extend_schema_field(schema.RICH_TEXT_TREE)
class AppRichTextField(RichTextField):
    """The app channel's rich text: documented as a tree of nodes."""


class ContentListSerializer(serializers.Serializer):
    """The list shape shared by every type. Context: `fields` (set or None) and `expand` (set)."""

    id = serializers.IntegerField(source="pk", read_only=True)
    type = ItemTypeField()
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
    channel = WEB  # the shape's channel (api.represent builds the context's to match)
    # OpenAPI (api.schema.ItemSchema): what `fields=` cannot drop, and the component's note.
    always_present = ALWAYS_FIELDS
    schema_note = (
        "`id` and `type` are always present. Any other property may be left out by `fields=` "
        "(sparse fieldsets), so none of them is required."
    )

    @classmethod
    def field_names(cls):
        return set(cls._declared_fields)

    @property
    def root_path(self):
        return self.context["root_path"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, page):
        return website_url(page, self.root_path)

    @extend_schema_field(OpenApiTypes.URI)
    def get_api_url(self, page):
        return api_url(page)

    @extend_schema_field(schema.ImageSerializer(allow_null=True))
    def get_hero_image(self, page):
        depends_on(self.context, page.hero_image)
        return image_representation(page.hero_image, page.hero_image_alt, context=self.context)

    @extend_schema_field(serializers.ChoiceField(choices=schema.REVIEW_STATUSES))
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
            serializer = SERIALIZERS[self.channel]["list"][type(target)](
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

    @extend_schema_field(schema.SchemaOrg())
    def get_schema_org(self, page):
        return {}  # built in full_representation from the whole item (see pages.schema_org)

    @classmethod
    def linked_ids(cls, page):
        """Ids of the pages the detail's rich text and choosers link to (no query)."""
        ids = stream_linked_page_ids(page.body.raw_data)
        if hasattr(page, "treatment_approach"):
            ids |= stream_linked_page_ids(page.treatment_approach.raw_data)
        for name, field in cls._declared_fields.items():
            if isinstance(field, RichTextField):
                ids |= linked_page_ids(getattr(page, name))
        return ids

    def preload_links(self, page):
        """Check, in one query, the visibility of every page the detail's rich text and
        choosers link to (instead of one query per field or block; api.represent looks up
        those of many details at once beforehand)."""
        visibility = self.context.get("visibility")
        if visibility is None:
            return
        ids = self.linked_ids(page)
        visibility.preload(ids)
        depends_on(self.context, *visibility.public_url_paths(ids))

    def full_representation(self, page):
        self.preload_links(page)
        data = super().full_representation(page)
        data["schema_org"] = build_schema_org(data)
        # The list shape's keys first, in their order, then the detail's own.
        first = [name for name in ContentListSerializer._declared_fields if name in data]
        return {**{name: data[name] for name in first}, **data}

    @extend_schema_field(schema.BODY)
    def get_body(self, page):
        return page.body.stream_block.get_api_representation(page.body, self.context)

    @extend_schema_field(schema.MedicalReviewSerializer())
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

    @extend_schema_field(schema.ReferenceSerializer(many=True))
    def get_references(self, page):
        return [
            reference_representation(link.reference, link.note)
            for link in public_links(self.context, page.reference_links.all(), "reference")
        ]

    @extend_schema_field(schema.MedicalCodeSerializer(many=True))
    def get_codes(self, page):
        return [
            code_representation(link.code)
            for link in public_links(self.context, page.code_links.all(), "code")
        ]

    @extend_schema_field(schema.DisclaimerSerializer(allow_null=True))
    def get_disclaimer(self, page):
        own = page.disclaimer if page.disclaimer_id else None
        depends_on(self.context, own)  # one that is not live is only mentioned
        disclaimer = page.get_disclaimer(self.context.get("default_disclaimer"))
        if disclaimer is None or disclaimer is not own:
            record_default_disclaimer(self.context)
        if disclaimer is None:
            return None
        depends_on(self.context, disclaimer)
        return disclaimer_representation(disclaimer, self.context.get("visibility"), self.context)

    @extend_schema_field(schema.SeoSerializer())
    def get_seo(self, page):
        return {
            "title": page.seo_title or page.title,
            "description": page.search_description or page.summary,
            "canonical_url": website_url(page, self.root_path),
        }


class ConditionListSerializer(ContentListSerializer):
    """A condition as lists and search results show it."""

    model = ConditionPage
    symptoms = SymptomsField()
    causes = relation_field(ConditionPage, "causes")
    treatments = relation_field(ConditionPage, "treatments")
    therapies = relation_field(ConditionPage, "therapies")


class CauseListSerializer(ContentListSerializer):
    """A cause as lists and search results show it."""

    model = CausePage
    conditions = relation_field(CausePage, "conditions")
    therapies = relation_field(CausePage, "therapies")


class TreatmentListSerializer(ContentListSerializer):
    """A treatment as lists and search results show it."""

    model = TreatmentPage
    category = serializers.ChoiceField(choices=TreatmentPage.Category.choices, read_only=True)
    conditions = relation_field(TreatmentPage, "conditions")


class TherapyListSerializer(ContentListSerializer):
    """A therapy as lists and search results show it."""

    model = TherapyPage
    provider_name = serializers.CharField(read_only=True)
    relieves = relation_field(TherapyPage, "relieves")


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
        return [
            {
                "name": s.name,
                "description": s.description,
                "onset_site": s.onset_site,
                "progression": s.progression,
            }
            for s in page.subtypes.all()
        ]

    @extend_schema_field(schema.TreatmentApproachStep(many=True))
    def get_treatment_approach(self, page):
        stream = page.treatment_approach
        return stream.stream_block.get_api_representation(stream, self.context)


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
                "reference": shown(s.reference) and reference_representation(s.reference),
            }
            for s in page.statistics.all()
        ]


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
            {"name": d.name, "code": shown(d.code) and code_representation(d.code)}
            for d in page.example_drugs.all()
        ]


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
        return {
            "name": page.drug_name,
            "drug_class": page.drug_class,
            "background": page.drug_background,
            "administration": page.administration,
            "mechanism_target": page.mechanism_target,
        }

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
                {"name": c.name, "note": c.note} for c in page.contraindications.all()
            ],
            "side_effects": [
                {"name": s.name, "examples": s.examples, "severity": s.severity}
                for s in page.side_effects.all()
            ],
            "monitoring": page.monitoring,
            "source": shown(page.safety_reference)
            and reference_representation(page.safety_reference),
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


class AppChannel:
    """The app channel's version of a shape: rich text as a tree of nodes and images with a
    rendition per screen density (pages.representation); everything else as the website's."""

    channel = APP

    @extend_schema_field(schema.AppImageSerializer(allow_null=True))
    def get_hero_image(self, page):
        return super().get_hero_image(page)

    @extend_schema_field(schema.APP_BODY)
    def get_body(self, page):
        return super().get_body(page)

    @extend_schema_field(schema.AppDisclaimerSerializer(allow_null=True))
    def get_disclaimer(self, page):
        return super().get_disclaimer(page)


APP_CHANNEL_NOTE = (
    "In the app channel (`channel=app`): rich text as a tree of nodes (RichTextNode) and "
    "images with a rendition per screen density; every other property as on the website."
)


def app_variant(serializer):
    """`serializer`'s shape in the app channel (component `<Name>App`)."""
    fields = {
        name: AppRichTextField()
        for name, field in serializer._declared_fields.items()
        if isinstance(field, RichTextField)
    }
    doc = f"{serializer.__doc__.strip()}\n\n{APP_CHANNEL_NOTE}"
    name = serializer.__name__.removesuffix("Serializer") + "AppSerializer"
    return type(name, (AppChannel, serializer), {**fields, "__doc__": doc})


# {channel: {shape: {model: serializer}}}: what api.represent builds each item with.
SERIALIZERS = {
    WEB: {"list": LIST_SERIALIZERS, "detail": DETAIL_SERIALIZERS},
    APP: {
        "list": {model: app_variant(s) for model, s in LIST_SERIALIZERS.items()},
        "detail": {model: app_variant(s) for model, s in DETAIL_SERIALIZERS.items()},
    },
}

__all__ = ["DETAIL_SERIALIZERS", "LIST_SERIALIZERS", "SERIALIZERS", "Disclaimer", "expandable"]
