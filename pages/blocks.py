"""StreamField blocks for page bodies and structured sections.

Blocks that hold choosers shape their own API value (`get_api_representation`), so API views never
need to know block internals.
"""

from wagtail import blocks
from wagtail.images.blocks import ImageBlock
from wagtail.snippets.blocks import SnippetChooserBlock

RICH_TEXT_FEATURES = ["h3", "h4", "bold", "italic", "ol", "ul", "link", "document-link"]


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
    text = blocks.RichTextBlock(features=RICH_TEXT_FEATURES)

    class Meta:
        icon = "warning"
        template = "blocks/callout.html"


class EvidenceClaimBlock(blocks.StructBlock):
    """A claim about efficacy or speed, tied to the references that support it."""

    claim = blocks.RichTextBlock(features=["bold", "italic", "link"])
    references = blocks.ListBlock(
        SnippetChooserBlock("pages.Reference"),
        min_num=1,
        help_text="Every claim needs the evidence that supports it.",
    )

    class Meta:
        icon = "doc-full"
        label = "Claim with evidence"
        template = "blocks/evidence_claim.html"


class BodyBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(features=RICH_TEXT_FEATURES, icon="pilcrow")
    image = ImageBlock()
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
        blocks.PageChooserBlock(page_type="pages.CausePage"),
        required=False,
        help_text="The underlying causes this step treats (links to cause pages).",
    )
    symptoms = blocks.ListBlock(
        SnippetChooserBlock("pages.Symptom"),
        required=False,
        help_text="The symptoms this step relieves.",
    )

    class Meta:
        icon = "list-ol"
        label = "Treatment approach step"


class TreatmentApproachBlock(blocks.StreamBlock):
    step = TreatmentApproachStepBlock()
