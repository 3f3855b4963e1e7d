"""Every relation an item shows, declared once: how to prefetch only its public rows, which link
annotations travel with each reference, and what type it points at (for `expand=`).

A list or detail query for any page type therefore costs a fixed number of SQL queries, whatever
the page size (see tests/api/test_query_budget.py).
"""

from dataclasses import dataclass

from django.db.models import Prefetch

from wagtail.images import get_image_model

from pages.models import (
    CausePage,
    ConditionCauseLink,
    ConditionPage,
    ConditionSymptomLink,
    ConditionTreatmentLink,
    TherapyPage,
    TherapyReliefLink,
    TreatmentPage,
)
from pages.renditions import HERO_RENDITIONS, rendition_specs


@dataclass(frozen=True)
class Relation:
    name: str  # JSON key, e.g. "causes"
    lookup: str  # the related manager to prefetch, e.g. "cause_links"
    link_model: type
    target: str  # attribute of a link row holding the related page, e.g. "cause"
    target_model: type  # the related page type (used for `expand=`)
    annotations: tuple = ()  # link fields copied into each reference
    ordering: tuple = ("sort_order", "pk")

    @property
    def attr(self):
        return f"public_{self.name}"

    def prefetch(self, visibility, prefix="", expand=False):
        rows = (
            self.link_model.objects.filter(
                **{f"{self.target}_id__in": visibility.ids(self.target_model)}
            )
            .select_related(self.target, *([f"{self.target}__hero_image"] if expand else []))
            .order_by(*self.ordering)
        )
        if expand:  # the related items' own relations and images, for their list shape
            rows = rows.prefetch_related(
                *item_prefetches(self.target_model, visibility, prefix=f"{self.target}__")
            )
        return Prefetch(f"{prefix}{self.lookup}", queryset=rows, to_attr=self.attr)


# A condition or cause page's therapies: the therapy pages whose `relieves` links point at it.
RELIEVED_BY_THERAPIES = Relation(
    "therapies",
    "therapy_relief_links",
    TherapyReliefLink,
    "page",
    TherapyPage,
    ("label", "note"),
    ("page__title", "page_id"),
)

RELATIONS = {
    ConditionPage: (
        Relation(
            "causes",
            "cause_links",
            ConditionCauseLink,
            "cause",
            CausePage,
            ("is_most_common", "prevalence", "note"),
        ),
        Relation(
            "treatments",
            "treatment_links",
            ConditionTreatmentLink,
            "treatment",
            TreatmentPage,
            ("note", "efficacy_caveat"),
        ),
        RELIEVED_BY_THERAPIES,
    ),
    CausePage: (
        Relation(
            "conditions",
            "condition_links",
            ConditionCauseLink,
            "page",
            ConditionPage,
            ("is_most_common", "prevalence", "note"),
            ("page__title", "page_id"),
        ),
        RELIEVED_BY_THERAPIES,
    ),
    TreatmentPage: (
        Relation(
            "conditions",
            "condition_links",
            ConditionTreatmentLink,
            "page",
            ConditionPage,
            ("note", "efficacy_caveat"),
            ("page__title", "page_id"),
        ),
    ),
    TherapyPage: (),  # `relieves` points at conditions and causes: see MIXED_RELATIONS
}

# Relations whose targets are of several page types: referenced, not expandable.
MIXED_RELATIONS = {
    TherapyPage: (
        Relation(
            "relieves",
            "relief_links",
            TherapyReliefLink,
            "target",
            ConditionPage,  # validated to be a condition or a cause page
            ("label", "note"),
        ),
    ),
}


def relations_of(model):
    return RELATIONS.get(model, ()) + MIXED_RELATIONS.get(model, ())


def expandable(model):
    return {relation.name: relation for relation in RELATIONS.get(model, ())}


def attach_hero_renditions(pages, expand=()):
    """Load the hero renditions of `pages` and of their expanded related items in ONE query
    (image rows come joined with their pages), so expansions cost only their relation rows."""
    images = []
    for page in pages:
        images.append(page.hero_image)
        for relation in RELATIONS.get(type(page), ()):
            if relation.name in expand:
                images += [
                    getattr(link, relation.target).hero_image
                    for link in getattr(page, relation.attr)
                ]
    images = [image for image in images if image is not None]
    if not images:
        return
    by_image = {}
    for rendition in (
        get_image_model()
        .get_rendition_model()
        .objects.filter(
            image_id__in={image.pk for image in images},
            filter_spec__in=rendition_specs(HERO_RENDITIONS),
        )
    ):
        by_image.setdefault(rendition.image_id, []).append(rendition)
    for image in images:
        image.prefetched_renditions = by_image.get(image.pk, [])


def item_prefetches(model, visibility, prefix="", expand=()):
    """Prefetches for the list shape of `model` items: their public relations (hero renditions:
    attach_hero_renditions)."""
    prefetches = []
    for relation in RELATIONS.get(model, ()):
        prefetches.append(relation.prefetch(visibility, prefix, expand=relation.name in expand))
    for relation in MIXED_RELATIONS.get(model, ()):
        prefetches.append(mixed_prefetch(relation, visibility, prefix))
    if model is ConditionPage:
        prefetches.append(
            Prefetch(
                f"{prefix}symptom_links",
                queryset=ConditionSymptomLink.objects.select_related("symptom").order_by(
                    "sort_order"
                ),
                to_attr="symptom_rows",
            )
        )
    return prefetches


def mixed_prefetch(relation, visibility, prefix=""):
    rows = (
        relation.link_model.objects.filter(target_id__in=visibility.ids())
        .select_related(relation.target)
        .order_by(*relation.ordering)
    )
    return Prefetch(f"{prefix}{relation.lookup}", queryset=rows, to_attr=relation.attr)
