"""How a request is answered from stored representations (docs/architecture.md, "Read path").

SQL selects the items (visibility, filters, search, ordering, a page of them), each with its
stored copy (api/serving/stored.py) joined in the same query. A stored copy is used while it is
current (this code's VERSION, stored since the page was last published) and every page it shows is
still public, by the visibility rule at read time (expiry dates included: no signal fires when
one passes); otherwise the item is represented now, exactly as the copy would have been, and a
refresh is queued. `fields=` trims an item, `expand=` splices in the stored list shapes of the
related items with the link's annotations, and the bytes of a plain list or detail are joined
as they are.

The ETag is computed from the items' fingerprints before any body is assembled (a 304 costs no
assembly), the same way for stored and live items, so it never tells which one a response used.
What a response shows (its surrogate keys) and the earliest expiry among its pages (how long it
may be cached) come with it.
"""

import hashlib
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from wagtail.models import Page

import orjson

from api.models import RepresentationState
from api.record import changes
from api.serving import stored
from pages.prepared import INTS, MOMENT, TEXT, Prepared
from pages.selectors import default_language
from shapes import registry
from shapes.relations import expandable
from shapes.represent import load, represent_pages
from shapes.representation import (
    WEB,
    collection_key,
    page_ids_of,
    page_key,
    stored_origin,
    with_origin,
)
from shapes.serializers import ALWAYS_FIELDS, DETAIL, LIST

ROW_FIELDS = (
    "pk",
    "content_type_id",
    "locale_id",
    "translation_key",
    "expire_at",
    "stored_body",
    "stored_digest",
    "stored_keys",
)
REFRESH_ASKED_SECONDS = 30  # one refresh request per item in this window, however many readers


@dataclass(frozen=True)
class ItemCopy:
    """One item as stored: its whole shape (no fields= or expand=) as the bytes the API sends,
    their fingerprint and the surrogate keys of what they show."""

    page_id: int
    body: bytes
    digest: str
    keys: tuple
    language: str = ""

    def data(self):
        return orjson.loads(self.body)

    def as_answered(self, body, requested):
        """`body` (this item's bytes, trimmed or expanded) as an answer in language
        `requested` shows it: an item in another language stands in for a missing translation
        and says so (`requested_locale`, `fallback`)."""
        if self.language == requested:
            return body
        return body[:-1] + b',"requested_locale":"' + requested.encode() + b'","fallback":true}'

    def data_answered(self, requested):
        """`data()` as an answer in language `requested` shows it (as `as_answered`)."""
        data = self.data()
        if self.language != requested:
            data |= {"requested_locale": requested, "fallback": True}
        return data


@dataclass
class ResponseParts:
    """What a read-path response is made of. `body()` assembles the bytes (skipped for a 304);
    `etag`, `keys` and `expires` are known before."""

    etag: str
    keys: list  # surrogate keys: everything it shows
    expires: float | None  # unix time of the earliest expiry among the pages it shows
    body: object  # a callable returning bytes
    validators: list  # the keys whose purge ends a cached copy (api/serving/response_cache.py)
    status: int = 200
    headers: dict = field(default_factory=dict)


def model_by_content_type():
    return {ContentType.objects.get_for_model(model).pk: model for model in registry.models()}


def with_stored(queryset, shape, channel, version):
    """`queryset` (pages) as rows of ROW_FIELDS: each page's current stored copy of `shape` in
    `channel` joined (None where it has none: another `version` than this code's
    stored.VERSION, or stored before its last publication)."""
    body, digest = stored.COLUMNS[channel, shape]
    keys = stored.KEYS_COLUMNS[shape]
    current = RepresentationState.objects.filter(
        page_id=OuterRef("pk"),
        public=True,
        version=version,
        stored_at__gte=OuterRef("last_published_at"),
    )
    return queryset.annotate(
        stored_body=Subquery(current.values(body)[:1]),
        stored_digest=Subquery(current.values(digest)[:1]),
        stored_keys=Subquery(current.values(keys)[:1]),
    ).values(*ROW_FIELDS)


