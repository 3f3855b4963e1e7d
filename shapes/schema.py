"""OpenAPI documentation of the shapes (drf-spectacular): what shapes.serializers, the blocks
(pages.blocks), shapes.representation and shapes.schema_org build. The document is a contract a
frontend compiles against (clients/typescript/ generates types from it), so every value the API
sends has a precise schema.

The extensions at the end teach drf-spectacular the few things it cannot see from a serializer:
which properties of an item `fields=` may drop, the constant `type` of each item and block
schema, and the shape of a relation's links. What only HTTP needs (parameters, errors, envelopes)
is in api/http/schema.py.
"""

from functools import cache

from django.conf import settings

from drf_spectacular.extensions import OpenApiSerializerExtension, OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent, build_array_type
from drf_spectacular.utils import PolymorphicProxySerializer
from rest_framework import serializers

from pages.models import BaseContentPage, MedicalCode, Reviewer, TherapySideEffect
from pages.renditions import APP_BASE_WIDTH, APP_DENSITIES, BODY_IMAGE_RENDITIONS, HERO_RENDITIONS
from pages.structured_text import MARK_TYPES
from pages.translations import CURRENT, OUTDATED
from shapes import registry
from shapes.drf import declared_fields, plain_schema, with_declared_fields

ITEM_TYPES = registry.ITEM_TYPE_NAMES  # filled as types register (shapes/types/)
REVIEW_STATUSES = BaseContentPage.ReviewStatus.values
LANGUAGES = settings.CONTENT_LANGUAGES
TRANSLATION_STATUSES = [CURRENT, OUTDATED]


class NamedEnumField(serializers.ChoiceField):
    """A choice documented as a $ref to an enum component of its own (`component`). With one
    choice it is a constant, as a `oneOf` discriminator needs: drf-spectacular names enums after
    the property, which collides for `type` and cannot name JSON-LD's `@type`."""

    def __init__(self, component, choices, **kwargs):
        self.component = component
        super().__init__(choices=choices, **kwargs)

    def enum_component(self):
        return self.component, list(self.choices)


class ItemTypeChoiceField(serializers.ChoiceField):
    """Any registered item type, read when the document is built: this module is imported
    while the types register (shapes/types/), so a choice list taken now would be short."""

    def __init__(self, **kwargs):
        super().__init__(choices=(), **kwargs)

    @property
    def choices(self):
        return {name: name for name in ITEM_TYPES}

    @choices.setter
    def choices(self, choices):
        pass  # always the registry's


def paged(component_name, results, doc=None):
    """The list envelope every paged answer has: {"count", "next", "previous", "results"},
    `results` a serializer instance with many=True (api.http.pagination builds it)."""
    fields = {
        "count": serializers.IntegerField(),
        "next": serializers.URLField(allow_null=True),
        "previous": serializers.URLField(allow_null=True),
        "results": results,
    }
    return schema_serializer(component_name, fields, doc)()


def discriminated(component_name, serializers_by_type, field="type", many=False):
    """A `oneOf` of `serializers_by_type` ({type value: serializer}) told apart by `field`."""
    return PolymorphicProxySerializer(
        component_name=component_name,
        serializers=serializers_by_type,
        resource_type_field_name=field,
        many=many,
    )


# Components offering each channel's shape (`by_channel`); postprocess_channels makes their
# `oneOf` an `anyOf`: with `fields=id` an item matches both.
CHANNEL_COMPONENTS = set()


def by_channel(component_name, web, app, many=False):
    """The web shape or the app shape (`?channel=app`) of a response value."""
    CHANNEL_COMPONENTS.add(component_name)
    return PolymorphicProxySerializer(
        component_name=component_name,
        serializers=[web, app],
        resource_type_field_name=None,
        many=many,
    )


def postprocess_channels(result, generator, request, public):
    """drf-spectacular postprocessing hook: the by_channel components as `anyOf`."""
    for name, component in result.get("components", {}).get("schemas", {}).items():
        if name in CHANNEL_COMPONENTS and "oneOf" in component:
            component["anyOf"] = component.pop("oneOf")
    return result


# What an item says when it stands in for a missing translation (api/serving/read_path.py,
# ItemCopy.as_answered): present on such an item only, whatever `fields=` asks for.
FALLBACK_MARKERS = {
    "requested_locale": {
        "type": "string",
        "enum": LANGUAGES,
        "description": "The language asked for, present only on an item standing in for a "
        "missing translation (its `locale` is the default language).",
    },
    "fallback": {
        "type": "boolean",
        "enum": [True],
        "description": "Present (true) only on an item standing in for a missing translation.",
    },
}

