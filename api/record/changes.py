"""When did each item's representation last change?

The rule (docs/architecture.md, "The change record"): an item changes when anything in its
representation changes, including a linked page's title or a snippet it shows. The signal
handlers (api/record/signals.py) name what changed (pages, snippets as surrogate keys, sections of
the tree, or everything); `refresh` then recomputes the representations (both channels' list and
detail shapes, stored by api/serving/stored.py) of every item that shows it, moves `changed_at` only
where the detail's fingerprint really differs, and records which pages and snippets each item
shows (its surrogate keys) for the next change. A page that leaves the public keeps its row as a
tombstone (`public` false).

`?updated_since=` reads `changed_at`; the delta sync and surrogate-key invalidation read the same
record. Review-status transitions happen by the calendar, not by an edit: `refresh_review_status`
(run by the worker) catches them.
"""

import secrets
import time

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone

from wagtail.images.models import AbstractImage
from wagtail.models import Page

import orjson
from django_tasks import task

from api.models import ChangeCounter, ChangeMark, RepresentationDependency, RepresentationState
from api.record import events
from api.serving import response_cache, stored
from pages.selectors import Visibility
from shapes import registry
from shapes.represent import load, represent_pages
from shapes.representation import (
    EVERY_PAGE_KEY,
    WEB,
    collection_key,
    image_key,
    page_ids_of,
    page_key,
    stored_origin,
)
from shapes.serializers import DETAIL
from webhooks import outbox
from worker.singleton import lock_for_transaction

BATCH = 200
clock = time.monotonic  # refresh deadlines (tests move it)


def queue_refresh(page_ids=(), keys=(), sections=(), everything=False):
    """Say what changed: `refresh` runs as a background task (inline under the immediate
    backend)."""
    refresh_task.enqueue(
        page_ids=sorted(set(page_ids)),
        keys=sorted(set(keys)),
        sections=sorted(set(sections)),
        everything=everything,
    )


@task()
def refresh_task(page_ids=(), keys=(), sections=(), everything=False):
    """One worker task: refresh for at most API_REFRESH_TASK_SECONDS, then queue the rest as a
    new task, so a refresh of every item (a new default disclaimer) never holds back the
    other work of a round (a publish behind it is served a round later, not minutes later)."""
    seconds = settings.API_REFRESH_TASK_SECONDS
    deadline = clock() + seconds if seconds else None
    changed, rest = refresh_until(deadline, page_ids, keys, sections, everything)
    if rest:
        queue_refresh(page_ids=rest)
    return changed


def content_page_ids(queryset=None):
    queryset = Page.objects.all() if queryset is None else queryset
    return set(queryset.filter(content_type__in=content_types()).values_list("pk", flat=True))


def with_translations(pages):
    """`pages` (a queryset) and their versions in every other language."""
    return Page.objects.filter(translation_key__in=pages.values("translation_key"))


def content_types():
    return ContentType.objects.get_for_models(*registry.models()).values()


def refresh(page_ids=(), keys=(), sections=(), everything=False, progress=None, initial=False):
    """Recompute the items named, and the items showing what is named. Returns how many
    items' representations changed. `initial`: new rows take the page's own last publication
    time (a backfill), not now."""
    changed, _ = refresh_until(None, page_ids, keys, sections, everything, progress, initial)
    return changed


def refresh_until(
    deadline, page_ids=(), keys=(), sections=(), everything=False, progress=None, initial=False
):
    """`refresh`, stopping between batches once `deadline` (a `clock()` reading; None: never)
    has passed. Returns (items changed, ids of the items left to refresh)."""
    candidates = set(page_ids)
    for path in sections:
        candidates |= content_page_ids(
            with_translations(Page.objects.filter(path__startswith=path))
        )
    if everything:
        candidates |= content_page_ids()
        candidates |= set(RepresentationState.objects.values_list("page_id", flat=True))
    keys = set(keys) | {page_key(pk) for pk in candidates}
    candidates |= set(
        RepresentationDependency.objects.filter(key__in=keys).values_list(
            "state__page_id", flat=True
        )
    )
    visibility = Visibility.compute()
    done, changed = set(), 0
    while candidates:  # a second round reaches pages that gained or lost a link to a refreshed one
        linked = set()
        ordered = sorted(candidates)
        for start in range(0, len(ordered), BATCH):
            batch = ordered[start : start + BATCH]
            with transaction.atomic():
                changed += _refresh_batch(batch, visibility, linked, initial)
            done |= set(batch)
            if progress:
                progress(min(start + BATCH, len(ordered)), len(ordered))
            if deadline is not None and clock() >= deadline:
                left = not_structure(in_every_language(linked) - done)
                return changed, sorted(candidates - done | left)
        candidates = not_structure(in_every_language(linked) - done)
    return changed, []