# The read path's hot queries, compiled once per shape (pages/prepared.py): the leading
# arguments of each build function are the shape, the others placeholders.
ONE_PAGE = Prepared(  # by its slug within a type, or by its url_path among all pages
    lambda version, visibility, model, shape, channel, field, value, now: with_stored(
        visibility.pages(model, now=now).filter(**{field: value}), shape, channel, version
    )[:1],
    value=TEXT,
    now=MOMENT,
)
PAGES_AMONG = Prepared(
    lambda version, visibility, shape, channel, ids, now: with_stored(
        visibility.pages(now=now).filter(pk__in=ids), shape, channel, version
    ),
    ids=INTS,
    now=MOMENT,
)
PUBLIC_EXPIRY = Prepared(
    lambda visibility, ids, now: (
        visibility.pages(now=now).filter(pk__in=ids).values("pk", "expire_at")
    ),
    ids=INTS,
    now=MOMENT,
)
# The public pages among ids in any language, with their translation keys: a copy's other
# language versions (its `seo.alternates`) are public by their own language's rule.
PUBLIC_VERSIONS = Prepared(
    lambda visibility, ids, now: (
        visibility.pages(now=now).filter(pk__in=ids).values("pk", "translation_key", "expire_at")
    ),
    ids=INTS,
    now=MOMENT,
)
# A collection's listing reads the page table alone, through the index of pages/migrations/
# 0003_listing_index.py (joining the type's own table cost 4 times as much at 10,000 items).
COLLECTION_COUNT = Prepared(
    lambda visibility, content_type, now: (
        visibility.pages(now=now).filter(content_type_id=content_type).values("pk")
    ),
    count=True,
    now=MOMENT,
)
COLLECTION_PAGE = Prepared(
    lambda visibility, content_type, ordering, start, stop, now: (
        visibility.pages(now=now)
        .filter(content_type_id=content_type)
        .order_by(*ordering)
        .values("pk")[start:stop]
    ),
    now=MOMENT,
)


