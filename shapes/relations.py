"""Every relation an item shows, declared once in its type's registration (shapes/types/):
which link rows hold it, which link annotations travel with each reference, what page types it
points at (for `expand=`) and in what order.

`load_items` attaches the public relations of any number of items, of any mix of types, with ONE
query per link model (`expand=` splices in the related items' stored list shapes: the read
path, api/serving/read_path.py). A list or a detail therefore costs a fixed number of SQL queries
whatever the page size (tests/api/test_query_budget.py).
"""

from collections import defaultdict
from dataclasses import dataclass
from functools import reduce
from operator import or_
from types import SimpleNamespace

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Prefetch, Q

from modelcluster.fields import ParentalKey
from wagtail.images import get_image_model
from wagtail.models import Page
from wagtail.search import index

from pages import translations
from pages.blocks import prefetch_stream_values, stream_images
from pages.models import PageMedicalCode, PageReferenceLink
from pages.renditions import BODY_IMAGE_RENDITION_SPECS, HERO_RENDITION_SPECS
from pages.search import Link
from shapes import registry
from shapes.representation import language_versions


@dataclass(frozen=True)
class Relation:
    name: str  # JSON key, e.g. "causes"
    link_model: type
    owner: str  # the link's foreign key to the item that shows the relation, e.g. "page"
    target: str  # the link's foreign key to the related object, e.g. "cause"
    target_models: tuple  # the page types it points at; () for a snippet (always shown)
    annotations: tuple = ()  # link fields copied into each reference
    order: str = "position"  # "position": the editor's order; "title": the related page's title

    @property
    def attr(self):
        return f"public_{self.name}"

    @property
    def mixed(self):
        return len(self.target_models) > 1

    def sort_key(self, link):
        if self.order == "title":
            target = getattr(link, self.target)
            return (target.title.casefold(), target.pk)
        return (link.sort_order is None, link.sort_order or 0, link.pk)


def expandable(model):
    """{name: Relation} of the relations of `model` that `expand=` may embed."""
    return {relation.name: relation for relation in registry.of(model).relations}


def relations_of(model):
    """Every relation `model`'s list shape shows: page relations, then snippet relations."""
    item_type = registry.of(model)
    return (*item_type.relations, *item_type.snippet_relations)


def load_items(items, visibility):
    """Attach to `items` everything their list shape shows: public relation references
    (`page.public_<name>`, link rows in order), linked snippets, hero renditions and whether
    each is a current or outdated translation (`translation_status`)."""
    _load_relations(items, visibility)
    attach_hero_renditions(items)
    statuses = translations.page_statuses(items)
    for item in items:
        item.translation_status = statuses[item.pk]


def load_draft(page, visibility):
    """Attach to `page`, a draft held in memory (a revision's object, or the admin's preview
    form), what its detail shows. A draft's own relations live in it (its revision), not in the
    database's link rows: those it owns come from its in-memory links, public targets only; the
    ones shown from the other end (a condition's therapies) come from the database, as for a
    live page."""
    load_items([page], visibility)
    for relation in relations_of(type(page)):
        field = relation.link_model._meta.get_field(relation.owner)
        if not isinstance(field, ParentalKey):
            continue
        links = [
            link
            for link in getattr(page, field.remote_field.related_name).all()
            if (target := _draft_target(link, relation.target)) is not None
            and (not relation.target_models or visibility.shows(target))
        ]
        links.sort(key=lambda link: (link.sort_order is None, link.sort_order or 0, link.pk or 0))
        setattr(page, relation.attr, links)
    attach_detail_blocks([page])


def _draft_target(link, name):
    """The object a draft's link points at, or None: a revision may name a page or snippet
    deleted since it was saved."""
    if getattr(link, f"{name}_id", None) is None:
        return None
    try:
        return getattr(link, name)
    except ObjectDoesNotExist:
        return None