# An item component's note (shapes.serializers.ContentListSerializer.schema_note) marks it for
# `postprocess_full_items`.
FULL_SUFFIX = "Full"
FULL_NOTE = (
    "Every property present: the item as served without `fields=`. A site that never sends "
    "`fields=` types its data with this component (TypeScript: no `!`, no casts)."
)


def postprocess_full_items(result, generator, request, public):
    """drf-spectacular postprocessing hook: for each item component (its properties optional
    because `fields=` may drop them), a `<name>Full` twin with every property required. No
    response refers to it: answers stay "full or partial"; a site imports it."""
    from shapes.serializers import ContentListSerializer

    schemas = result.get("components", {}).get("schemas", {})
    for name, component in list(schemas.items()):
        if ContentListSerializer.schema_note in component.get("description", ""):
            description = component["description"].replace(
                ContentListSerializer.schema_note, FULL_NOTE
            )
            schemas[f"{name}{FULL_SUFFIX}"] = {
                **component,
                "description": description,
                "required": [key for key in component["properties"] if key not in FALLBACK_MARKERS],
            }
    result["components"]["schemas"] = dict(sorted(schemas.items()))
    return result


def schema_serializer(name, fields, doc):
    """A documentation-only serializer class named `name` (its component name), for shapes whose
    keys are not Python names (JSON-LD's `@type`) or are built from data (rendition names)."""
    serializer = type(name, (serializers.Serializer,), {**fields, "__doc__": doc})
    return with_declared_fields(serializer, fields)  # in the order given, not by creation


# What shapes.representation builds ---------------------------------------------------------------


class PageReferenceSerializer(serializers.Serializer):
    """A flat reference to a public page."""

    id = serializers.IntegerField()
    type = ItemTypeChoiceField()
    slug = serializers.SlugField()
    title = serializers.CharField()
    url = serializers.URLField(help_text="The page on the website (WEBSITE_BASE_URL).")
    api_url = serializers.URLField(help_text="The item in this API.")


REFERENCE_KEYS = tuple(declared_fields(PageReferenceSerializer))


class WebpRenditionSerializer(serializers.Serializer):
    url = serializers.URLField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    format = serializers.CharField(help_text="The file's format: png, jpg, gif, webp...")


class RenditionSerializer(WebpRenditionSerializer):
    """One size of an image, in its original format and as webp."""

    webp = WebpRenditionSerializer()


class FocalPointSerializer(serializers.Serializer):
    """The part of the image an editor marked as what matters, in the original's pixels (its
    centre at x, y): crop around it (CSS object-position) rather than take a fixed crop."""

    x = serializers.IntegerField()
    y = serializers.IntegerField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()


SRCSET_HELP = (
    "The whole image (its own proportions) at widths of 320 to 1920 pixels, never wider than "
    "the original, narrowest first: an <img srcset> (and a <source type=image/webp>)."
)


HeroRenditions = schema_serializer(
    "HeroRenditions",
    {name: RenditionSerializer() for name in HERO_RENDITIONS},
    "The hero image's renditions (pages.renditions.HERO_RENDITIONS).",
)
BodyImageRenditions = schema_serializer(
    "BodyImageRenditions",
    {name: RenditionSerializer() for name in BODY_IMAGE_RENDITIONS},
    "A body image's renditions (pages.renditions.BODY_IMAGE_RENDITIONS).",
)


class ListImageSerializer(serializers.Serializer):
    """An item's hero image in a list: size of the original, its focal point and its 16:9
    renditions (the item's detail adds the whole image as a srcset)."""

    id = serializers.IntegerField()
    alt = serializers.CharField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    focal_point = FocalPointSerializer(allow_null=True)
    renditions = HeroRenditions()


class ImageSerializer(ListImageSerializer):
    """An item's hero image: size of the original, its focal point, its 16:9 renditions and
    the whole image as a srcset."""

    srcset = RenditionSerializer(many=True, help_text=SRCSET_HELP)


class BodyImageSerializer(serializers.Serializer):
    """An image in a body: `alt` is empty when the editor marked it decorative."""

    id = serializers.IntegerField()
    alt = serializers.CharField(allow_blank=True)
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    focal_point = FocalPointSerializer(allow_null=True)
    renditions = BodyImageRenditions()
    srcset = RenditionSerializer(many=True, help_text=SRCSET_HELP)
    decorative = serializers.BooleanField()


class AppRenditionSerializer(RenditionSerializer):
    """One rendition for screens of `density` (1x, 2x, 3x), in the original format and as
    webp."""

    density = serializers.ChoiceField(choices=list(APP_DENSITIES))


