"""shapes.build: a shape built from its declaration has the declared keys, in order, and no
other (the OpenAPI document documents the same declaration)."""

from types import SimpleNamespace

import pytest
from rest_framework import serializers

from shapes import schema
from shapes.build import build


class Example(serializers.Serializer):
    name = serializers.CharField(source="full_name")
    count = serializers.IntegerField()
    note = serializers.CharField(required=False)


def test_keys_come_in_declared_order_from_sources_and_given_values():
    item = SimpleNamespace(full_name="Ketamine", count=3, note="unused")
    assert list(build(Example, item)) == ["name", "count"]
    assert build(Example, item, count=4) == {"name": "Ketamine", "count": 4}


def test_an_optional_key_appears_only_when_given():
    item = SimpleNamespace(full_name="Ketamine", count=3)
    assert build(Example, item, note="why")["note"] == "why"
    assert "note" not in build(Example, item)


def test_a_key_the_shape_does_not_declare_is_refused():
    with pytest.raises(TypeError, match="Example declares no colour"):
        build(Example, SimpleNamespace(full_name="x", count=1), colour="red")


def test_a_declared_source_is_read():
    therapy = SimpleNamespace(
        drug_name="Ketamine",
        drug_class="NMDA receptor antagonist",
        drug_background="",
        administration="Intravenous infusion",
        mechanism_target="",
    )
    drug = build(schema.DrugSerializer, therapy)
    assert drug["name"] == "Ketamine" and drug["background"] == ""
    assert list(drug) == list(schema.DrugSerializer().fields)
