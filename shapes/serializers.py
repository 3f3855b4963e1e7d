"""The shapes of an item: each type's list and detail serializers (shapes/types/) build on the
ones here, and api/views document them. Fed by shapes.relations and pages.selectors.

List item (every collection)::

    {"id": 12, "type": "condition", "slug": "neuropathic-pain", "title": "Neuropathic pain",
     "summary": "...", "url": "https://www.../conditions/neuropathic-pain/",
     "api_url": "https://api.../api/v1/conditions/neuropathic-pain/", "revision_id": 40,
     "first_published_at": "...", "last_published_at": "...", "hero_image": {...} | null,
     "review_status": "current",
     "causes": [{"id": 5, "type": "cause", "slug": "...", "title": "...", "url": "...",
                 "api_url": "...", "is_most_common": true, "prevalence": "...", "note": ""}]}

Detail adds `body`, the type's structured fields, `medical_review`, `references`, `codes`,
`disclaimer`, `seo` and `schema_org`. The shapes of nested values are documented in
shapes/schema.py, which also teaches drf-spectacular that `fields=` may drop any property but
`id` and `type`.
"""

import copy
from functools import cache

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from pages.selectors import Visibility, snippet_is_public
from shapes import registry, schema
from shapes.blocks import stream_value
from shapes.build import build
from shapes.drf import declared_fields
from shapes.relations import attach_language_versions, expandable
from shapes.representation import (
    APP,
    WEB,
    alternates,
    api_url,
    breadcrumbs,
    code_representation,
    disclaimer_representation,
    image_representation,
    linked_page_ids,
    page_reference,
    record_default_disclaimer,
    record_dependencies,
    record_mentions,
    reference_representation,
    rich_text_value,
    stream_linked_page_ids,
    translated_snippets,
    website_url,
)
from shapes.schema_org import build_schema_org

ALWAYS_FIELDS = ("id", "type")
DETAIL, LIST = "detail", "list"  # the two shapes of an item


depends_on = record_dependencies  # what a representation shows: its surrogate keys


def public_links(context, links, target):
    """The `links` whose snippet `target` the public may see, each showing it in the item's
    language (its public translation where there is one: a copy of the link). Every linked
    snippet is a dependency, shown or not (a hidden one only as a mention): publishing it must
    reach the item."""
    links = list(links)
    depends_on(context, *(getattr(link, target) for link in links))
    public = [link for link in links if snippet_is_public(getattr(link, target))]
    shown = translated_snippets(
        [getattr(link, target) for link in public], context.get("visibility"), context
    )
    found = []
    for link, snippet in zip(public, shown, strict=True):
        if snippet is not getattr(link, target):
            link = copy.copy(link)
            setattr(link, target, snippet)
        found.append(link)
    return found


ANNOTATION_FIELDS = {
    "is_most_common": serializers.BooleanField,
    "prevalence": serializers.CharField,
    "note": serializers.CharField,
    "efficacy_caveat": serializers.CharField,
    "label": serializers.CharField,
}


class RelationField(serializers.Field):
    """The relation of the same name (declared in the type's registration) as flat references
    plus link annotations. (`expand=<name>` puts the related items' stored list shapes in the
    references' place, with the same annotations: api/serving/read_path.py.)"""

    def __init__(self):
        super().__init__(source="*", read_only=True)

    @property
    def relation(self):
        return expandable(self.parent.model)[self.field_name]

    def to_representation(self, page):
        return [
            self.parent.link_representation(link, self.relation)
            for link in getattr(page, self.relation.attr)
        ]

    def link_serializers(self):
        """Schema: {type: serializer} of the links, one per page type the relation points at."""
        owner, channel = self.parent.model, self.parent.channel
        return {
            registry.of(target).name: link_serializer(owner, self.relation, target, channel)
            for target in self.relation.target_models
        }

    def link_component_name(self):
        name = f"{registry.of(self.parent.model).name.title()}{self.relation.name.title()}Link"
        return name + CHANNEL_SUFFIX[self.parent.channel]


CHANNEL_SUFFIX = {WEB: "", APP: "App"}  # of the component names of each channel's shapes


