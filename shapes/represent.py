"""The one way an item is represented: what the API serves live, what api/record/changes.py stores
and fingerprints, and what a request falls back to when no stored copy can be used.

    items = represent(ConditionPage, [12, 14], visibility, DETAIL)   # channel=WEB
    items[12].data      # the detail dict, exactly as the API renders it
    items[12].keys      # the surrogate keys of everything it shows (itself included)
    items[12].mentions  # keys of what it links to without showing: hidden pages and snippets

Always whole shapes: the read path trims them (`fields=`) and splices related items' stored
list shapes into them (`expand=`), the same way for stored and live items
(api/serving/read_path.py).
"""

from dataclasses import dataclass, field

from pages.models import Disclaimer
from pages.text_safety import clean_data
from shapes.relations import (
    attach_detail_blocks,
    attach_language_versions,
    detail_queryset,
    list_queryset,
    load_items,
)
from shapes.representation import WEB
from shapes.serializers import DETAIL, LIST, serializer_for

QUERYSETS = {DETAIL: detail_queryset, LIST: list_queryset}


@dataclass
class Represented:
    page: object
    data: dict
    keys: set  # surrogate keys: pages (the item too), snippets and images it shows
    # Keys of the pages its rich text and choosers link to, shown or not, and of the snippets
    # it links to that the public may not see (a hidden one is left out of `data` and `keys`,
    # but its publication must reach this item: api/record/changes.py). Page relations need no
    # mention: each is shown from both ends, so the other end's change reaches it.
    mentions: set = field(default_factory=set)


def serializer_context(visibility, shape, fresh=False, request=None, channel=WEB):
    """The serializers' context. `fresh`: facts read from the database, not the cache
    (background work racing a cache drop)."""
    return {
        "request": request,
        "channel": channel,
        "visibility": visibility,
        # only a detail shows the disclaimer: the page's own, else this one
        "default_disclaimer": Disclaimer.default(fresh=fresh) if shape == DETAIL else None,
        "dependencies": set(),
        "mentions": set(),
    }


def load(ids_by_model, visibility, shape):
    """The public pages among {model: ids}, with what `shape` shows attached (the relations of
    every type together: one query per link table)."""
    pages = [
        page
        for model, ids in ids_by_model.items()
        for page in QUERYSETS[shape](model, visibility).filter(pk__in=ids)
    ]
    load_items(pages, visibility)
    if shape == DETAIL:
        attach_detail_blocks(pages)
        attach_language_versions(pages, visibility)
    return pages


def represent_pages(pages, visibility, shape, fresh=False, request=None, channel=WEB):
    """{page id: Represented} for pages already loaded by `load` (any mix of types; pages
    loaded for a detail serve the list shape too), in `channel`'s shape."""
    base = serializer_context(visibility, shape, fresh, request, channel)
    if shape == DETAIL:  # whether each page they link to is public: one query for all
        visibility.preload(
            set().union(*(serializer_for(type(p), DETAIL, channel).linked_ids(p) for p in pages))
        )
    found, serializers, context = {}, {}, dict(base)
    for page in pages:
        # One serializer per type serves every page (DRF copies its fields per instance); what
        # each page shows is gathered in sets of its own.
        context["dependencies"], context["mentions"] = set(), set()
        model = type(page)
        if model not in serializers:
            serializers[model] = serializer_for(model, shape, channel)(context=context)
        data = serializers[model].to_representation(page)
        # only text, whatever the database holds (rows written before pages.text_safety)
        data = clean_data(data, keep_placeholder=True)
        found[page.pk] = Represented(page, data, context["dependencies"], context["mentions"])
    return found


def represent(model, ids, visibility, shape, fresh=False, request=None, channel=WEB):
    """{page id: Represented} for the public pages of `model` among `ids`."""
    pages = load({model: ids}, visibility, shape)
    return represent_pages(pages, visibility, shape, fresh, request, channel)


__all__ = ["load", "represent", "represent_pages"]


def keys_of(items):
    """The surrogate keys of everything `items` (Represented) show, sorted."""
    return sorted(set().union(*(item.keys for item in items)))