class ItemReader:
    """One request's reads: pieces of items in one channel's shapes, and what the answer shows
    and how long it may be kept (`keys`, `expires`). Every query of the request sees the same
    `now`."""

    def __init__(self, visibility, request=None, channel=WEB):
        self.visibility = visibility
        self.request = request
        self.channel = channel
        self.keys = set()
        self.expires = None
        self.models = model_by_content_type()
        self.now = timezone.now()

    # Rows of public pages with their stored copies (`with_stored`), by prepared queries.
    def item_by_slug(self, model, slug):
        """The public item of `model` with `slug` in the reader's language (standing in for a
        missing translation where the rule says so); in another language than the default,
        also the translation of the default language's item with `slug` (a translation may
        have a slug of its own)."""
        shape = (stored.VERSION, self.visibility, model, DETAIL, self.channel, "slug")
        rows = ONE_PAGE.rows(shape, value=slug, now=self.now)
        if rows or self.visibility.is_default_language:
            return rows
        original = self.visibility.in_language(default_language()).pages(model, now=self.now)
        key = original.filter(slug=slug).values("translation_key")[:1]
        own = self.visibility.in_language(self.visibility.language, self.visibility.hide_outdated)
        translation = own.pages(model, now=self.now).filter(translation_key__in=key)
        return list(with_stored(translation, DETAIL, self.channel, stored.VERSION))

    def page_by_url_path(self, url_path):
        shape = (stored.VERSION, self.visibility, Page, DETAIL, self.channel, "url_path")
        return ONE_PAGE.rows(shape, value=url_path, now=self.now)

    def pages_among(self, ids, shape):
        """The public pages among `ids`, in no particular order."""
        if not ids:
            return []
        shape = (stored.VERSION, self.visibility, shape, self.channel)
        return PAGES_AMONG.rows(shape, ids=sorted(ids), now=self.now)

    def collection_count(self, model):
        """How many public items `model` has (no filter given). Where the default language
        stands in for missing translations, as many as it has: a public translation's original
        is public, and each public original shows once, as itself or as its one translation
        (tests/pages/test_selectors.py), so its listing index counts them, not the rule's
        lookups per page of both languages."""
        content_type = ContentType.objects.get_for_model(model).pk
        rule = self.visibility.fallback or self.visibility
        return COLLECTION_COUNT.rows((rule, content_type), now=self.now)

    def collection_page(self, model, ordering, offset, limit):
        """Ids of items `offset` to `offset + limit` of `model`'s public items in `ordering`
        (fields of every page: title, publication dates, id)."""
        content_type = ContentType.objects.get_for_model(model).pk
        shape = (self.visibility, content_type, tuple(ordering), offset, offset + limit)
        return [row["pk"] for row in COLLECTION_PAGE.rows(shape, now=self.now)]

    def rows_in_order(self, ids, shape):
        """Rows of the public pages among `ids` with their stored copies, in the order of
        `ids`. (Chosen first, joined after: the database sorts bare rows, not stored bytes.)"""
        found = {row["pk"]: row for row in self.pages_among(ids, shape)}
        return [found[pk] for pk in ids if pk in found]

    def _expiring(self, moment):
        if moment is not None:
            stamp = moment.timestamp()
            self.expires = stamp if self.expires is None else min(self.expires, stamp)

    def copies(self, rows, shape):
        """{page id: ItemCopy} of `shape` for page rows (from `with_stored`, already public): the
        stored copies whose pages are all still public, the others represented now."""
        rows = list(rows)
        for row in rows:
            self._expiring(row["expire_at"])
        candidates = {row["pk"]: row for row in rows if row["stored_body"] is not None}
        shown = {pk: page_ids_of(row["stored_keys"].split()) for pk, row in candidates.items()}
        public = {}  # by the rule each copy was built with: its own language's
        for locale_id in {row["locale_id"] for row in candidates.values()}:
            linked = set().union(
                *(shown[pk] for pk, row in candidates.items() if row["locale_id"] == locale_id)
            )
            public[locale_id] = self.public_expiry(linked - set(candidates), locale_id)
            public[locale_id].update(dict.fromkeys(candidates))  # public: they came from the rule
        versions = self.public_versions(
            {pk: shown[pk] - public[row["locale_id"]].keys() for pk, row in candidates.items()}
        )
        found = {}
        for pk, row in candidates.items():
            public_here = public[row["locale_id"]]
            own_versions = versions.get(row["translation_key"], {})
            if shown[pk] <= public_here.keys() | own_versions.keys():
                for page_id in shown[pk]:
                    self._expiring(public_here.get(page_id, own_versions.get(page_id)))
                keys = tuple(row["stored_keys"].split())
                body = with_origin(bytes(row["stored_body"]))
                language = self.visibility.language_of(row["locale_id"])
                found[pk] = ItemCopy(pk, body, row["stored_digest"], keys, language)
                self.keys.update(keys)
        missing = [row for row in rows if row["pk"] not in found]
        if missing:
            found.update(self.represent_now(missing, shape))
        return found

    def public_versions(self, leftover):
        """{translation key: {id: expire_at}} of the pages among `leftover` ({copy's page id:
        the pages it shows that its language's rule does not make public}) that are public in
        their own language (one query, none when nothing is left over): a copy may show its
        own versions in other languages."""
        ids = set().union(*leftover.values())
        if not ids:
            return {}
        rows = PUBLIC_VERSIONS.rows((self.visibility.anywhere(),), ids=sorted(ids), now=self.now)
        found = {}
        for row in rows:
            found.setdefault(row["translation_key"], {})[row["pk"]] = row["expire_at"]
        return found

    def public_expiry(self, page_ids, locale_id=None):
        """{id: expire_at} of the public pages among `page_ids` (one query), by the rule a page
        in `locale_id` is represented with (by default, the reader's language's)."""
        if not page_ids:
            return {}
        locale_id = locale_id if locale_id is not None else self.visibility.locale_id
        rule = self.visibility.representing(locale_id)
        rows = PUBLIC_EXPIRY.rows((rule,), ids=sorted(page_ids), now=self.now)
        return {row["pk"]: row["expire_at"] for row in rows}

    def represent_now(self, rows, shape):
        """Pieces for items with no usable stored copy: represented as refresh would store
        them; a refresh is asked for, so the next request finds a current copy."""
        by_language = {}
        for row in rows:
            by_model = by_language.setdefault(row["locale_id"], {})
            by_model.setdefault(self.models[row["content_type_id"]], []).append(row["pk"])
        found = {}
        for locale_id, by_model in by_language.items():
            rule = self.visibility.representing(locale_id)  # as refresh would store them
            pages = load(by_model, rule, shape)
            with stored_origin():  # and the same fingerprints
                items = represent_pages(
                    pages, rule, shape, request=self.request, channel=self.channel
                )
            shown = set()
            for pk, item in items.items():
                body = stored.render(item.data)
                digest = stored.copy_digest(shape, item.data, body)
                keys = tuple(sorted(item.keys))
                found[pk] = ItemCopy(pk, with_origin(body), digest, keys, rule.language)
                self.keys.update(item.keys)
                shown |= page_ids_of(item.keys)
            shown -= {row["pk"] for row in rows}
            for moment in self.public_expiry(shown, locale_id).values():
                self._expiring(moment)
        ask_refresh(found)
        return found

    def expansions(self, pieces, expand):
        """({page id: parsed data}, {target id: list-shape ItemCopy}) for the relations named in
        `expand` of `pieces`."""
        parsed, target_ids = {}, set()
        for pk, piece in pieces.items():
            data = piece.data()
            refs = {name: [ref["id"] for ref in data.get(name, ())] for name in expand}
            parsed[pk] = data
            target_ids.update(*refs.values())
        return parsed, self.copies(self.pages_among(target_ids, LIST), LIST) if target_ids else {}

    def etag(self, signature, pieces, extra=()):
        """A weak ETag from the request's signature and the fingerprints of the pieces shown."""
        language = self.visibility.language
        digest = hashlib.sha256(
            f"{settings.API_BASE_URL}|{self.channel}|{language}|{signature}".encode()
        )
        for part in extra:
            digest.update(b"\n" + part)
        for piece in pieces:
            digest.update(f"\n{piece.page_id}:{piece.digest}".encode())
        return f'W/"{digest.hexdigest()[:40]}"'