def in_every_language(page_ids):
    """`page_ids` and their versions in every other language (one query; none without any): an
    item that gained or lost a link is shown from the other end by each of its versions (a
    Spanish condition lists the therapies linking the English one: shapes/relations.py)."""
    if not page_ids or len(settings.CONTENT_LANGUAGES) < 2:
        return set(page_ids)
    versions = with_translations(Page.objects.filter(pk__in=page_ids))
    return set(page_ids) | set(versions.values_list("pk", flat=True))


def not_structure(page_ids):
    """`page_ids` but those of pages that are no item (the home page and sections an item's
    breadcrumbs show): nothing to refresh. Ids of deleted pages stay (their tombstones)."""
    if not page_ids:
        return set()
    structure = Page.objects.filter(pk__in=page_ids).exclude(content_type__in=content_types())
    return set(page_ids) - set(structure.values_list("pk", flat=True))


def _represent(page_ids, visibility):
    """{(channel, shape): Represented} of each public page among `page_ids`, every shape from
    pages loaded once (read fresh: see `shapes.represent.serializer_context`), each page by the
    rule of its own language (`Visibility.representing`)."""
    groups = {}
    rows = Page.objects.filter(pk__in=page_ids).values_list("pk", "content_type_id", "locale_id")
    for pk, type_id, locale_id in rows.iterator():
        groups.setdefault((type_id, locale_id), []).append(pk)
    for model in registry.models():
        content_type = ContentType.objects.get_for_model(model).pk
        for (type_id, locale_id), ids in sorted(groups.items()):
            if type_id != content_type:
                continue
            rule = visibility.representing(locale_id)
            pages = load({model: ids}, rule, DETAIL)
            with stored_origin():
                shapes = {
                    (channel, shape): represent_pages(
                        pages, rule, shape, fresh=True, channel=channel
                    )
                    for channel, shape in stored.SHAPES
                }
            for page in pages:
                yield {key: items[page.pk] for key, items in shapes.items()}


def number_changes(states):
    """Give `states` (changed, about to be saved) the next change numbers, in page order. Call
    it inside the transaction that saves them: the counter's row stays locked until it commits,
    so a later number never commits before an earlier one."""
    if not states:
        return
    counter = ChangeCounter.row()
    if not counter.update(last=F("last") + len(states)):  # a database migrated without it
        ChangeCounter.ensure()
        counter.update(last=F("last") + len(states))
    last = counter.values_list("last", flat=True).get()
    for number, state in enumerate(sorted(states, key=lambda s: s.page_id), last - len(states) + 1):
        state.change = number
    mark(last)


def mark(number):
    """Record the counter's new value with a fresh random nonce (api.models.ChangeMark: what
    tells a cursor of this database from one of a database restored from an older backup).
    A mark left with the same number by an earlier history (a counter row recreated) is
    replaced."""
    ChangeMark.objects.bulk_create(
        [ChangeMark(number=number, nonce=secrets.token_hex(16), created_at=timezone.now())],
        update_conflicts=True,
        unique_fields=["number"],
        update_fields=["nonce", "created_at"],
    )


def _refresh_batch(page_ids, visibility, linked, initial):
    """Refresh one batch of items in the caller's transaction, step by step: compare each public
    item with its stored copy, tombstone the items no longer public, number the changes, save
    them, announce them (webhook events), index what each item shows, and purge the cached
    answers that showed them once this commits. Adds to `linked` the items that gained or lost
    a link to one of these. Returns how many items' representations changed."""
    # Two processes refreshing the same item (two workers: a queued refresh and the catch-up,
    # or two refreshes of one page) take turns: the second reads what the first committed, so
    # a change is numbered and announced once.
    lock_for_transaction("api.refresh", page_ids)
    batch = RefreshBatch(page_ids, initial)
    for shapes in _represent(page_ids, visibility):
        batch.compare(shapes)
    batch.tombstone_the_rest()
    batch.renumber_other_languages()
    number_changes(batch.numbered)
    batch.save()
    outbox.emit(batch.announced)
    batch.index_dependencies()
    batch.purge_on_commit()
    linked |= batch.linked
    return batch.changed_now()