def _load_relations(items, visibility):
    """One query per link model for every relation of `items`: plain rows (not model instances
    with every column), each target a PageStub or, for a snippet, an unsaved snippet. In another
    language than the default, a related page shows as its translation where one is public
    (one more query per link model)."""
    parts = defaultdict(list)  # link model -> [(relation, {owner id: [owner, ...]}, versions)]
    versions = _other_versions(items, visibility)  # {version id: the item's id}
    for model in {type(item) for item in items}:
        owners = defaultdict(list)
        for item in items:
            if type(item) is model:
                owners[item.pk].append(item)
        for relation in relations_of(model):
            shown_from_the_other_end = versions and not _owned(relation)
            parts[relation.link_model].append(
                (relation, owners, versions if shown_from_the_other_end else {})
            )
    for link_model, group in parts.items():
        links = {relation: defaultdict(list) for relation, _, _ in group}
        rows = link_model.objects.filter(
            reduce(
                or_,
                (Q(**{f"{r.owner}_id__in": [*owners, *aliases]}) for r, owners, aliases in group),
            )
        )
        found = list(_light_rows(link_model, group, rows))
        pages = [getattr(link, r.target) for link in found for r, _, _ in group if r.target_models]
        translated = _translations(pages, visibility)
        for link in found:
            for relation, owners, aliases in group:
                owner_id = getattr(link, f"{relation.owner}_id")
                owner_id = aliases.get(owner_id, owner_id)
                if owner_id not in owners:
                    continue
                shown = link
                if relation.target_models:
                    target = getattr(link, relation.target)
                    translation = translated.get(target.translation_key)
                    if translation is not None:  # its version in the items' language
                        shown = SimpleNamespace(**{**vars(link), relation.target: translation})
                    elif not visibility.shows(target):
                        continue
                links[relation][owner_id].append(shown)
        for relation, owners, aliases in group:
            for owner_id, instances in owners.items():
                ordered = sorted(links[relation][owner_id], key=relation.sort_key)
                if aliases:  # a page linking the item and one of its versions shows once
                    kept = _one_per_target(relation, owner_id, links[relation][owner_id])
                    ordered = sorted(kept, key=relation.sort_key)
                for owner in instances:
                    setattr(owner, relation.attr, ordered)


def _owned(relation):
    """Does the item own the relation's link rows (edited in its own form, copied into its
    translations), rather than show them from the other end (a condition's therapies)?"""
    return isinstance(relation.link_model._meta.get_field(relation.owner), ParentalKey)


def _other_versions(items, visibility):
    """{id of a version in another language: the item's id} of `items` in another language than
    the default (ONE query; none in the default language): what links a version (an English
    therapy linking the English condition) shows from the other end in every version, as the
    version of the linking page in the items' language where it is translated."""
    if visibility.is_default_language or visibility.every_language or not items:
        return {}
    by_key = {item.translation_key: item.pk for item in items}
    rows = Page.objects.filter(translation_key__in=list(by_key)).exclude(
        pk__in=[item.pk for item in items]
    )
    return {pk: by_key[key] for pk, key in rows.values_list("pk", "translation_key")}


def _one_per_target(relation, owner_id, links):
    """`links` with one per page shown: the item's own link to it where it has one, else one
    to a version of the item."""
    own = f"{relation.owner}_id"
    kept = {}
    for link in sorted(links, key=lambda link: getattr(link, own) != owner_id):
        kept.setdefault(getattr(link, relation.target).pk, link)
    return list(kept.values())


def _translations(pages, visibility):
    """{translation key: PageStub} of the public versions, in `visibility`'s language, of
    `pages` (PageStubs) in another language (ONE query; none in the default language): a
    relation shows the related page in the items' language where it is translated."""
    if visibility.is_default_language or visibility.every_language:
        return {}
    keys = {page.translation_key for page in pages if page.locale_id != visibility.locale_id}
    if not keys:
        return {}
    own = visibility.in_language(visibility.language, visibility.hide_outdated)
    rows = own.pages().filter(translation_key__in=keys)
    found = {}
    for row in rows.values("id", "content_type_id", *REFERENCE_FIELDS):
        stub = PageStub(**row)
        stub.pk = row["id"]
        found[stub.translation_key] = stub
    return found


# What a flat reference and the visibility rule read from a related page.
REFERENCE_FIELDS = (
    "title",
    "slug",
    "url_path",
    "live",
    "expired",
    "expire_at",
    "path",
    "translation_key",
    "locale_id",
    "alias_of_id",
)