class AppImageSerializer(serializers.Serializer):
    """An image in the app channel: shown `base_width` points wide (APP_BASE_WIDTH), with one
    rendition per screen density; pick the one matching the device's scale."""

    id = serializers.IntegerField()
    alt = serializers.CharField(allow_blank=True)
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    base_width = serializers.IntegerField(help_text=f"Points; {APP_BASE_WIDTH} today.")
    renditions = AppRenditionSerializer(many=True)


class AppBodyImageSerializer(AppImageSerializer):
    """An image in a body, in the app channel: `alt` is empty when the editor marked it
    decorative."""

    decorative = serializers.BooleanField()


def _node(name, doc, properties, required):
    return name, {
        "type": "object",
        "description": doc,
        "properties": {"type": {"type": "string", "enum": [RICH_TEXT_NODES[name]]}, **properties},
        "required": ["type", *required],
    }


RICH_TEXT_NODES = {  # component: the node's `type`
    "RichTextParagraph": "paragraph",
    "RichTextHeading": "heading",
    "RichTextList": "list",
    "RichTextListItem": "list_item",
    "RichTextText": "text",
    "RichTextLink": "link",
    "RichTextLineBreak": "line_break",
}
_CHILDREN = {"type": "array", "items": {"$ref": "#/components/schemas/RichTextNode"}}
_INLINE = ("text", "link", "line_break")


def rich_text_components():
    """The app channel's rich text nodes (pages.structured_text), a recursive `oneOf` by
    `type`."""
    inline_doc = "Its children are inline nodes: text, link, line_break."
    nodes = dict(
        [
            _node(
                "RichTextParagraph",
                f"A paragraph. {inline_doc}",
                {"children": _CHILDREN},
                ["children"],
            ),
            _node(
                "RichTextHeading",
                f"A heading of `level` 1 to 6 (2 is a section). {inline_doc}",
                {"level": {"type": "integer", "minimum": 1, "maximum": 6}, "children": _CHILDREN},
                ["level", "children"],
            ),
            _node(
                "RichTextList",
                "A bulleted (`ordered` false) or numbered list; its children are list_item nodes.",
                {"ordered": {"type": "boolean"}, "children": _CHILDREN},
                ["ordered", "children"],
            ),
            _node(
                "RichTextListItem",
                "An item of a list: inline nodes, and lists nested in it.",
                {"children": _CHILDREN},
                ["children"],
            ),
            _node(
                "RichTextText",
                "A run of text; `marks` says how it is emphasised (none: plain).",
                {
                    "text": {"type": "string"},
                    "marks": {"type": "array", "items": {"type": "string", "enum": MARK_TYPES}},
                },
                ["text", "marks"],
            ),
            _node(
                "RichTextLink",
                "A link. `href` is absolute (or mailto:, tel:, #fragment). `target` is the "
                "public item an internal link points at (its `api_url` fetches it in the app) "
                "or the document a document link downloads (`type`: document), null for any "
                "other link. Its children are text and line_break nodes.",
                {
                    "href": {"type": "string"},
                    "target": {
                        "oneOf": [
                            {"$ref": "#/components/schemas/RichTextLinkTarget"},
                            {"$ref": "#/components/schemas/DocumentTarget"},
                        ],
                        "nullable": True,
                    },
                    "children": _CHILDREN,
                },
                ["href", "target", "children"],
            ),
            _node("RichTextLineBreak", "A line break inside a block.", {}, []),
        ]
    )
    nodes["RichTextLinkTarget"] = {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "type": {"type": "string", "enum": ITEM_TYPES},
            "slug": {"type": "string"},
            "api_url": {"type": "string", "format": "uri"},
        },
        "required": ["id", "type", "slug", "api_url"],
    }
    nodes["DocumentTarget"] = {
        "type": "object",
        "description": DocumentTargetSerializer.__doc__,
        "properties": {
            "type": {"type": "string", "enum": ["document"]},
            "id": {"type": "integer"},
            "file_type": {"type": "string"},
            "file_size": {"type": "integer", "nullable": True},
        },
        "required": ["type", "id", "file_type", "file_size"],
    }
    nodes["RichTextNode"] = {
        "description": "A node of rich text in the app channel: blocks (paragraph, heading, "
        "list, list_item) and inline nodes (text, link, line_break), told apart by `type`.",
        "oneOf": [{"$ref": f"#/components/schemas/{name}"} for name in RICH_TEXT_NODES],
        "discriminator": {
            "propertyName": "type",
            "mapping": {
                kind: f"#/components/schemas/{name}" for name, kind in RICH_TEXT_NODES.items()
            },
        },
    }
    return nodes


