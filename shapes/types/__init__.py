"""The clinic's content types, registered in this order: the order of the `type` enum and of
the collections in the OpenAPI document."""

from shapes.registry import register
from shapes.types.causes import CAUSE
from shapes.types.conditions import CONDITION
from shapes.types.therapies import THERAPY
from shapes.types.treatments import TREATMENT


def register_types():
    for item_type in (CONDITION, CAUSE, TREATMENT, THERAPY):
        register(item_type)