class PageStub(SimpleNamespace):
    """A related page as far as its flat reference needs: building full page instances (every
    column, StreamField bodies decoded) was most of a list request's time (bench/)."""

    @property
    def specific_class(self):
        return ContentType.objects.get_for_id(self.content_type_id).model_class()


def _light_rows(link_model, group, rows):
    """The link rows of `group` as simple objects: the link's own fields, and its target as a
    PageStub (or, for a snippet, an unsaved instance with the snippet's fields)."""
    targets = {}
    for relation, *_ in group:
        target_model = link_model._meta.get_field(relation.target).related_model
        if relation.target_models:
            targets[relation.target] = (PageStub, ("id", "content_type_id", *REFERENCE_FIELDS))
        else:
            names = tuple(f.attname for f in target_model._meta.concrete_fields)
            targets[relation.target] = (target_model, names)
    own = {f.attname for f in link_model._meta.concrete_fields}
    columns = [*own, *(f"{t}__{name}" for t, (_, names) in targets.items() for name in names)]
    for row in rows.values(*columns):
        link = SimpleNamespace(**{name: row[name] for name in own}, pk=row["id"])
        for target, (factory, names) in targets.items():
            fields = {name: row[f"{target}__{name}"] for name in names}
            obj = factory(**fields)
            if factory is PageStub:
                obj.pk = fields["id"]
            setattr(link, target, obj)
        yield link


def list_queryset(model, visibility):
    """Public items of `model`; what their list shape shows is attached by
    shapes.relations.load_items once a page of them is chosen."""
    return visibility.pages(model).select_related("hero_image")


def detail_queryset(model, visibility):
    """Public items of `model` with the detail shape's own rows prefetched (relations:
    shapes.relations.load_items)."""
    return (
        list_queryset(model, visibility)
        .select_related("reviewed_by", "disclaimer")
        .prefetch_related(
            Prefetch(
                "reference_links",
                queryset=PageReferenceLink.objects.select_related("reference"),
            ),
            Prefetch("code_links", queryset=PageMedicalCode.objects.select_related("code")),
            *registry.of(model).detail_prefetch,
        )
    )


def attach_hero_renditions(pages):
    """Load the hero renditions of `pages` in ONE query (their image rows came joined)."""
    images = [page.hero_image for page in pages if page.hero_image is not None]
    attach_renditions(images, HERO_RENDITION_SPECS)


def attach_detail_blocks(pages):
    """Convert the StreamFields of detail `pages` together (one query per kind of chooser for
    all of them) and load their body images' renditions in one more."""
    streams = [getattr(page, name) for page in pages for name in registry.of(type(page)).streams]
    prefetch_stream_values(streams)
    attach_renditions(stream_images(streams), BODY_IMAGE_RENDITION_SPECS)


def attach_language_versions(pages, visibility):
    """Give each of `pages` its `language_versions` (shapes.representation.language_versions:
    every page sharing its translation key, itself included; ONE query)."""
    versions = language_versions({page.translation_key for page in pages}, visibility)
    for page in pages:
        page.language_versions = versions.get(page.translation_key, [])


def attach_renditions(images, specs):
    """Load the renditions `specs` of `images` in ONE query."""
    if not images:
        return
    by_image = {}
    for rendition in (
        get_image_model()
        .get_rendition_model()
        .objects.filter(
            image_id__in={image.pk for image in images},
            filter_spec__in=specs,
        )
    ):
        by_image.setdefault(rendition.image_id, []).append(rendition)
    for image in images:
        image.prefetched_renditions = by_image.get(image.pk, [])


def search_links(models):
    """pages.search.Link of every relation `models` show: search finds an item through what it
    links to (a condition through its causes and symptoms, a therapy through what it relieves)."""
    links = []
    for model in models:
        item_type = registry.of(model)
        for relation in item_type.relations:
            links.append(Link(relation.link_model, relation.owner, relation.target))
        for relation in item_type.snippet_relations:
            target = relation.link_model._meta.get_field(relation.target).related_model
            if issubclass(target, index.Indexed):
                links.append(Link(relation.link_model, relation.owner, relation.target, target))
    return tuple(links)