def ask_refresh(pieces):
    """Queue a refresh of items served live, once per item per window, however many requests
    find them so (the worker's catch-up would get to them anyway)."""
    wanted = [pk for pk in pieces if cache.add(f"api:refresh-asked:{pk}", 1, REFRESH_ASKED_SECONDS)]
    if wanted:
        changes.queue_refresh(page_ids=wanted)


def with_fields_and_expand(piece, model, fields, expand, parsed=None, targets=None):
    """The bytes of one item with `fields=` and `expand=` applied, exactly as the serializers
    build them: expanded relations become the targets' list shapes plus the link's annotations,
    then the fieldset keeps what was asked for (and `id` and `type`)."""
    if not fields and not expand:
        return piece.body
    data = parsed if parsed is not None else piece.data()
    relations = expandable(model)
    for name in expand or ():
        annotations = relations[name].annotations
        data[name] = [
            {**targets[ref["id"]].data(), **{key: ref[key] for key in annotations}}
            for ref in data.get(name, ())
            if ref["id"] in targets
        ]
    if fields:
        data = {key: value for key, value in data.items() if key in fields or key in ALWAYS_FIELDS}
    return stored.render(data)


def signature(shape, fields, expand):
    """What, besides its items and envelope, decides the bytes of an answer. Not the path or
    the rest of the query: an answer must not differ by what it was asked with (a filter on a
    hidden slug answers like one on an unknown slug, ETag included)."""
    return f"{shape}|{','.join(sorted(fields or ()))}|{','.join(sorted(expand or ()))}"


