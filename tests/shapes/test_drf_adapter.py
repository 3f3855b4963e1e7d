"""shapes/drf.py reaches into DRF's and drf-spectacular's internals: these fail loudly when an
upgrade moves what it relies on."""

from drf_spectacular.generators import SchemaGenerator
from rest_framework import serializers

from shapes.drf import declared_fields, plain_schema, with_declared_fields
from shapes.schema import FALLBACK_MARKERS, ItemSchema


class Base(serializers.Serializer):
    first = serializers.CharField()


class Child(Base):
    second = serializers.IntegerField()


def test_declared_fields_are_the_classes_fields_in_order_with_their_bases():
    fields = declared_fields(Child)
    assert list(fields) == ["first", "second"]
    assert list(fields) == list(Child().fields)  # what DRF's public API builds per instance
    assert isinstance(fields["second"], serializers.IntegerField)


def test_fields_set_in_an_order_are_serialized_and_documented_in_that_order():
    late = serializers.CharField()
    early = serializers.CharField()  # created after `late`: DRF would put it second
    shape = with_declared_fields(
        type("Ordered", (serializers.Serializer,), {"@b": late, "a": early}),
        {"@b": late, "a": early},
    )
    assert list(shape({"@b": "x", "a": "y"}).data) == ["@b", "a"]
    assert list(declared_fields(shape)) == ["@b", "a"]


def test_plain_schema_is_drf_spectacular_s_mapping_without_the_extension(db, monkeypatch):
    document = SchemaGenerator().get_schema(request=None, public=True)
    item = document["components"]["schemas"]["ConditionList"]
    assert item["required"] == ["id", "type"]  # the extension's doing
    plain = {}
    original = ItemSchema.map_serializer

    def probe(extension, auto_schema, direction):
        name = extension.target.__class__.__name__
        plain[name] = plain_schema(auto_schema, extension.target, direction)
        return original(extension, auto_schema, direction)

    monkeypatch.setattr(ItemSchema, "map_serializer", probe)
    SchemaGenerator().get_schema(request=None, public=True)
    condition = plain["ConditionListSerializer"]
    # the extension adds what the read path marks a fallback item with
    assert set(condition["properties"]) == set(item["properties"]) - set(FALLBACK_MARKERS)
    assert "slug" in condition["required"]  # drf-spectacular requires every read-only field
