"""Shapes built from their one declaration.

A shape's keys, their order and their documentation are declared once, as a DRF serializer
class in shapes/schema.py (drf-spectacular reads it for the OpenAPI document). `build` fills
the same declaration from an object: each key from a value given for it, else from the
object's attribute that the field's `source` names (its own name by default). A key declared
`required=False` appears only when given. A value for a key the shape does not declare is an
error, so a built shape cannot drift from its documentation.

Why DRF serializers as the declaration, rather than pydantic models (Wagtail's API v3) or
msgspec structs: drf-spectacular documents them as they are, the views, filters and
pagination are DRF already, and the enums come from the models' choices. Why not run them to
build a value: DRF copies every field per serializer instance and converts field by field;
`build` reads a declaration once per class and then costs what a dict literal costs (refresh
and live-fallback timings: README.md, "Representing"; docs/architecture.md, "Declarations")."""

from functools import cache
from operator import attrgetter

from rest_framework.fields import DateTimeField

from shapes.drf import declared_fields


def _as_is(value):
    return value


@cache
def _plan(serializer_class):
    """((key, always present, how to read it from an object, how to write its value), ...) in
    declared order. Dates and times are written as the serializer writes them (ISO 8601, UTC as
    `Z`), as every other date of the API."""
    return tuple(
        (
            name,
            field.required,
            attrgetter(field.source or name),
            field.to_representation if isinstance(field, DateTimeField) else _as_is,
        )
        for name, field in declared_fields(serializer_class).items()
    )


@cache
def _keys(serializer_class):
    return frozenset(name for name, *_ in _plan(serializer_class))


def build(serializer_class, obj=None, /, **values):
    """`serializer_class`'s shape as a dict: `values` where given, else `obj`'s attributes."""
    if not values.keys() <= _keys(serializer_class):
        unknown = sorted(values.keys() - _keys(serializer_class))
        raise TypeError(f"{serializer_class.__name__} declares no {', '.join(unknown)}")
    data = {}
    for name, always, read, write in _plan(serializer_class):
        if name in values:
            data[name] = write(values[name])
        elif always:
            data[name] = write(read(obj))
    return data