def expanded_collections(model, expand, language=None):
    """The keys of the collections whose items an expansion of `model`'s relations shows (in
    `language` and the default language, which stands in for missing translations)."""
    relations = expandable(model)
    return sorted(
        {
            key
            for name in expand
            for target in relations[name].target_models
            for key in language_keys(registry.of(target).collection, language)
        }
    )


def language_keys(collection, language=None):
    """The collection keys of an answer in `language`: the language's own, and the default
    language's (its items stand in for missing translations)."""
    return sorted({collection_key(collection), collection_key(collection, language)})


def item_answer(reader, model, rows, fields=None, expand=(), extra_keys=()):
    """The detail of the one item among `rows`, or None when there is none."""
    pieces = reader.copies(rows, DETAIL)
    if not pieces:
        return None
    (piece,) = pieces.values()
    language = reader.visibility.language
    parsed, targets = (None, {})
    if expand:
        found, targets = reader.expansions(pieces, expand)
        parsed = found[piece.page_id]
    shown = [piece, *sorted(targets.values(), key=lambda p: p.page_id)]
    return ResponseParts(
        etag=reader.etag(signature(DETAIL, fields, expand), shown),
        keys=[*extra_keys, *sorted(reader.keys)],
        expires=reader.expires,
        body=lambda: piece.as_answered(
            with_fields_and_expand(piece, model, fields, expand, parsed, targets), language
        ),
        validators=[page_key(piece.page_id), *expanded_collections(model, expand, language)],
        headers={"Content-Language": piece.language},
    )


def page_answer(reader, rows, envelope, fields=None, expand=(), keys=(), model=None):
    """A list answer: `rows` the items of one page, in order (from `with_stored`), `envelope`
    the list's {"count", "next", "previous"}; `keys` its collection keys (they validate a cached
    copy: every change of an item purges its collection); `model` the items' type when expanding."""
    rows = list(rows)
    order = [row["pk"] for row in rows]
    models = {row["pk"]: reader.models[row["content_type_id"]] for row in rows}
    pieces = reader.copies(rows, LIST)
    language = reader.visibility.language
    parsed, targets = ({}, {})
    if expand:
        parsed, targets = reader.expansions(pieces, expand)
    shown = [pieces[pk] for pk in order if pk in pieces]
    shown += sorted(targets.values(), key=lambda p: p.page_id)

    def body():
        items = [
            pieces[pk].as_answered(
                with_fields_and_expand(
                    pieces[pk], models[pk], fields, expand, parsed.get(pk), targets
                ),
                language,
            )
            for pk in order
            if pk in pieces
        ]
        head = stored.render(envelope)[:-1]  # {"count":..,"next":..,"previous":..
        return head + b',"results":[' + b",".join(items) + b"]}"

    return ResponseParts(
        etag=reader.etag(signature(LIST, fields, expand), shown, [stored.render(envelope)]),
        keys=[*keys, *sorted(reader.keys)],
        expires=reader.expires,
        body=body,
        validators=[*keys, *(expanded_collections(model, expand, language) if expand else [])],
        headers={"Content-Language": language},
    )


def earliest(moments):
    """The unix time of the earliest of `moments` (expiry dates, None for none); None if none."""
    return min((moment.timestamp() for moment in moments if moment is not None), default=None)


def fixed_answer(body, keys, validators, expires=None):
    """The ResponseParts of a body already built (a few rows of our own, no stored copies)."""
    return ResponseParts(
        etag=f'W/"{hashlib.sha256(body).hexdigest()[:40]}"',
        keys=keys,
        expires=expires,
        body=lambda: body,
        validators=validators,
    )