class DocumentTargetSerializer(serializers.Serializer):
    """The document a rich-text link downloads (its `href`): `file_type` its extension (pdf,
    docx...), `file_size` in bytes (null where unknown). The website's HTML carries the same
    on the link: `data-document-id`, `data-file-type`, `data-file-size`."""

    type = serializers.CharField()
    id = serializers.IntegerField()
    file_type = serializers.CharField()
    file_size = serializers.IntegerField(allow_null=True)


class RichTextTreeField(serializers.Field):
    """Documents rich text in the app channel: a list of block nodes (RichTextNode)."""


RICH_TEXT_TREE = RichTextTreeField()


class ReferenceSerializer(serializers.Serializer):
    """A citation to published evidence. `url` is the reference's own URL, else its DOI or
    PubMed link. `note` (what this page cites it for) is present only when the editor wrote one."""

    id = serializers.IntegerField()
    citation = serializers.CharField(help_text="Vancouver style.")
    authors = serializers.CharField()
    title = serializers.CharField()
    journal = serializers.CharField(allow_blank=True)
    year = serializers.IntegerField()
    volume = serializers.CharField(allow_blank=True)
    issue = serializers.CharField(allow_blank=True)
    pages = serializers.CharField(allow_blank=True)
    doi = serializers.CharField(allow_null=True)
    pmid = serializers.CharField(allow_null=True)
    url = serializers.URLField(allow_null=True)
    note = serializers.CharField(required=False)


class MedicalCodeSerializer(serializers.Serializer):
    """A code from a public terminology; `verified` once the clinic's medical coder confirmed it."""

    system = serializers.ChoiceField(choices=MedicalCode.System.values)
    value = serializers.CharField()
    display_name = serializers.CharField()
    verified = serializers.BooleanField()


class SymptomSerializer(serializers.Serializer):
    """A symptom, with the plain-language description editors wrote for patients."""

    id = serializers.IntegerField()
    slug = serializers.SlugField()
    name = serializers.CharField()
    description = serializers.CharField(allow_blank=True)


class SymptomSummarySerializer(SymptomSerializer):
    """A symptom and the public items that show it (conditions, by title)."""

    shown_by = PageReferenceSerializer(many=True)


class SymptomLinkSerializer(SymptomSerializer):
    """A symptom of the condition, with the link's note."""

    note = serializers.CharField(allow_blank=True)


class ReviewerSerializer(serializers.Serializer):
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=Reviewer.Kind.values)
    credentials = serializers.CharField(allow_blank=True)
    job_title = serializers.CharField(allow_blank=True)
    profile_url = serializers.CharField(
        allow_blank=True, help_text="A URL, or empty when the reviewer has no public page."
    )


class MedicalReviewSerializer(serializers.Serializer):
    reviewed_by = ReviewerSerializer(allow_null=True)
    last_reviewed = serializers.DateField(allow_null=True)
    next_review_due = serializers.DateField(allow_null=True)
    status = serializers.ChoiceField(choices=REVIEW_STATUSES)


class DisclaimerSerializer(serializers.Serializer):
    text = serializers.CharField(help_text="HTML.")
    emergency_text = serializers.CharField(allow_blank=True)
    email_text = serializers.CharField(
        allow_blank=True,
        help_text="HTML: the disclaimer as an email says it (empty: emails show `text`).",
    )


class AppDisclaimerSerializer(serializers.Serializer):
    text = RichTextTreeField()
    emergency_text = serializers.CharField(allow_blank=True)


class AlternateSerializer(serializers.Serializer):
    """A language version of a page, for hreflang (`<link rel="alternate" hreflang="{locale}"
    href="{url}">`, and a sitemap's `xhtml:link`)."""

    locale = serializers.ChoiceField(choices=LANGUAGES, help_text="Its language, e.g. en.")
    path = serializers.CharField(help_text="Its path on the website.")
    url = serializers.URLField()


class SeoSerializer(serializers.Serializer):
    title = serializers.CharField()
    description = serializers.CharField()
    canonical_url = serializers.URLField()
    alternates = AlternateSerializer(
        many=True,
        help_text="The page's public versions in every language, itself included, by locale "
        "(hreflang alternates).",
    )


class SubtypeSerializer(serializers.Serializer):
    name = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    onset_site = serializers.CharField(allow_blank=True)
    progression = serializers.CharField(allow_blank=True)


class StatisticSerializer(serializers.Serializer):
    """A key figure, e.g. value "50%", population "people with diabetes", outcome "have nerve
    pain"; `text` says it as one sentence."""

    value = serializers.CharField()
    population = serializers.CharField()
    outcome = serializers.CharField()
    text = serializers.CharField()
    reference = ReferenceSerializer(allow_null=True)


class ExampleDrugSerializer(serializers.Serializer):
    name = serializers.CharField()
    code = MedicalCodeSerializer(allow_null=True)


