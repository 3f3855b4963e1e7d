"""The one place that reaches into Django REST framework's and drf-spectacular's internals
(tests/shapes/test_drf_adapter.py fails loudly when an upgrade moves them).

- `declared_fields`: a serializer class's fields as declared, in order, without building an
  instance (DRF's public `fields` deep-copies every field of a new instance).
- `with_declared_fields`: a serializer class whose fields come in the order given (DRF orders
  them by creation), for shapes whose keys are not Python names (JSON-LD's `@type`).
- `plain_schema`: drf-spectacular's own mapping of a serializer, under the extension that
  adjusts it (an extension cannot otherwise ask for the default).
"""


def declared_fields(serializer_class):
    """{name: field} of `serializer_class` (and its bases), in declaration order."""
    return serializer_class._declared_fields


def with_declared_fields(serializer_class, fields):
    """`serializer_class`, its fields set to `fields` ({name: field}) in that order."""
    serializer_class._declared_fields = dict(fields)
    return serializer_class


def plain_schema(auto_schema, serializer, direction):
    """The component drf-spectacular maps `serializer` to, bypassing extensions."""
    return auto_schema._map_serializer(serializer, direction, bypass_extensions=True)
