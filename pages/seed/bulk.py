"""Add many published pages to the page tree at once: what the seed loader and generate_content
share.

Wagtail's own way, `parent.add_child(instance=page)` then `page.save_revision().publish()`, costs
about twenty queries per page plus one per inline row, and re-indexes the page for search and
references on every save. A bulk load writes the same rows in batches, in one transaction:

    with bulk_load(progress) as load:
        load.add_pages(causes_index, cause_pages, label="Causes")
        load.add_pages(conditions_index, condition_pages, label="Conditions")

Each page comes out as if added and published in the admin: its place in the tree (path, depth,
the parent's numchild), url_path, its inline rows numbered in order (sort_order), one revision
that is both latest and live, first/last published dates, and "created" and "published" log
entries. Before the transaction commits, the reference index and the search index take every
added page once, in batches. After it commits, `pages.signals.content_loaded` is sent once with
the ids of all added pages: the one hook for work that follows a load (the API's change record).
Inside the block, per-save search and reference indexing are off for content pages and per-page
change tracking waits for that signal (`pages.signals.bulk_loading`).
"""

import gc
from collections import defaultdict
from contextlib import contextmanager

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connections, router, transaction
from django.db.models import CharField, F, OuterRef, Subquery
from django.db.models.functions import Cast
from django.utils import timezone

from modelcluster.models import get_all_child_relations
from wagtail.models import Page, PageLogEntry, ReferenceIndex, Revision

from treebeard.exceptions import PathOverflow

from pages.models import CONTENT_PAGE_MODELS
from pages.search import bulk_indexing, index_in_bulk
from pages.signals import bulk_loading, content_loaded
from pages.text_safety import clean_instance

BATCH = 500  # pages written (and indexed) per round of INSERTs


class Silent:
    """The progress reporter when nobody is watching: `step` after every batch, `say` once."""

    def step(self, label, done, total):
        pass

    def say(self, message):
        pass


@contextmanager
def bulk_load(progress=None):
    """One transaction adding pages in bulk (`BulkLoad.add_pages`); indexes them at the end and
    sends `content_loaded` once after commit. `progress` gets `step(label, done, total)` and
    `say(message)` calls (see `Silent`)."""
    load = BulkLoad(progress or Silent())
    try:
        with transaction.atomic(), bulk_indexing(CONTENT_PAGE_MODELS), bulk_loading():
            yield load
            load.index()
    finally:
        gc.unfreeze()  # what add_pages froze
    if load.pages:
        page_ids = [page.pk for page in load.pages]
        load.progress.say(f"Telling listeners (content_loaded) about {len(page_ids)} new pages...")
        content_loaded.send(BulkLoad, page_ids=page_ids)


class BulkLoad:
    def __init__(self, progress):
        self.progress = progress
        self.pages = []  # every page added, in order

    def add_pages(self, parent, pages, label=None, validate="every"):
        """Append `pages` (new instances, inline rows set in memory) to `parent`'s children,
        published, in this order. `validate`: "every" page is full_clean()ed (required fields,
        a slug already taken under the parent), or only the "first" one, for pages built by
        code where the first proves the builder. `label` names the batches in progress steps."""
        pages = list(pages)
        if not pages:
            return pages
        slugs = [page.slug for page in pages]
        if len(set(slugs)) < len(slugs):
            raise ValidationError(f"Two new pages under {parent.url_path} share a slug.")
        for model in {type(page) for page in pages}:
            if not model.can_exist_under(parent):
                raise ValueError(f"{model.__name__} cannot be a child of {parent}.")
        now = timezone.now()
        for page, path in zip(pages, child_paths(parent, len(pages)), strict=True):
            page.path, page.depth, page.numchild = path, parent.depth + 1, 0
            page.url_path = f"{parent.url_path}{page.slug}/"
            page.locale_id = parent.locale_id
            page.draft_title = page.title
            page.live, page.has_unpublished_changes = True, False
            page.first_published_at = page.last_published_at = now
            page.latest_revision_created_at = now
        for page in pages if validate == "every" else pages[:1]:
            page.full_clean()
        for start in range(0, len(pages), BATCH):
            if label:
                self.progress.step(label, start, len(pages))
            self.write(pages[start : start + BATCH], now)
            # The pages stay in memory until the load ends: spare the garbage collector from
            # walking them again on every full pass (a fifth of the time of a 10,000-condition
            # load). bulk_load unfreezes them at the end.
            gc.freeze()
        if label:
            self.progress.step(label, len(pages), len(pages))
        Page.objects.filter(pk=parent.pk).update(numchild=F("numchild") + len(pages))
        parent.numchild += len(pages)
        self.pages.extend(pages)
        return pages

    def write(self, pages, now):
        """The rows of `pages` and of their inline relations, then one published revision each."""
        inline_rows = defaultdict(list)  # model -> rows
        for page in pages:
            clean_instance(page)  # bulk inserts send no pre_save (pages.signals.clean_row)
            for relation, rows in inline_relations(page):
                for position, row in enumerate(rows):
                    clean_instance(row)
                    if hasattr(row, "sort_order"):
                        row.sort_order = position  # the order is data, as in the admin
                    inline_rows[relation.related_model].append((relation.field.name, page, row))
        insert_pages(pages)
        for model, rows in inline_rows.items():
            for field_name, page, row in rows:
                setattr(row, field_name, page)  # now that the page has its id
            model.objects.bulk_create([row for _, _, row in rows])
        revisions = Revision.objects.bulk_create(
            Revision(
                content_type_id=page.content_type_id,
                base_content_type=page.get_base_content_type(),
                object_id=str(page.pk),
                object_str=str(page),
                content=page.serializable_data(),
                created_at=now,
            )
            for page in pages
        )
        for page, revision in zip(pages, revisions, strict=True):
            page.latest_revision_id = page.live_revision_id = revision.pk
        # One UPDATE for the batch, each page looking up its only revision (bulk_update would
        # spell out every id in a CASE, far slower to build and to run).
        own_revision = Subquery(
            Revision.page_revisions.filter(object_id=Cast(OuterRef("pk"), CharField())).values(
                "pk"
            )[:1]
        )
        Page.objects.filter(pk__in=[page.pk for page in pages]).update(
            latest_revision=own_revision, live_revision=own_revision
        )
        PageLogEntry.objects.bulk_create(
            PageLogEntry(
                page_id=page.pk,
                content_type_id=page.content_type_id,
                label=page.get_admin_display_title(),
                action=action,
                revision_id=revision_id,
                timestamp=now,
                content_changed=True,
            )
            for page in pages
            for action, revision_id in (
                ("wagtail.create", None),
                ("wagtail.publish", page.live_revision_id),
            )
        )

    def index(self):
        """Reference index rows and search index entries for every added page, in batches."""
        by_model = defaultdict(list)
        for page in self.pages:
            by_model[type(page)].append(page)
        base_content_type = ContentType.objects.get_for_model(Page)
        done = 0
        for model, pages in by_model.items():
            content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
            for start in range(0, len(pages), BATCH):
                self.progress.step("Indexing", done, len(self.pages))
                batch = pages[start : start + BATCH]
                insert_references(batch, content_type, base_content_type)
                index_in_bulk({model: batch})
                done += len(batch)
        self.progress.step("Indexing", done, len(self.pages))