class DrugSerializer(serializers.Serializer):
    """The drug a therapy uses; every property is empty for a therapy without one."""

    name = serializers.CharField(allow_blank=True, source="drug_name")
    drug_class = serializers.CharField(allow_blank=True)
    background = serializers.CharField(allow_blank=True, source="drug_background")
    administration = serializers.CharField(allow_blank=True)
    mechanism_target = serializers.CharField(allow_blank=True)


class CallToActionSerializer(serializers.Serializer):
    label = serializers.CharField()
    url = serializers.URLField()


class ContraindicationSerializer(serializers.Serializer):
    """Who should not have the therapy; `note` qualifies it (empty when there is none)."""

    name = serializers.CharField()
    note = serializers.CharField(allow_blank=True)


class SideEffectSerializer(serializers.Serializer):
    name = serializers.CharField()
    examples = serializers.CharField(allow_blank=True)
    severity = serializers.ChoiceField(choices=TherapySideEffect.Severity.values)


class SafetySerializer(serializers.Serializer):
    """A therapy's safety information; `source` is the reference it comes from."""

    off_label = serializers.BooleanField()
    approved_use = serializers.CharField(allow_blank=True)
    contraindications = ContraindicationSerializer(many=True)
    side_effects = SideEffectSerializer(many=True)
    monitoring = serializers.CharField(allow_blank=True)
    source = ReferenceSerializer(allow_null=True)


# StreamField block values (pages.blocks) ---------------------------------------------------------


def block_serializer(name, block_type, value, doc):
    """One block of a StreamField: {"type": <block_type>, "id": <uuid>, "value": ...}."""
    fields = {
        "type": NamedEnumField(f"{name}Type", [block_type]),
        "id": serializers.CharField(),
        "value": value,
    }
    return schema_serializer(name, fields, doc)


class HeadingBlockValueSerializer(serializers.Serializer):
    text = serializers.CharField()
    level = serializers.ChoiceField(
        choices=[2, 3], help_text="2 for a section, 3 below it: as a rich-text heading's level."
    )


class CalloutBlockValueSerializer(serializers.Serializer):
    tone = serializers.ChoiceField(choices=["info", "warning", "emergency"])
    title = serializers.CharField(allow_blank=True)
    text = serializers.CharField(help_text="HTML.")


class EvidenceClaimBlockValueSerializer(serializers.Serializer):
    """A claim (HTML) and the references that support it (null where one was deleted)."""

    claim = serializers.CharField()
    references = serializers.ListField(child=ReferenceSerializer(allow_null=True))


HEADING_BLOCK = block_serializer(
    "HeadingBlock", "heading", HeadingBlockValueSerializer(), "A heading."
)


def body_blocks(suffix, rich_text, image, callout, claim):
    """{block type: block schema} of a body in one channel (component names end in `suffix`):
    `rich_text` documents a paragraph (a field and its description), `image` an image (a
    serializer and what its renditions are), `callout` and `claim` their values."""
    return {
        "heading": HEADING_BLOCK,
        "paragraph": block_serializer(f"ParagraphBlock{suffix}", "paragraph", *rich_text),
        "image": block_serializer(
            f"ImageBlock{suffix}",
            "image",
            image[0](allow_null=True),
            f"An image with {image[1]} (null if the image was deleted).",
        ),
        "callout": block_serializer(
            f"CalloutBlock{suffix}", "callout", callout(), "A highlighted note."
        ),
        "evidence_claim": block_serializer(
            f"EvidenceClaimBlock{suffix}",
            "evidence_claim",
            claim(),
            "A claim about efficacy or speed, tied to the references that support it.",
        ),
    }


BODY_BLOCKS = body_blocks(
    "",
    (serializers.CharField(), "Rich text as HTML: links point at public website URLs."),
    (BodyImageSerializer, "its renditions"),
    CalloutBlockValueSerializer,
    EvidenceClaimBlockValueSerializer,
)
BODY = discriminated("BodyBlock", BODY_BLOCKS, many=True)


class AppCalloutBlockValueSerializer(CalloutBlockValueSerializer):
    text = RichTextTreeField()


class AppEvidenceClaimBlockValueSerializer(EvidenceClaimBlockValueSerializer):
    """A claim (rich text nodes) and the references that support it (null where one was
    deleted)."""

    claim = RichTextTreeField()


APP_BODY_BLOCKS = body_blocks(
    "App",
    (RichTextTreeField(), "Rich text as a tree of nodes."),
    (AppBodyImageSerializer, "a rendition per screen density"),
    AppCalloutBlockValueSerializer,
    AppEvidenceClaimBlockValueSerializer,
)
APP_BODY = discriminated("BodyBlockApp", APP_BODY_BLOCKS, many=True)


