"""The registry of content types (shapes/registry.py): every door reads it, so a registration
that does not hold together fails at start-up, naming what is wrong."""

from dataclasses import replace

from django.core.exceptions import ImproperlyConfigured

import pytest

from pages.models import CausePage, ConditionPage, TherapyPage, TreatmentPage
from shapes import registry
from shapes.registry import RelationFilter
from shapes.types.causes import CauseListSerializer


def test_the_clinics_four_types_are_registered_in_order():
    assert registry.models() == (ConditionPage, CausePage, TreatmentPage, TherapyPage)
    assert registry.ITEM_TYPE_NAMES == ["condition", "cause", "treatment", "therapy"]
    assert [t.collection for t in registry.item_types()] == [
        "conditions",
        "causes",
        "treatments",
        "therapies",
    ]
    assert registry.of(CausePage).name == "cause"
    assert registry.named("therapy").model is TherapyPage
    assert registry.in_collection("treatments").model is TreatmentPage
    assert registry.of(object) is registry.named("x") is registry.in_collection("x") is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"name": "cause"}, "name 'cause' is registered already"),
        ({"collection": "causes"}, "collection 'causes' is registered already"),
        ({"model": CausePage}, "ConditionListSerializer.model is not CausePage"),
        (
            {"list_serializer": CauseListSerializer},
            "CauseListSerializer.model is not ConditionPage",
        ),
        (
            {"filters": {"cause": RelationFilter("origins", "shingles")}},
            "filter `cause` names no relation `origins`",
        ),
    ],
)
def test_a_registration_that_does_not_hold_together_is_refused(change, message):
    condition = registry.of(ConditionPage)
    before = registry.item_types()
    with pytest.raises(ImproperlyConfigured, match=message):
        registry.register(replace(condition, **change))
    assert registry.item_types() == before


def test_a_relation_its_list_shape_does_not_show_is_refused():
    cause = registry.of(CausePage)
    without = type("Shapeless", (CauseListSerializer,), {"therapies": None})
    with pytest.raises(ImproperlyConfigured, match="Shapeless has no field `therapies`"):
        registry.register(replace(cause, name="x", collection="xs", list_serializer=without))
