"""The content types the API serves, each registered ONCE.

A type is a Wagtail page model plus one `register(ItemType(...))` (shapes/types/ holds the
clinic's four). Every door that lists types reads this registry: the collections and their
routes, filters, search, path lookup, sync, feeds, email, previews, webhooks, the change record
and the OpenAPI document. A new type is a model, its migration and one registration, with no
edit to the API's code.

    condition = of(ConditionPage)
    condition.name, condition.collection   # "condition", "conditions"
    [t.model for t in item_types()]        # in registration order
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured

# Every item's `type`, in registration order. drf-spectacular names this enum ItemTypeEnum
# (cms/settings/base.py points its ENUM_NAME_OVERRIDES here), so it is filled in place.
ITEM_TYPE_NAMES = []

_TYPES = []


@dataclass(frozen=True)
class RelationFilter:
    """`?<name>=<slug>`: items whose relation `relation` links to the public item (or snippet)
    with that slug; `target` picks one type where the relation points at several."""

    relation: str
    example: str  # a slug of the seed content, shown in the filter's description
    target: type | None = None


@dataclass(frozen=True)
class ChoiceFilter:
    """`?<name>=<value>`: items whose model field `<name>` holds one of the field's choices."""

    example: str


@dataclass(frozen=True)
class SchemaOrgAbout:
    """What an item's JSON-LD page is `about`: `build(detail) -> dict` from the item's detail
    representation, documented by `nodes` ({schema.org @type: serializer}, one per @type it
    may build). `mentions(detail) -> list`, where given, adds the page's `mentions`."""

    build: Callable
    nodes: dict
    mentions: Callable | None = None


@dataclass(frozen=True)
class EmailSection:
    """One part of an item's email (templates/email/sections/<kind>.html) showing the detail's
    property `field`, under `heading` (None: no heading)."""

    kind: str
    field: str
    heading: str | None = None  # lazy: said in the language the email is rendered in


@dataclass(frozen=True, eq=False)  # one object per type: compared and hashed by identity
class ItemType:
    model: type  # the page model
    name: str  # every item's `type`, e.g. "condition"
    collection: str  # "conditions": /api/v1/conditions/, its feeds and its surrogate key
    list_serializer: type  # the list shape (lists, search, expansions) in the web channel
    detail_serializer: type  # the detail shape in the web channel
    example_slug: str  # the documented example of a detail (a slug of the seed content)
    schema_org: SchemaOrgAbout
    relations: tuple = ()  # page relations (shapes.relations.Relation), expandable
    snippet_relations: tuple = ()  # snippets its list shape shows through link rows
    detail_prefetch: tuple = ()  # prefetch_related lookups of the detail's own rows
    streams: tuple = ("body",)  # the StreamFields its detail shows
    filters: dict = field(default_factory=dict)  # {query parameter: RelationFilter | ChoiceFilter}
    email_sections: tuple = ()  # EmailSection, in order: what its email shows besides the
    # header, the call to action, the safety information, the references and the disclaimer


def register(item_type):
    """Add `item_type`: its name, collection and model unique, its declarations consistent
    (an ImproperlyConfigured error names what is wrong, at start-up)."""
    check(item_type)
    taken = [
        f"{attribute} {getattr(item_type, attribute)!r} is registered already (by "
        f"{other.model.__name__})"
        for other in _TYPES
        for attribute in ("name", "collection", "model")
        if getattr(other, attribute) == getattr(item_type, attribute)
    ]
    if taken:
        raise ImproperlyConfigured(f"{item_type.model.__name__}: {'; '.join(taken)}.")
    _TYPES.append(item_type)
    ITEM_TYPE_NAMES.append(item_type.name)
    return item_type


def check(item_type):
    """What a registration must hold together: its serializers are the model's and show each
    page relation (as a field of the relation's name), and its filters name its relations."""
    name = item_type.model.__name__
    problems = []
    for serializer in (item_type.list_serializer, item_type.detail_serializer):
        if serializer.model is not item_type.model:
            problems.append(f"{serializer.__name__}.model is not {name}")
        fields = serializer.field_names()
        problems += [
            f"{serializer.__name__} has no field `{relation.name}` (a RelationField)"
            for relation in item_type.relations
            if relation.name not in fields
        ]
    relations = {r.name for r in (*item_type.relations, *item_type.snippet_relations)}
    problems += [
        f"filter `{parameter}` names no relation `{declaration.relation}`"
        for parameter, declaration in item_type.filters.items()
        if isinstance(declaration, RelationFilter) and declaration.relation not in relations
    ]
    if problems:
        raise ImproperlyConfigured(f"The registration of {name}: {'; '.join(problems)}.")


def item_types():
    return tuple(_TYPES)


def models():
    """The registered page models, in registration order."""
    return tuple(item_type.model for item_type in _TYPES)


def of(model):
    """The ItemType of `model` (a registered page model); None for any other class."""
    for item_type in _TYPES:
        if item_type.model is model:
            return item_type
    return None


def named(name):
    """The ItemType whose items have `type` `name`; None if there is none."""
    for item_type in _TYPES:
        if item_type.name == name:
            return item_type
    return None


def in_collection(collection):
    """The ItemType of the collection `collection`; None if there is none."""
    for item_type in _TYPES:
        if item_type.collection == collection:
            return item_type
    return None