class TreatmentApproachStepValueSerializer(serializers.Serializer):
    """How one part of a condition is treated: its underlying causes (public cause pages) or the
    symptoms it relieves (null where a symptom was deleted)."""

    aim = serializers.ChoiceField(choices=["underlying-cause", "symptoms"])
    heading = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    symptoms = serializers.ListField(child=SymptomSerializer(allow_null=True))
    causes = PageReferenceSerializer(many=True)


TreatmentApproachStep = block_serializer(
    "TreatmentApproachStep",
    "step",
    TreatmentApproachStepValueSerializer(),
    "One step of a condition's treatment approach.",
)


# JSON-LD (shapes.schema_org) --------------------------------------------------------------------


def json_ld_node(name, schema_types, fields, doc):
    """A schema.org node whose `@type` is one of `schema_types`."""
    type_field = NamedEnumField(f"{name}Type", schema_types)
    return schema_serializer(name, {"@type": type_field, **fields}, doc)


SchemaOrgThing = schema_serializer(
    "SchemaOrgThing",
    {
        "@type": serializers.CharField(),
        "name": serializers.CharField(),
        "url": serializers.URLField(required=False),
    },
    "A named schema.org node (a linked page has its `url`).",
)
SchemaOrgIdentifier = json_ld_node(
    "SchemaOrgIdentifier",
    ["PropertyValue"],
    {"propertyID": serializers.CharField(), "value": serializers.CharField()},
    "An identifier such as a DOI, a PMID or an ATC code.",
)
SchemaOrgCode = json_ld_node(
    "SchemaOrgCode",
    ["MedicalCode"],
    {"codeValue": serializers.CharField(), "codingSystem": serializers.CharField()},
    "A medical code.",
)
SchemaOrgArticle = json_ld_node(
    "SchemaOrgArticle",
    ["MedicalScholarlyArticle"],
    {
        "headline": serializers.CharField(),
        "author": SchemaOrgThing(many=True),
        "datePublished": serializers.CharField(help_text="The year."),
        "isPartOf": SchemaOrgThing(required=False),
        "identifier": SchemaOrgIdentifier(many=True, required=False),
        "url": serializers.URLField(required=False),
    },
    "A cited reference.",
)
SchemaOrgDrug = json_ld_node(
    "SchemaOrgDrug",
    ["Drug"],
    {
        "name": serializers.CharField(),
        "mechanismOfAction": serializers.CharField(allow_blank=True),
        "drugClass": SchemaOrgThing(required=False),
        "identifier": SchemaOrgIdentifier(many=True, required=False),
    },
    "The drug a therapy uses.",
)
SchemaOrgReviewer = json_ld_node(
    "SchemaOrgReviewer",
    ["Person", "Organization"],
    {
        "name": serializers.CharField(),
        "honorificSuffix": serializers.CharField(required=False),
        "jobTitle": serializers.CharField(required=False),
    },
    "Who medically reviewed the page.",
)
SchemaOrgCauseMention = json_ld_node(
    "SchemaOrgCauseMention",
    ["MedicalCause"],
    {
        "name": serializers.CharField(),
        "url": serializers.URLField(),
        "causeOf": SchemaOrgThing(),
    },
    "A cause of the condition, saying what it causes.",
)
CODES = SchemaOrgCode(many=True, required=False)
# A therapy, and a treatment that is not a medication (shapes/types/: both types build it).
SchemaOrgMedicalTherapy = json_ld_node(
    "SchemaOrgMedicalTherapy",
    ["MedicalTherapy"],
    {
        "name": serializers.CharField(),
        "url": serializers.URLField(),
        "drug": SchemaOrgDrug(required=False),
        "contraindication": serializers.ListField(child=serializers.CharField(), required=False),
        "adverseOutcome": SchemaOrgThing(many=True, required=False),
        "code": CODES,
    },
    "A therapy, or a treatment that is not a medication.",
)


@cache
def schema_org_serializer():
    """The JSON-LD document (component SchemaOrg): `about` is one of the nodes every registered
    type documents (its SchemaOrgAbout), told apart by `@type`."""
    about = {}
    for item_type in registry.item_types():
        about.update(item_type.schema_org.nodes)
    return schema_serializer(
        "SchemaOrg",
        {
            "@context": NamedEnumField("SchemaOrgContext", ["https://schema.org"]),
            "@type": NamedEnumField("SchemaOrgType", ["MedicalWebPage"]),
            "url": serializers.URLField(),
            "name": serializers.CharField(),
            "description": serializers.CharField(),
            "inLanguage": serializers.ChoiceField(choices=LANGUAGES),
            "about": discriminated("SchemaOrgAbout", about, field="@type"),
            "citation": SchemaOrgArticle(many=True),
            "mentions": SchemaOrgCauseMention(many=True, required=False),
            "lastReviewed": serializers.DateField(required=False),
            "reviewedBy": SchemaOrgReviewer(required=False),
            "dateModified": serializers.DateTimeField(required=False),
        },
        "The item as schema.org JSON-LD (a MedicalWebPage about the item), for the website to "
        "embed in a script tag as it is.",
    )


