"""Delta sync for offline clients (the app): every public item once, then only what changed.

The change record (api.models.RepresentationState) numbers each item's last change in commit
order (api.record.changes.number_changes). A pass reads the rows whose change number lies in
(since, upto]: the first call of a pass pins `upto` to the last number committed, later pages
of the same pass continue after the last (change, page id) served (keyset paging), and the
pass ends with a cursor whose `since` is that `upto`. An item edited mid-pass takes a number
above `upto`: it leaves this pass and comes once, in the next one. The first pass (no cursor)
serves public items only; later passes also serve tombstones (`deleted`) of items that left the
public, with the type, id and slug they were last served with.

Cursors are opaque and signed (django.core.signing): a tampered one is refused. Tombstones are
pruned after API_SYNC_TOMBSTONE_DAYS; a cursor from before the newest pruned change would miss
some, so it is refused with 410 (the app syncs again from scratch).

Restores: a database restored from an older backup has an older counter, and its new changes
take the numbers the lost ones had, so neither "a cursor ahead of the counter" nor an epoch
row (restored with the rest) tells a cursor of the lost history. Each value the counter takes
is recorded with a random nonce (api.models.ChangeMark, written by the transaction that numbers
the changes), and a cursor holds the number it reached (`mark`: the pass's pinned `upto`, or
`since` between passes) with that number's nonce. The restored database has the marks up to
the backup and draws new nonces after it: a cursor's (number, nonce) is found only if this
database's history includes everything the cursor has seen; otherwise 410. Marks are kept per
counter value, not per item row: an item's change number moves on when it changes again, so a
row's nonce could not tell "changed since" from "restored". A mark goes when the counter moved
past it more than API_SYNC_TOMBSTONE_DAYS ago (a cursor holding it is that old: 410 too).

Cursors carry a format version (`v`). One of another version (issued before marks existed, or
by a newer release since rolled back) is answered 410 as well: its history cannot be checked.
"""

import re
from dataclasses import asdict, dataclass, replace
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Max, OuterRef, Q, Subquery
from django.utils import timezone

from api.models import ChangeCounter, ChangeMark, RepresentationState
from api.serving import response_cache
from pages.selectors import default_language
from shapes.representation import collection_key

SALT = "api.sync.cursor"  # unchanged when the module moved: cursors already issued stay valid
CURSOR_VERSION = 2  # 1: no version field and no mark (before restores were recognised)
CURSOR_PATTERN = re.compile(r"[A-Za-z0-9_:.\-]{1,2000}")  # what Signer.sign_object writes
SYNC_KEY = collection_key("sync")  # on every sync response; purged when tombstones are pruned


class BadCursor(Exception):
    """A cursor this server did not make (tampered, truncated, from another deployment)."""


class ExpiredCursor(Exception):
    """A cursor this server made but can no longer follow: older than the tombstones kept,
    issued before the database was restored from a backup, or of another format. The client
    must sync again from scratch. The message says which, for the client's developers."""


TOO_OLD = "This cursor is older than the deletions kept: sync again without a cursor."
NOT_IN_HISTORY = (
    "This cursor is not from this database's history of changes (the database was restored "
    "from a backup since, or the cursor is older than the deletions kept): sync again without "
    "a cursor."
)
OTHER_FORMAT = (
    "This cursor was issued by another version of this API and cannot be checked against this "
    "database's history of changes: sync again without a cursor."
)


