"""The API value of StreamField blocks (pages/blocks.py declares them; this module says what
the API shows of each): rich text as client HTML or the app's tree, chosen snippets and pages
only while public, images with their renditions. Every block a value shows is recorded as a
dependency of the item (shapes.representation.record_dependencies).

`stream_value` walks a stream itself, block by block, as Wagtail's `get_api_representation`
would, asking `VALUES` for each block's value by the block's class (its nearest class there);
a block of no class there gives Wagtail's own value (`get_prep_value`)."""

from wagtail import blocks
from wagtail.models import Page

from pages.blocks import (
    HeadingBlock,
    LinkedRichTextBlock,
    PublicPageChooserBlock,
    ReferenceChooserBlock,
    RenditionImageBlock,
    SymptomChooserBlock,
    TreatmentApproachStepBlock,
)
from pages.renditions import BODY
from pages.selectors import Visibility, snippet_is_public
from shapes import schema
from shapes.build import build
from shapes.representation import (
    image_representation,
    page_reference,
    record_dependencies,
    record_mentions,
    reference_representation,
    rich_text_value,
    snippet_in_language,
)


def stream_value(stream, context):
    """The API value of a StreamField's value: [{"type", "value", "id"}] in order."""
    return block_value(stream.stream_block, stream, context)


def block_value(block, value, context):
    for kind in type(block).__mro__:
        if kind in VALUES:
            return VALUES[kind](block, value, context)
    return block.get_api_representation(value, context)


def stream_block_value(block, value, context):
    if value is None:  # as Wagtail: an empty stream
        return []
    return [
        {
            "type": child.block.name,
            "value": block_value(child.block, child.value, context),
            "id": child.id,
        }
        for child in value
    ]


def struct_value(block, value, context):
    return {
        name: block_value(block.child_blocks[name], child, context) for name, child in value.items()
    }


def list_value(block, value, context):
    return [block_value(block.child_block, item, context) for item in value]


def linked_rich_text_value(block, value, context):
    visibility = (context or {}).get("visibility")
    return rich_text_value(value.source if value else "", visibility, context)


def reference_value(block, value, context):
    record_dependencies(context, value)
    if not snippet_is_public(value):
        return None
    return reference_representation(snippet_in_language(value, context))


def symptom_value(block, value, context):
    if value is None:
        return None
    record_dependencies(context, value)
    if not snippet_is_public(value):
        return None
    return build(schema.SymptomSerializer, snippet_in_language(value, context))


def public_references(pages, context=None):
    """Flat references for `pages`, None in place of each page the public may not see (the
    public ones are recorded in `context`: see `record_dependencies`). In a translation, a
    chosen page that is not public as it is shows as its public version in the item's
    language (Translate copies the source's choices)."""
    visibility = (context or {}).get("visibility") or Visibility.load()
    ids = [page.pk for page in pages if page is not None]
    record_mentions(context, ids)
    public = visibility.public_url_paths(ids)
    shown = {page.pk: page for page in pages if page is not None and page.pk in public}
    shown.update(versions_in_language([pk for pk in ids if pk not in public], visibility))
    record_dependencies(context, *(page.pk for page in shown.values()))
    return [
        page_reference(shown[page.pk], visibility, model=shown[page.pk].specific_class)
        if page is not None and page.pk in shown
        else None
        for page in pages
    ]


def versions_in_language(page_ids, visibility):
    """{id: its public version in `visibility`'s language (a Page)} of the pages among
    `page_ids` that have one (none to look up in the default language)."""
    if not page_ids or visibility.is_default_language:
        return {}
    found = visibility.link_versions(page_ids)
    rows = Page.objects.filter(pk__in={facts[-1] for facts in found.values()})
    versions = {page.pk: page for page in rows}
    return {pk: versions[facts[-1]] for pk, facts in found.items() if facts[-1] in versions}


def public_page_value(block, value, context):
    return public_references([value], context)[0]


def image_value(block, value, context):
    if value is None:
        return None
    record_dependencies(context, value)
    decorative = bool(getattr(value, "decorative", False))
    data = image_representation(
        value, "" if decorative else value.contextual_alt_text, BODY, context
    )
    data["decorative"] = decorative
    return data


def heading_value(block, value, context):
    """A heading's level as a number (2, 3), as a rich-text heading node says it."""
    return build(
        schema.HeadingBlockValueSerializer, text=value["text"], level=int(value["level"][1:])
    )


def treatment_step_value(block, value, context):
    data = {
        name: block_value(block.child_blocks[name], value[name], context)
        for name in ("aim", "heading", "description", "symptoms")
    }
    # One visibility lookup for all the step's causes; non-public ones are dropped.
    data["causes"] = [ref for ref in public_references(value["causes"], context) if ref]
    return data


VALUES = {
    blocks.StreamBlock: stream_block_value,
    blocks.StructBlock: struct_value,
    blocks.ListBlock: list_value,
    HeadingBlock: heading_value,
    LinkedRichTextBlock: linked_rich_text_value,
    ReferenceChooserBlock: reference_value,
    SymptomChooserBlock: symptom_value,
    PublicPageChooserBlock: public_page_value,
    RenditionImageBlock: image_value,
    TreatmentApproachStepBlock: treatment_step_value,
}