class RefreshBatch:
    """What one batch's refresh found, as `_refresh_batch`'s steps fill it in."""

    def __init__(self, page_ids, initial):
        self.page_ids, self.initial, self.now = page_ids, initial, timezone.now()
        self.states = {
            state.page_id: state
            for state in RepresentationState.objects.filter(page_id__in=page_ids).prefetch_related(
                "keys"
            )
        }
        self.changed = []  # states to save
        self.numbered = []  # states that get a new change number
        self.unchanged = []  # page ids whose stored copy is still what would be stored
        self.seen = set()  # public page ids
        self.new_keys = {}  # page id -> the keys its representation now shows
        self.announced = []  # webhook events, written with the change (api/record/events.py)
        self.linked = set()  # items that gained or lost a link to one of these
        self.flipped = set()  # translation keys of the items that joined or left the public
        self.renumbered = []  # other languages' states of those (api.channels.sync)

    def compare(self, shapes):
        """One public item's new representations (`{(channel, shape): Represented}`) against
        its stored copy: unchanged, new, or changed (numbered and announced)."""
        item = shapes[WEB, DETAIL]
        page, data, now = item.page, item.data, self.now
        # what it shows, and the pages it mentions without showing them (shapes.represent)
        keys = {key for shown in shapes.values() for key in shown.keys}
        keys |= {key for shown in shapes.values() for key in shown.mentions}
        keys.discard(page_key(page))
        self.seen.add(page.pk)
        copies = stored.rendered(shapes)
        state = self.states.get(page.pk)
        old_keys = {row.key for row in state.keys.all()} if state else set()
        if state is None or not state.public:
            self.flipped.add(page.translation_key)
        if state is None:
            state = self.states[page.pk] = RepresentationState(
                page_id=page.pk,
                changed_at=(self.initial and page.last_published_at) or now,
            )
            self.numbered.append(state)
            if not self.initial:  # a backfill records pages that were public before the record
                self.announced += events.item_events(None, data, registry.of(type(page)).collection)
        elif state.public and not stored.copies_differ(state, copies):
            if old_keys == keys and stored.is_current(state):
                self.unchanged.append(page.pk)
                return
        else:  # a new representation, or back in the public (a tombstone has no fingerprint)
            self.numbered.append(state)
            if state.fingerprint != copies[WEB, DETAIL][1]:
                state.changed_at = now
            self.announced += events.item_events(
                last_served(state), data, registry.of(type(page)).collection, state.review_status
            )
        state.type, state.slug, state.public = registry.of(type(page)).name, page.slug, True
        state.language, state.translation_key = data["locale"], page.translation_key
        state.review_status = data["review_status"]
        stored.store_copies(state, shapes, copies, now)
        self.changed.append(state)
        if old_keys != keys:
            self.new_keys[page.pk] = keys
            self.linked |= page_ids_of(old_keys ^ keys)

    def tombstone_the_rest(self):
        """The batch's items stored as public that are no longer: a tombstone each, announced
        as unpublished, or deleted when the page's row is gone."""
        states = self.states
        gone = [pk for pk in set(self.page_ids) - self.seen if pk in states and states[pk].public]
        existing = set()  # by the type's own table: its row goes before the Page row does
        for item_type in {registry.named(states[pk].type) for pk in gone} - {None}:
            model = item_type.model
            existing |= set(model.objects.filter(pk__in=gone).values_list("pk", flat=True))
        for page_id in sorted(gone):
            state = states[page_id]
            collection = registry.named(state.type).collection
            self.announced += events.item_events(
                last_served(state), None, collection, deleted=page_id not in existing
            )
            state.public, state.changed_at = False, self.now
            self.flipped.add(state.translation_key)
            stored.drop_copies(state)
            self.changed.append(state)
            self.numbered.append(state)
            self.new_keys[page_id] = set()
            self.linked |= page_ids_of({row.key for row in state.keys.all()})

    def renumber_other_languages(self):
        """An item that joined or left the public in one language changes what another
        language's sync serves in its place (a translation, or the default language standing
        in for it): its versions in the other languages take new change numbers too, their
        representations unchanged."""
        keys = self.flipped - {None}
        if not keys:
            return
        others = RepresentationState.objects.filter(translation_key__in=keys).exclude(
            page_id__in=self.page_ids
        )
        self.renumbered = list(others)
        self.numbered += self.renumbered

    def save(self):
        for state in self.changed:
            state.save()
        for state in self.renumbered:
            RepresentationState.objects.filter(pk=state.pk).update(change=state.change)
        # still what would be stored now: the copy is as fresh as a new one (see catch_up)
        RepresentationState.objects.filter(page_id__in=self.unchanged).update(stored_at=self.now)

    def index_dependencies(self):
        """Record what each changed item shows (the keys a later change looks it up by)."""
        RepresentationDependency.objects.filter(state__page_id__in=self.new_keys).delete()
        RepresentationDependency.objects.bulk_create(
            RepresentationDependency(state=self.states[page_id], key=key)
            for page_id, keys in self.new_keys.items()
            for key in sorted(keys)
        )

    def purge_on_commit(self):
        """Every cached response (here and at the CDN) that showed them, once the new copies
        are in."""
        purged = {page_key(state.page_id) for state in self.changed}
        purged |= {
            collection_key(registry.named(state.type).collection, state.language)
            for state in self.changed
        }
        if self.changed:
            purged.add(EVERY_PAGE_KEY)
        transaction.on_commit(lambda: response_cache.purge(purged))

    def changed_now(self):
        return sum(1 for state in self.changed if state.changed_at == self.now)


