"""StreamField blocks for page bodies and structured sections.

What the API shows of each block is said by shapes/blocks.py; these are the blocks as editors
use them and as the admin's website preview renders them.
"""

from collections import defaultdict

from wagtail import blocks
from wagtail.images.blocks import ImageBlock
from wagtail.snippets.blocks import SnippetChooserBlock

RICH_TEXT_FEATURES = ["h3", "h4", "bold", "italic", "ol", "ul", "link", "document-link"]


class LinkedRichTextBlock(blocks.RichTextBlock):
    """Rich text whose API value, and whose rendering in the admin's preview, is client HTML:
    links resolved to public website URLs, links to pages the public can't see unwrapped (in the
    app channel, the same as a tree of nodes: pages.structured_text).

    Templates show such a value with `{{ value.text|public_richtext }}` (shapes/templatetags/
    public_content.py), never `{{ value.text }}`, which would link every page, public or not."""

    class Meta:
        template = "blocks/rich_text.html"


class ReferenceChooserBlock(SnippetChooserBlock):
    def __init__(self, **kwargs):
        super().__init__("pages.Reference", **kwargs)

    def deconstruct(self):
        return blocks.Block.deconstruct(self)


class SymptomChooserBlock(SnippetChooserBlock):
    def __init__(self, **kwargs):
        super().__init__("pages.Symptom", **kwargs)

    def deconstruct(self):
        return blocks.Block.deconstruct(self)


class PublicPageChooserBlock(blocks.PageChooserBlock):
    """A page link whose API value is a flat page reference, or None when not public."""


class RenditionImageBlock(ImageBlock):
    """An image with its alt text; the API value carries renditions with sizes. The website's
    preview shows the API's `medium` rendition (pages/renditions.BODY_IMAGE_RENDITIONS)."""

    class Meta:
        template = "blocks/image.html"


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=200)
    level = blocks.ChoiceBlock(choices=[("h2", "Heading 2"), ("h3", "Heading 3")], default="h2")

    class Meta:
        icon = "title"
        template = "blocks/heading.html"


class CalloutBlock(blocks.StructBlock):
    tone = blocks.ChoiceBlock(
        choices=[("info", "Information"), ("warning", "Warning"), ("emergency", "Emergency")],
        default="info",
    )
    title = blocks.CharBlock(max_length=200, required=False)
    text = LinkedRichTextBlock(features=RICH_TEXT_FEATURES)

    class Meta:
        icon = "warning"
        template = "blocks/callout.html"


class EvidenceClaimBlock(blocks.StructBlock):
    """A claim about efficacy or speed, tied to the references that support it."""

    claim = LinkedRichTextBlock(features=["bold", "italic", "link"])
    references = blocks.ListBlock(
        ReferenceChooserBlock(),
        min_num=1,
        help_text="Every claim needs the evidence that supports it.",
    )

    class Meta:
        icon = "doc-full"
        label = "Claim with evidence"
        template = "blocks/evidence_claim.html"


class BodyBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = LinkedRichTextBlock(features=RICH_TEXT_FEATURES, icon="pilcrow")
    image = RenditionImageBlock()
    callout = CalloutBlock()
    evidence_claim = EvidenceClaimBlock()


class TreatmentApproachStepBlock(blocks.StructBlock):
    """One part of how a condition is treated: the underlying cause, or the symptoms."""

    aim = blocks.ChoiceBlock(
        choices=[
            ("underlying-cause", "Treat the underlying cause"),
            ("symptoms", "Treat the symptoms"),
        ]
    )
    heading = blocks.CharBlock(max_length=200)
    description = blocks.TextBlock(required=False)
    causes = blocks.ListBlock(
        PublicPageChooserBlock(page_type="pages.CausePage"),
        required=False,
        help_text="The underlying causes this step treats (links to cause pages).",
    )
    symptoms = blocks.ListBlock(
        SymptomChooserBlock(),
        required=False,
        help_text="The symptoms this step relieves.",
    )

    class Meta:
        icon = "list-ol"
        label = "Treatment approach step"


class TreatmentApproachBlock(blocks.StreamBlock):
    step = TreatmentApproachStepBlock()


def prefetch_stream_values(streams):
    """Convert the blocks of many StreamValues together: one `bulk_to_python` per block type
    across all of them (one query for the images of every body, say), where Wagtail converts
    each stream on its own. The one place that reaches into StreamValue's internals."""
    pending = defaultdict(list)  # (stream block, block type) -> [(stream, index, raw item)]
    for stream in streams:
        for index, raw in enumerate(stream._raw_data):
            if stream._bound_blocks[index] is None:
                pending[id(stream.stream_block), raw["type"]].append((stream, index, raw))
    for entries in pending.values():
        stream, _, raw = entries[0]
        child = stream.stream_block.child_blocks[raw["type"]]
        values = child.bulk_to_python([raw["value"] for _, _, raw in entries])
        for (stream, index, raw), value in zip(entries, values, strict=True):
            stream._bound_blocks[index] = stream.StreamChild(child, value, id=raw.get("id"))


def stream_images(streams):
    """The images of the image blocks in `streams` (converted: see prefetch_stream_values)."""
    return [
        child.value
        for stream in streams
        for child in stream
        if isinstance(child.block, RenditionImageBlock) and child.value is not None
    ]