@cache
def link_serializer(owner, relation, target, channel=WEB):
    """Documents one link of `owner`'s `relation` to a `target` page: the target's list shape
    in `channel` (with `expand=`) of which the reference's keys and the annotations are always
    present."""
    kind, owner_kind = registry.of(target).name, registry.of(owner).name
    name = f"{owner_kind.title()}{relation.name.title()}"
    name += f"{kind.title()}Link" if relation.mixed else "Link"
    name += CHANNEL_SUFFIX[channel]
    annotations = {key: ANNOTATION_FIELDS[key]() for key in relation.annotations}
    doc = (
        f"A {kind} this {owner_kind} links to (`{relation.name}`): its reference "
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
    return type(f"{name}Serializer", (serializer_for(target, LIST, channel),), attributes)


class ItemTypeField(schema.NamedEnumField):
    """The item's `type`, documented as a constant per item schema (e.g. ConditionType)."""

    def __init__(self):
        super().__init__(None, schema.ITEM_TYPES, source="*", read_only=True)

    def to_representation(self, page):
        return registry.of(type(page)).name

    def enum_component(self):
        kind = registry.of(self.parent.model).name
        return f"{kind.title()}Type", [kind]


@extend_schema_field(OpenApiTypes.STR)
class RichTextField(serializers.Field):
    """Database rich text in the context's channel: client HTML, or the app's tree of nodes
    (shapes.representation.rich_text_value)."""

    def __init__(self):
        super().__init__(read_only=True)

    def to_representation(self, html):
        return rich_text_value(html, self.context.get("visibility"), self.context)


@extend_schema_field(schema.RICH_TEXT_TREE)
class AppRichTextField(RichTextField):
    """The app channel's rich text: documented as a tree of nodes."""


class ContentListSerializer(serializers.Serializer):
    """The list shape shared by every type, whole: `fields=` and `expand=` are applied to the
    stored bytes (api/serving/read_path.py)."""

    id = serializers.IntegerField(source="pk", read_only=True)
    type = ItemTypeField()
    slug = serializers.SlugField(read_only=True)
    title = serializers.CharField(read_only=True)
    summary = serializers.CharField(read_only=True)
    url = serializers.SerializerMethodField()
    api_url = serializers.SerializerMethodField()
    revision_id = serializers.IntegerField(source="live_revision_id", read_only=True)
    # null only in the preview of a page never published (api/views/preview.py)
    first_published_at = serializers.DateTimeField(read_only=True, allow_null=True)
    last_published_at = serializers.DateTimeField(read_only=True, allow_null=True)
    hero_image = serializers.SerializerMethodField()
    review_status = serializers.SerializerMethodField()
    locale = serializers.SerializerMethodField()
    translation_status = serializers.SerializerMethodField()

    model = None
    channel = WEB  # the shape's channel (shapes.represent builds the context's to match)
    # OpenAPI (api.http.schema.ItemSchema): what `fields=` cannot drop, and the component's note.
    always_present = ALWAYS_FIELDS
    schema_note = (
        "`id` and `type` are always present. Any other property may be left out by `fields=` "
        "(sparse fieldsets), so none of them is required."
    )

    @classmethod
    def field_names(cls):
        return set(declared_fields(cls))

    @property
    def visibility(self):
        return self.context["visibility"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, page):
        return website_url(page, self.visibility)

    @extend_schema_field(OpenApiTypes.URI)
    def get_api_url(self, page):
        return api_url(page, visibility=self.visibility)

    @extend_schema_field(schema.ListImageSerializer(allow_null=True))
    def get_hero_image(self, page):
        depends_on(self.context, page.hero_image)
        return image_representation(
            page.hero_image, page.hero_image_alt, context=self.context, srcset=False
        )

    @extend_schema_field(serializers.ChoiceField(choices=schema.REVIEW_STATUSES))
    def get_review_status(self, page):
        return page.review_status()

    @extend_schema_field(serializers.ChoiceField(choices=schema.LANGUAGES))
    def get_locale(self, page):
        """The item's language."""
        return self.visibility.language_of(page.locale_id)

    @extend_schema_field(
        serializers.ChoiceField(choices=schema.TRANSLATION_STATUSES, allow_null=True)
    )
    def get_translation_status(self, page):
        """null for content in the language it was written in; for a translation, `current`
        (it matches its source as published) or `outdated` (the source was published again
        since it was made or last reviewed)."""
        return page.translation_status

    def to_representation(self, page):
        depends_on(self.context, page)
        return self.full_representation(page)

    def full_representation(self, page):
        return super().to_representation(page)

    def link_representation(self, link, relation):
        target = getattr(link, relation.target)
        depends_on(self.context, target)
        model = type(target) if registry.of(type(target)) else target.specific_class
        data = page_reference(target, self.visibility, model=model)
        for name in relation.annotations:
            data[name] = getattr(link, name)
        return data


class ContentDetailMixin(serializers.Serializer):
    breadcrumbs = serializers.SerializerMethodField()
    body = serializers.SerializerMethodField()
    medical_review = serializers.SerializerMethodField()
    references = serializers.SerializerMethodField()
    codes = serializers.SerializerMethodField()
    disclaimer = serializers.SerializerMethodField()
    seo = serializers.SerializerMethodField()
    schema_org = serializers.SerializerMethodField()

    @extend_schema_field(schema.SchemaOrgField())
    def get_schema_org(self, page):
        return {}  # built in full_representation from the whole item (see shapes.schema_org)

    @classmethod
    def linked_ids(cls, page):
        """Ids of the pages the detail's rich text and choosers link to (no query)."""
        ids = set()
        for name in registry.of(type(page)).streams:
            ids |= stream_linked_page_ids(getattr(page, name).raw_data)
        for name, field in declared_fields(cls).items():
            if isinstance(field, RichTextField):
                ids |= linked_page_ids(getattr(page, name))
        return ids

    def preload_links(self, page):
        """Check, in one query, the visibility of every page the detail's rich text and
        choosers link to (instead of one query per field or block; shapes.represent looks up
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
        data["schema_org"] = build_schema_org(data, registry.of(self.model).schema_org)
        # The list shape's keys first, in their order, then the detail's own.
        first = [name for name in declared_fields(ContentListSerializer) if name in data]
        return {**{name: data[name] for name in first}, **data}

    @extend_schema_field(schema.ImageSerializer(allow_null=True))
    def get_hero_image(self, page):
        depends_on(self.context, page.hero_image)
        return image_representation(page.hero_image, page.hero_image_alt, context=self.context)

    @extend_schema_field(schema.BreadcrumbSerializer(many=True))
    def get_breadcrumbs(self, page):
        """Its public ancestors, home first: a site's breadcrumb trail."""
        visibility = self.context.get("visibility") or Visibility.load()
        return breadcrumbs(page, visibility, self.context)

    @extend_schema_field(schema.BODY)
    def get_body(self, page):
        return stream_value(page.body, self.context)

    @extend_schema_field(schema.MedicalReviewSerializer())
    def get_medical_review(self, page):
        reviewer = page.reviewed_by
        depends_on(self.context, reviewer)
        shown = reviewer and build(schema.ReviewerSerializer, reviewer)
        if reviewer is not None and not self.visibility.is_default_language:
            # the credentials and job title in the item's language (one query)
            credentials, job_title = reviewer.in_language(page.locale_id)
            shown = {**shown, "credentials": credentials, "job_title": job_title}
        return build(
            schema.MedicalReviewSerializer, page, reviewed_by=shown, status=page.review_status()
        )

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
        (disclaimer,) = translated_snippets([disclaimer], self.visibility, self.context)
        return disclaimer_representation(disclaimer, self.context.get("visibility"), self.context)

    @extend_schema_field(schema.SeoSerializer())
    def get_seo(self, page):
        return build(
            schema.SeoSerializer,
            title=page.seo_title or page.title,
            description=page.search_description or page.summary,
            canonical_url=website_url(page, self.visibility),
            alternates=self.alternates(page),
        )

    def alternates(self, page):
        """The page's public versions in every language, itself included (hreflang): each is a
        dependency, and every version a mention (one published later must appear)."""
        if not hasattr(page, "language_versions"):  # a draft previewed: its versions alone
            attach_language_versions([page], self.visibility)
        versions = page.language_versions
        record_mentions(self.context, [row["pk"] for row in versions])
        depends_on(self.context, *(row["pk"] for row in versions if row["public"]))
        return alternates(versions, self.visibility, own=page.pk)


class AppChannel:
    """The app channel's version of a shape: rich text as a tree of nodes and images with a
    rendition per screen density (shapes.representation); everything else as the website's."""

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


@cache
def app_variant(serializer):
    """`serializer`'s shape in the app channel (component `<Name>App`)."""
    fields = {
        name: AppRichTextField()
        for name, field in declared_fields(serializer).items()
        if isinstance(field, RichTextField)
    }
    doc = f"{serializer.__doc__.strip()}\n\n{APP_CHANNEL_NOTE}"
    name = serializer.__name__.removesuffix("Serializer") + "AppSerializer"
    return type(name, (AppChannel, serializer), {**fields, "__doc__": doc})


def serializer_for(model, shape, channel=WEB):
    """The serializer of `model`'s `shape` (LIST or DETAIL) in `channel`."""
    item_type = registry.of(model)
    web = item_type.detail_serializer if shape == DETAIL else item_type.list_serializer
    return web if channel == WEB else app_variant(web)


def serializers_by_model(shape, channel=WEB):
    """{model: serializer} of every registered type's `shape` in `channel`."""
    return {model: serializer_for(model, shape, channel) for model in registry.models()}


def serializers_by_channel(shape):
    """{channel: {model: serializer}} of every registered type's `shape` (the OpenAPI
    document's items of any type, in either channel's shape)."""
    return {channel: serializers_by_model(shape, channel) for channel in (WEB, APP)}
