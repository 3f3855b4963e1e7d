"""Delta sync for offline clients (the app): every public item once, then only what changed.

The change record (api.models.RepresentationState) numbers each item's last change in commit
order (api.changes.number_changes). A pass reads the rows whose change number lies in
(since, upto]: the first call of a pass pins `upto` to the last number committed, later pages
of the same pass continue after the last (change, page id) served (keyset paging), and the
pass ends with a cursor whose `since` is that `upto`. An item edited mid-pass takes a number
above `upto`: it leaves this pass and comes once, in the next one. The first pass (no cursor)
serves public items only; later passes also serve tombstones (`deleted`) of items that left the
public, with the type, id and slug they were last served with.

Cursors are opaque and signed (django.core.signing): a tampered one is refused. Tombstones are
pruned after API_SYNC_TOMBSTONE_DAYS; a cursor from before the newest pruned change would miss
some, so it is refused with 410 (the app syncs again from scratch).
"""

import re
from dataclasses import asdict, dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from api import response_cache
from api.models import ChangeCounter, RepresentationState
from pages.representation import collection_key

SALT = "api.sync.cursor"
CURSOR_PATTERN = re.compile(r"[A-Za-z0-9_:.\-]{1,2000}")  # what Signer.sign_object writes
SYNC_KEY = collection_key("sync")  # on every sync response; purged when tombstones are pruned


class BadCursor(Exception):
    """A cursor this server did not make (tampered, truncated, from another deployment)."""


class ExpiredCursor(Exception):
    """A cursor older than the tombstones kept: the client must sync again from scratch."""


@dataclass(frozen=True)
class Cursor:
    since: int = 0  # changes after this number...
    upto: int | None = None  # ...up to this one; None: the next call starts a pass and pins it
    after: tuple = (0, 0)  # (change, page id) last served in this pass
    types: tuple = ()  # the item types the pass covers (empty: every type)
    channel: str = "app"

    @property
    def initial(self):
        """The first pass: every public item, no tombstones (nothing was synced before)."""
        return self.since == 0

    def encode(self):
        data = asdict(self)
        data = {**data, "after": list(self.after), "types": list(self.types)}
        # no timestamp: the same position is the same cursor (and the same ETag)
        return signing.Signer(salt=SALT).sign_object(data, compress=True)

    @classmethod
    def decode(cls, raw):
        try:
            data = signing.Signer(salt=SALT).unsign_object(raw)
            cursor = cls(
                since=int(data["since"]),
                upto=None if data["upto"] is None else int(data["upto"]),
                after=tuple(int(part) for part in data["after"]),
                types=tuple(str(kind) for kind in data["types"]),
                channel=str(data["channel"]),
            )
        except (signing.BadSignature, KeyError, TypeError, ValueError, AttributeError) as error:
            raise BadCursor from error
        if len(cursor.after) != 2:
            raise BadCursor
        return cursor


def counter():
    """(last change number committed, pruned through) as this transaction sees them."""
    row = ChangeCounter.row().values_list("last", "pruned_through").first()
    return row or (0, 0)


@dataclass
class Page:
    """One response of a pass: rows of the change record in order, and the cursor after it."""

    rows: list  # dicts: page_id, type, slug, public, change
    next_cursor: Cursor
    has_more: bool


def read(cursor, limit):
    """The next `limit` rows of `cursor`'s pass. Raises ExpiredCursor."""
    last, pruned_through = counter()
    if not cursor.initial and cursor.since < pruned_through:
        raise ExpiredCursor
    upto = last if cursor.upto is None else cursor.upto
    change, page_id = cursor.after
    rows = RepresentationState.objects.filter(change__gt=cursor.since, change__lte=upto).filter(
        Q(change__gt=change) | Q(change=change, page_id__gt=page_id)
    )
    if cursor.types:
        rows = rows.filter(type__in=cursor.types)
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
        following = Cursor(cursor.since, upto, position, cursor.types, cursor.channel)
    else:  # the pass is done: the next one starts after it
        following = Cursor(upto, None, (0, 0), cursor.types, cursor.channel)
    return Page(rows, following, has_more)


def tombstone(row):
    """What a deleted entry says: only what the item was last served with publicly."""
    return {"type": row["type"], "id": row["page_id"], "slug": row["slug"]}


def prune_tombstones(now=None):
    """Forget tombstones older than API_SYNC_TOMBSTONE_DAYS, recording the newest change number
    pruned (cursors from before it get 410). Returns how many were pruned."""
    now = now or timezone.now()
    old = RepresentationState.objects.filter(
        public=False, changed_at__lt=now - timedelta(days=settings.API_SYNC_TOMBSTONE_DAYS)
    )
    with transaction.atomic():
        newest = old.aggregate(newest=Max("change"))["newest"]
        if newest is None:
            return 0
        ChangeCounter.ensure()
        ChangeCounter.row().filter(pruned_through__lt=newest).update(pruned_through=newest)
        _, deleted = old.filter(change__lte=newest).delete()
        transaction.on_commit(lambda: response_cache.purge({SYNC_KEY}))
    return deleted.get(RepresentationState._meta.label, 0)