@dataclass(frozen=True)
class Cursor:
    since: int = 0  # changes after this number...
    upto: int | None = None  # ...up to this one; None: the next call starts a pass and pins it
    after: tuple = (0, 0)  # (change, page id) last served in this pass
    types: tuple = ()  # the item types the pass covers (empty: every type)
    channel: str = "app"
    nonce: str = ""  # the nonce of `mark` (api.models.ChangeMark); none for 0
    language: str = ""  # the content language synced ('': the default language)

    def __post_init__(self):
        if not self.language:
            object.__setattr__(self, "language", default_language())

    @property
    def initial(self):
        """The first pass: every public item, no tombstones (nothing was synced before)."""
        return self.since == 0

    @property
    def mark(self):
        """The newest change number this cursor's client has been promised: the pass's bound,
        or between passes, where the last pass ended."""
        return self.since if self.upto is None else self.upto

    def encode(self):
        data = asdict(self)
        data = {"v": CURSOR_VERSION, **data, "after": list(self.after), "types": list(self.types)}
        # no timestamp: the same position is the same cursor (and the same ETag)
        return signing.Signer(salt=SALT).sign_object(data, compress=True)

    @classmethod
    def decode(cls, raw):
        """The cursor `raw` encodes. Raises BadCursor (not signed here, or malformed) or
        ExpiredCursor (signed here, in another format)."""
        try:
            data = signing.Signer(salt=SALT).unsign_object(raw)
            version = data.get("v", 1)
        except (signing.BadSignature, TypeError, ValueError, AttributeError) as error:
            raise BadCursor from error
        if version != CURSOR_VERSION:
            raise ExpiredCursor(OTHER_FORMAT)
        try:
            cursor = cls(
                since=int(data["since"]),
                upto=None if data["upto"] is None else int(data["upto"]),
                after=tuple(int(part) for part in data["after"]),
                types=tuple(str(kind) for kind in data["types"]),
                channel=str(data["channel"]),
                nonce=str(data["nonce"]),
                # cursors issued before languages were served sync the default language
                language=str(data.get("language") or default_language()),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise BadCursor from error
        if len(cursor.after) != 2:
            raise BadCursor
        return cursor


@dataclass(frozen=True)
class Counter:
    last: int = 0  # the last change number committed
    pruned_through: int = 0  # tombstones of changes up to this one were pruned
    nonce: str = ""  # the mark of `last` (api.models.ChangeMark)
    mark_nonce: str | None = None  # the nonce this database holds for the number asked about


def counter(mark=0):
    """The change counter as this transaction sees it, and the nonce of change number `mark`
    (None when this database has no mark for it): one query."""
    marks = ChangeMark.objects.values("nonce")
    row = ChangeCounter.row().annotate(
        nonce=Subquery(marks.filter(number=OuterRef("last"))[:1]),
        mark_nonce=Subquery(marks.filter(number=mark)[:1]),
    )
    found = row.values_list("last", "pruned_through", "nonce", "mark_nonce").first()
    if found is None:
        return Counter()
    last, pruned_through, nonce, mark_nonce = found
    return Counter(last, pruned_through, nonce or "", mark_nonce)


@dataclass
class Page:
    """One response of a pass: rows of the change record in order, and the cursor after it."""

    rows: list  # dicts: page_id, type, slug, public, change
    next_cursor: Cursor
    has_more: bool


def read(cursor, limit, languages=None):
    """The next `limit` rows of `cursor`'s pass, of items in `languages` (the cursor's language,
    and the default language where it stands in for missing translations). Raises
    ExpiredCursor."""
    now = counter(cursor.mark)
    if not cursor.initial and cursor.since < now.pruned_through:
        raise ExpiredCursor(TOO_OLD)
    if cursor.mark and now.mark_nonce != cursor.nonce:
        raise ExpiredCursor(NOT_IN_HISTORY)
    upto = now.last if cursor.upto is None else cursor.upto
    nonce = now.nonce if cursor.upto is None else cursor.nonce
    change, page_id = cursor.after
    rows = RepresentationState.objects.filter(change__gt=cursor.since, change__lte=upto).filter(
        Q(change__gt=change) | Q(change=change, page_id__gt=page_id)
    )
    if cursor.types:
        rows = rows.filter(type__in=cursor.types)
    rows = rows.filter(language__in=languages or [cursor.language])
    if cursor.initial:
        rows = rows.filter(public=True)
    rows = list(
        rows.order_by("change", "page_id").values("page_id", "type", "slug", "public", "change")[
            : limit + 1
        ]
    )
    has_more = len(rows) > limit
    rows = rows[:limit]
    if has_more:
        position = (rows[-1]["change"], rows[-1]["page_id"])
        following = replace(cursor, upto=upto, after=position, nonce=nonce)
    else:  # the pass is done: the next one starts after it
        following = replace(cursor, since=upto, upto=None, after=(0, 0), nonce=nonce)
    return Page(rows, following, has_more)


def tombstone(row):
    """What a deleted entry says: only what the item was last served with publicly."""
    return {"type": row["type"], "id": row["page_id"], "slug": row["slug"]}


def prune_tombstones(now=None):
    """Forget tombstones older than API_SYNC_TOMBSTONE_DAYS, recording the newest change number
    pruned (cursors from before it get 410), and the change marks the counter moved past
    before then. Returns how many tombstones were pruned."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.API_SYNC_TOMBSTONE_DAYS)
    prune_marks(cutoff)
    old = RepresentationState.objects.filter(public=False, changed_at__lt=cutoff)
    with transaction.atomic():
        newest = old.aggregate(newest=Max("change"))["newest"]
        if newest is None:
            return 0
        ChangeCounter.ensure()
        ChangeCounter.row().filter(pruned_through__lt=newest).update(pruned_through=newest)
        _, deleted = old.filter(change__lte=newest).delete()
        transaction.on_commit(lambda: response_cache.purge({SYNC_KEY}))
    return deleted.get(RepresentationState._meta.label, 0)


def prune_marks(cutoff):
    """Forget the change marks the counter moved past before `cutoff`: a cursor holding one was
    issued before then (410). The newest mark made before `cutoff` stays: the counter may have
    stood at it since. Returns how many were forgotten."""
    newest = ChangeMark.objects.filter(created_at__lt=cutoff).aggregate(newest=Max("number"))
    if newest["newest"] is None:
        return 0
    with transaction.atomic():
        deleted, _ = ChangeMark.objects.filter(number__lt=newest["newest"]).delete()
        if deleted:  # cached sync answers of those cursors end with them
            transaction.on_commit(lambda: response_cache.purge({SYNC_KEY}))
    return deleted