def pages_showing(item):
    """Ids of the public items whose stored representation shows `item` (an image, by its
    surrogate key; Wagtail's reference index finds the rest: pages.media)."""
    if not isinstance(item, AbstractImage):
        return set()
    shown = RepresentationDependency.objects.filter(key=image_key(item.pk), state__public=True)
    return set(shown.values_list("state__page_id", flat=True))


def last_served(state):
    """The web detail `state` last stored while public, or None."""
    if not state.public or state.detail is None:
        return None
    return orjson.loads(state.detail)


CATCH_UP_LIMIT = 1000  # items per round: a new VERSION re-stores 10,000 items over 10 rounds


def catch_up(limit=CATCH_UP_LIMIT):
    """Refresh what no task recorded: a process that died between its commit and enqueuing the
    refresh (ENQUEUE_ON_COMMIT), a deploy that changed the shapes' VERSION, a restored database.
    That is, public items with no current stored copy or published since it was stored, and
    items stored as public that no longer are; at most `limit` of them (the next round takes
    the rest: meanwhile requests represent those items live). The worker runs it every round.
    Returns how many items' representations changed."""
    stale = sorted(stale_page_ids())[:limit]
    return refresh(page_ids=stale) if stale else 0


def stale_page_ids():
    """The items `catch_up` refreshes."""
    public = Visibility.compute().anywhere().pages().filter(content_type__in=content_types())
    stored_at = RepresentationState.objects.filter(page_id=OuterRef("pk")).values("stored_at")
    current = RepresentationState.objects.filter(
        public=True, version=stored.VERSION, detail__isnull=False, app_detail__isnull=False
    ).values("page_id")
    stale = set(public.exclude(pk__in=current).values_list("pk", flat=True))
    newer = public.filter(last_published_at__gt=Subquery(stored_at[:1]))
    stale |= set(newer.values_list("pk", flat=True))
    gone = RepresentationState.objects.filter(public=True).exclude(page_id__in=public.values("pk"))
    return stale | set(gone.values_list("page_id", flat=True))


def refresh_review_status(today=None):
    """Refresh the items whose review status (current, due soon, overdue) moved with the
    calendar since they were last represented. Returns how many changed."""
    stale = set()
    for model in registry.models():
        for status, pages in model.review_status_filters(today).items():
            pages = model.objects.filter(pages).values("pk")
            stale |= set(
                RepresentationState.objects.filter(public=True, page_id__in=pages)
                .exclude(review_status=status)
                .values_list("page_id", flat=True)
            )
    return refresh(page_ids=stale) if stale else 0