def inline_relations(page):
    """(relation, rows in memory) for every inline relation of a new page. Each relation is set
    in memory, even when empty: once the page has an id, an untouched one would query the
    database (for the revision, the reference index) instead."""
    for relation in get_all_child_relations(page):
        name = relation.get_accessor_name()
        rows = list(getattr(page, name).all())  # unsaved page: in memory, no query
        setattr(page, name, rows)
        yield relation, rows


# Private APIs ----------------------------------------------------------------------------------
# The only calls below public APIs in the bulk load, checked against Django 5.2, django-treebeard
# 5.3.1 and Wagtail 8.0.1. After an upgrade, check these first; tests/pages/test_generate_content.py
# checks what they produce (a valid tree, revisions, reference and search indexes).


def child_paths(parent, count):
    """Treebeard paths for `count` children appended after `parent`'s last child, in treebeard's
    own encoding (private: `MP_Node._get_lastpos_in_path` and `MP_Node._get_path`)."""
    last = parent.get_last_child()
    first = last._get_lastpos_in_path() + 1 if last else 1
    depth = parent.depth + 1
    paths = [Page._get_path(parent.path, depth, first + n) for n in range(count)]
    if paths and len(paths[-1]) != depth * Page.steplen:
        raise PathOverflow(f"{parent.url_path} cannot take {count} more children.")
    return paths


def insert_pages(pages):
    """INSERT new pages: their wagtailcore_page rows, then their own type's rows. Django's
    bulk_create refuses models with a concrete parent, so the second INSERT makes the call
    bulk_create makes per batch (private: `QuerySet._insert`). Every type must extend Page
    directly, as all of this project's do."""
    Page.objects.bulk_create(pages)  # sets each page's id
    by_model = defaultdict(list)
    for page in pages:
        page.pk = page.id  # the parent link (page_ptr_id) too
        if type(page) is not Page:
            by_model[type(page)].append(page)
    for model, rows in by_model.items():
        if model._meta.get_parent_list() != [Page]:
            raise ValueError(f"{model.__name__} does not extend Page directly.")
        db = router.db_for_write(model)
        fields = model._meta.local_concrete_fields
        size = connections[db].ops.bulk_batch_size(fields, rows)
        for start in range(0, len(rows), size):
            model._base_manager._insert(rows[start : start + size], fields=fields, using=db)


def insert_references(pages, content_type, base_content_type):
    """The reference index rows of new pages of one type: what
    `ReferenceIndex.create_or_update_for_object` writes, without its query for the rows already
    there (private: `ReferenceIndex._extract_references_from_object` and
    `_get_content_path_hash`). Pages hold about 17 references each, so the rows go in as one
    prepared INSERT run once per row (ON CONFLICT: SQLite and PostgreSQL); bulk_create built a
    model and SQL text per row, at five times the cost."""
    db = router.db_for_write(ReferenceIndex)
    connection = connections[db]
    names = ["content_type", "base_content_type", "object_id", "to_content_type"]
    names += ["to_object_id", "model_path", "content_path", "content_path_hash"]
    fields = [ReferenceIndex._meta.get_field(name) for name in names]
    rows = [
        (
            content_type.pk,
            base_content_type.pk,
            str(page.pk),
            to_content_type_id,
            to_object_id,
            model_path,
            content_path,
            fields[-1].get_db_prep_save(
                ReferenceIndex._get_content_path_hash(content_path), connection
            ),
        )
        for page in pages
        for to_content_type_id, to_object_id, model_path, content_path in set(
            ReferenceIndex._extract_references_from_object(page)
        )
    ]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({}) ON CONFLICT DO NOTHING".format(  # noqa: S608 (names from the model)
        quote(ReferenceIndex._meta.db_table),
        ", ".join(quote(field.column) for field in fields),
        ", ".join(["%s"] * len(fields)),
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