class SchemaOrgField(serializers.Field):
    """Documents an item's `schema_org` (schema_org_serializer, built once every type has
    registered)."""


def items_of_any_type(component_name, serializers_by_model, many=False):
    """Items of every registered type, told apart by `type`."""
    by_type = {
        registry.of(model).name: serializer for model, serializer in serializers_by_model.items()
    }
    return discriminated(component_name, by_type, many=many)


def items_of_any_type_by_channel(component_name, serializers_by_channel, many=False):
    """Items of any type in the web or the app shape ({channel: {model: serializer}})."""
    web, app = (serializers_by_channel[channel] for channel in ("web", "app"))
    return by_channel(
        component_name,
        items_of_any_type(f"{component_name}Web", web),
        items_of_any_type(f"{component_name}App", app),
        many=many,
    )


# What drf-spectacular cannot see from a serializer ----------------------------------------------


class NamedEnumFieldSchema(OpenApiSerializerFieldExtension):
    target_class = NamedEnumField
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        name, values = self.target.enum_component()
        component = ResolvedComponent(
            name=name,
            type=ResolvedComponent.SCHEMA,
            object=name,
            schema={"type": "string", "enum": values},
        )
        auto_schema.registry.register_on_missing(component)
        return component.ref


class RichTextTreeFieldSchema(OpenApiSerializerFieldExtension):
    target_class = RichTextTreeField

    def map_serializer_field(self, auto_schema, direction):
        for name, schema in rich_text_components().items():
            auto_schema.registry.register_on_missing(
                ResolvedComponent(
                    name=name, type=ResolvedComponent.SCHEMA, object=name, schema=schema
                )
            )
        return {"type": "array", "items": {"$ref": "#/components/schemas/RichTextNode"}}


class ItemSchema(OpenApiSerializerExtension):
    """An item (list shape, detail, expanded link): only what `fields=` cannot drop is
    required (`always_present`), and the component says so (`schema_note`)."""

    target_class = "shapes.serializers.ContentListSerializer"
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        schema = plain_schema(auto_schema, self.target, direction)
        always = self.target.always_present
        properties = schema["properties"]
        schema["required"] = [name for name in always if name in properties]
        schema["properties"] = {**{name: properties[name] for name in always}, **properties}
        note = self.target.schema_note
        if note:
            schema["description"] = f"{schema.get('description', '')}\n\n{note}".strip()
            schema["properties"].update(FALLBACK_MARKERS)
        return schema


class RelationFieldSchema(OpenApiSerializerFieldExtension):
    """A relation: an array of links, a `oneOf` by `type` where it points at several types."""

    target_class = "shapes.serializers.RelationField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        links = self.target.link_serializers()
        if len(links) == 1:
            (link,) = links.values()
        else:
            link = discriminated(self.target.link_component_name(), links)
        return build_array_type(auto_schema.resolve_serializer(link, direction).ref)


class SchemaOrgFieldSchema(OpenApiSerializerFieldExtension):
    target_class = SchemaOrgField

    def map_serializer_field(self, auto_schema, direction):
        return auto_schema.resolve_serializer(schema_org_serializer(), direction).ref


class CampaignSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.SlugField()
    name = serializers.CharField()
    subject = serializers.CharField()
    preheader = serializers.CharField(allow_blank=True)
    api_url = serializers.URLField(help_text="The campaign as an email: subject, html, text.")
    feed_url = serializers.URLField(help_text="Its items as RSS, for RSS-driven campaigns.")
    last_published_at = serializers.DateTimeField(allow_null=True)


# The website's structure (api/channels/site.py builds these) ------------------------------------

HOME, SECTION = "home", "section"


class SitePageTypeField(NamedEnumField):
    """What a page of the website's structure is: the home page, a section (a page listing
    items of a type), or an item of a registered type; read when the document is built."""

    def __init__(self, **kwargs):
        super().__init__("SitePageTypeEnum", (), **kwargs)

    @property
    def choices(self):
        return {name: name for name in (HOME, SECTION, *ITEM_TYPES)}

    @choices.setter
    def choices(self, choices):
        pass  # always the registry's


