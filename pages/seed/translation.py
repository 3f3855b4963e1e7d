"""The seed's Spanish: the medical team's job title, and the therapy page translated
(pages/seed/data.py THERAPY_ES), loaded as editors would make it (simple_translation's copy,
pages/translations.py) and left as a draft awaiting medical review, with no review recorded.
The seed never publishes a translation: only a Medical reviewer's approval does."""

from django.db import transaction

from wagtail.models import Locale

from pages import translations
from pages.models import Reviewer, ReviewerTranslation, TherapyPage
from pages.seed import data

SPANISH = "es"


def load_seed_translation():
    """The Spanish therapy page: created and submitted for medical review when missing, else as
    editors left it. None when Spanish is not a content language or the English page is gone."""
    spanish = Locale.objects.filter(language_code=SPANISH).first()
    source = TherapyPage.objects.filter(
        slug=data.THERAPY["slug"], locale=Locale.get_default()
    ).first()
    if spanish is None or source is None:
        return None, False
    reviewer = Reviewer.objects.filter(name=data.REVIEWER["name"]).first()
    if reviewer is not None:
        ReviewerTranslation.objects.get_or_create(
            reviewer=reviewer, locale=spanish, defaults=data.REVIEWER_ES
        )
    existing = source.get_translation_or_none(spanish)
    if existing is not None:
        return existing.specific, False
    with transaction.atomic():
        page = translations.copy_page(source, spanish)
        fill(page, data.THERAPY_ES)
        page.save()
        page.save_revision(log_action=True)
        page.get_workflow().start(page, user=None)
    return page, True


ROWS_AND_BLOCKS = ("contraindications", "side_effects", "claim")


def fill(page, texts):
    """The translated texts on `page`, a copy of the English (its rows in the same order)."""
    for name, value in texts.items():
        if name not in ROWS_AND_BLOCKS:
            setattr(page, name, value)
    page.body = [
        ("evidence_claim", {"claim": texts["claim"], "references": block.value["references"]})
        if block.block_type == "evidence_claim"
        else (block.block_type, block.value)
        for block in page.body
    ]
    contraindications = list(page.contraindications.all())
    for row, name in zip(contraindications, texts["contraindications"], strict=True):
        row.name = name
    side_effects = list(page.side_effects.all())
    for row, (name, examples) in zip(side_effects, texts["side_effects"], strict=True):
        row.name, row.examples = name, examples
    page.contraindications, page.side_effects = contraindications, side_effects