class BreadcrumbSerializer(serializers.Serializer):
    """An ancestor of a page on the website: its title and path."""

    title = serializers.CharField()
    path = serializers.CharField(help_text="Its path on the website, e.g. /conditions/.")
    url = serializers.URLField(help_text="The page on the website (WEBSITE_BASE_URL).")


class SectionSummarySerializer(serializers.Serializer):
    """A section of the website: the page that lists the items of one type."""

    id = serializers.IntegerField()
    type = NamedEnumField("SectionTypeEnum", [SECTION])
    title = serializers.CharField()
    path = serializers.CharField(help_text="Its path on the website, e.g. /conditions/.")
    url = serializers.URLField(help_text="The page on the website (WEBSITE_BASE_URL).")
    intro = serializers.CharField(allow_blank=True, help_text="Shown above its list.")
    item_type = ItemTypeChoiceField(help_text="The type of the items it lists.")
    api_url = serializers.URLField(help_text="Its items as this API's collection.")


class HomeSerializer(serializers.Serializer):
    """The website's home page (`/`): its intro and its sections, in the editors' order."""

    id = serializers.IntegerField()
    type = NamedEnumField("HomeTypeEnum", [HOME])
    title = serializers.CharField()
    path = serializers.CharField(help_text="/")
    url = serializers.URLField(help_text="The page on the website (WEBSITE_BASE_URL).")
    intro = serializers.CharField(allow_blank=True)
    last_published_at = serializers.DateTimeField(allow_null=True)
    sections = SectionSummarySerializer(many=True)


class SectionSerializer(SectionSummarySerializer):
    """A section page (e.g. `/conditions/`): its intro, its breadcrumbs and one page of its
    public items (`limit`, `offset`) in the editors' order, in the channel's list shape."""

    breadcrumbs = BreadcrumbSerializer(many=True, help_text="Its public ancestors, home first.")
    last_published_at = serializers.DateTimeField(allow_null=True)
    # Declared per channel by `section_serializer`; built by the answer, which appends it.
    items = serializers.JSONField(required=False)


def section_serializer(component_name, list_serializers_by_model):
    """SectionSerializer in one channel: `items` a list envelope of that channel's list shapes."""
    items = paged(
        f"{component_name}Items",
        items_of_any_type(f"{component_name}Item", list_serializers_by_model, many=True),
    )
    fields = {**declared_fields(SectionSerializer), "items": items}
    return schema_serializer(component_name, fields, SectionSerializer.__doc__)


class MenuPageSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    type = SitePageTypeField()
    title = serializers.CharField()
    path = serializers.CharField(help_text="Its path on the website.")
    url = serializers.URLField(help_text="The page on the website (WEBSITE_BASE_URL).")


class MenuItemSerializer(MenuPageSerializer):
    children = MenuPageSerializer(
        many=True, help_text="Its public children shown in menus, in the editors' order."
    )


class NavigationSerializer(serializers.Serializer):
    """The website's menu: the home page, and its public children that editors show in menus
    (Promote tab, "Show in menus"), each with its own such children, in the editors' order."""

    home = MenuPageSerializer(allow_null=True, help_text="null while the home page is not public.")
    items = MenuItemSerializer(many=True)


class SitemapEntrySerializer(serializers.Serializer):
    type = SitePageTypeField()
    path = serializers.CharField(help_text="Its path on the website.")
    url = serializers.URLField(help_text="Its URL on the website (WEBSITE_BASE_URL): <loc>.")
    lastmod = serializers.DateTimeField(
        allow_null=True,
        help_text="When what the public sees of it last changed (the change record): <lastmod>; "
        "null for a page with no known date (never published through the admin).",
    )
    locale = serializers.CharField(help_text="Its language.")
    alternates = AlternateSerializer(
        many=True, help_text="Every language version, itself included: hreflang links."
    )


def sitemap_serializer():
    return paged(
        "Sitemap",
        SitemapEntrySerializer(many=True),
        "Every public page of the website in path order, a page of the sitemap at a time.",
    )


def site_pages_by_channel(component_name, details_by_channel, lists_by_channel):
    """What path lookup answers in either channel: an item's detail, a section (its items in
    the channel's list shape) or the home page, told apart by `type`."""

    def one(channel, suffix):
        by_type = {
            registry.of(model).name: serializer
            for model, serializer in details_by_channel[channel].items()
        }
        by_type[SECTION] = section_serializer(f"Section{suffix}", lists_by_channel[channel])
        by_type[HOME] = HomeSerializer
        return discriminated(f"{component_name}{suffix}", by_type)

    return by_channel(component_name, one("web", "Web"), one("app", "App"))
