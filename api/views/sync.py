"""GET /api/v1/sync/: delta sync for offline clients (api/channels/sync.py)."""

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.views import APIView

from api.channels import sync
from api.http import locales
from api.http.params import Query, channel_param, parse_bounded_int, subset_param
from api.http.problems import PROBLEM_CONTENT_TYPE, BadQuery, Gone
from api.http.schema import (
    ERROR_RESPONSES,
    LOCALE_REDIRECT,
    ProblemSerializer,
    channel_parameter,
    items_of_any_type_by_channel,
    locale_parameters,
)
from api.serving.read_path import ItemReader, ResponseParts, language_keys
from api.serving.stored import render
from api.views.content import names_pattern
from api.views.reading import AnsweringMixin
from pages.selectors import default_language
from shapes import registry
from shapes.representation import APP
from shapes.schema import ItemTypeChoiceField
from shapes.serializers import DETAIL, serializers_by_channel

LIMIT_MAX = 100
LIMITS = (LIMIT_MAX, 1, LIMIT_MAX)  # default, minimum, maximum
TYPES_MAX_LENGTH = 200
CURSOR_SCHEMA = {"type": "string", "pattern": f"^{sync.CURSOR_PATTERN.pattern}$"}
NOT_SIGNED_HERE = (
    "A cursor is signed: one this server did not sign (changed, truncated, made up, or from "
    "another deployment) is a 400 `invalid-parameters` problem naming `cursor`, however "
    "well-formed; sync again without it."
)


def types_by_collection():
    """{collection: type} of every registered type."""
    return {item_type.collection: item_type.name for item_type in registry.item_types()}


class TombstoneSerializer(serializers.Serializer):
    """An item that left the public (unpublished, deleted, expired, made private or moved out
    of the site) since the cursor: remove it. Only what it was last served with publicly."""

    type = ItemTypeChoiceField()
    id = serializers.IntegerField()
    slug = serializers.SlugField()


class SyncPageSerializer(serializers.Serializer):
    """One page of a sync pass: items changed (or, on the first pass, all public items) in the
    channel's detail shape, each once, and tombstones of items to remove."""

    items = items_of_any_type_by_channel(
        "SyncItem",
        serializers_by_channel(DETAIL),
        many=True,
    )
    deleted = TombstoneSerializer(many=True)
    next_cursor = serializers.CharField(
        help_text="Opaque; send it as `cursor` for the next page, or, once `has_more` is "
        "false, for the next sync (keep it with the local copy)."
    )
    has_more = serializers.BooleanField(help_text="More pages in this pass: fetch them now.")


EXAMPLE = {
    "items": [{"id": 7, "type": "therapy", "slug": "ketamine-infusion-therapy", "...": "..."}],
    "deleted": [{"type": "condition", "id": 12, "slug": "old-condition"}],
    "next_cursor": "eyJzaW5jZSI6NDJ9:1u2v3w...",
    "has_more": False,
}


class SyncView(locales.AnswersInLanguage, AnsweringMixin, APIView):
    """Delta sync. The first call (no `cursor`) pages through every public item; each later
    call with the last `next_cursor` returns only the items whose representation changed since
    (a linked page's title, a snippet it shows, a review status move all count), each once in
    its newest version, and `deleted` tombstones. Follow `next_cursor` while `has_more`; keep
    the last one for the next sync."""

    http_method_names = ["get", "head"]

    @extend_schema(
        summary="Sync content for offline use",
        parameters=[
            OpenApiParameter(
                "cursor",
                CURSOR_SCHEMA,
                description="The `next_cursor` of a previous response, exactly as it came; "
                f"leave it out to start. {NOT_SIGNED_HERE}",
            ),
            OpenApiParameter(
                "limit",
                {"type": "integer", "minimum": 1, "maximum": LIMIT_MAX, "default": LIMIT_MAX},
                description="Entries (items and tombstones) per page.",
            ),
            OpenApiParameter(
                "types",
                {
                    "type": "string",
                    "pattern": names_pattern(sorted(types_by_collection())),
                    "maxLength": TYPES_MAX_LENGTH,
                },
                description="Comma-separated collections to sync (default: all): "
                f"{', '.join(types_by_collection())}. A cursor keeps the types it started with.",
            ),
            channel_parameter(default=APP),
            *locale_parameters(),
        ],
        responses={
            **LOCALE_REDIRECT,
            200: OpenApiResponse(
                SyncPageSerializer,
                examples=[OpenApiExample("An incremental sync", EXAMPLE, response_only=True)],
            ),
            (410, PROBLEM_CONTENT_TYPE): OpenApiResponse(
                ProblemSerializer,
                description="The cursor can no longer be followed (older than the deletions "
                "kept, issued before the database was restored from a backup, or by another "
                "version of this API): sync again without one.",
            ),
            **{k: v for k, v in ERROR_RESPONSES.items() if k != (404, PROBLEM_CONTENT_TYPE)},
            (400, PROBLEM_CONTENT_TYPE): OpenApiResponse(
                ProblemSerializer,
                description=f"Invalid query parameters, each named in `errors`. {NOT_SIGNED_HERE}",
            ),
        },
    )
    def get(self, request):
        query = Query(request, {"cursor", "limit", "types", "channel", locales.PARAM})
        limit = query.value("limit", lambda: parse_bounded_int(request, "limit", *LIMITS))
        known = types_by_collection()
        chosen = query.value(
            "types",
            lambda: subset_param(request, "types", known, "collection(s)", TYPES_MAX_LENGTH),
        )
        types = tuple(sorted(known[name] for name in chosen)) if chosen else None
        channel = query.value("channel", lambda: channel_param(request, default=None))
        language = query.value(locales.PARAM, lambda: locales.locale_param(request))
        raw = request.query_params.get("cursor")
        cursor = query.value("cursor", lambda: self.cursor(raw, types, channel, language))
        query.done()
        if isinstance(cursor, sync.ExpiredCursor):  # only once every parameter is valid
            raise expired(cursor)
        # a cursor keeps its language: only a first call negotiates one
        given = language is not None or raw is not None
        self.choice = locales.LanguageChoice(cursor.language, given, cursor.channel)
        return self.answered_in_language(request, lambda: self.sync_answer(cursor, limit))

    def cursor(self, raw, types, channel, language):
        if raw is None:
            return sync.Cursor(types=types or (), channel=channel or APP, language=language or "")
        if not sync.CURSOR_PATTERN.fullmatch(raw):
            raise BadQuery({"cursor": ["Not a cursor: send a `next_cursor` as it came."]})
        try:
            cursor = sync.Cursor.decode(raw)
        except sync.ExpiredCursor as error:  # ours, of another format: 410 (see `get`)
            return error
        except sync.BadCursor:
            raise BadQuery(
                {
                    "cursor": [
                        "Not a cursor of this API (changed or truncated): send a "
                        "`next_cursor` as it came, or leave it out to sync from scratch."
                    ]
                }
            ) from None
        if types is not None and types != cursor.types:
            raise BadQuery({"types": ["This cursor syncs other types; leave `types` out."]})
        if channel is not None and channel != cursor.channel:
            raise BadQuery({"channel": ["This cursor syncs another channel; leave it out."]})
        if language is not None and language != cursor.language:
            raise BadQuery({locales.PARAM: ["This cursor syncs another language; leave it out."]})
        return cursor

    def sync_answer(self, cursor, limit):
        visibility = self.choice.visibility()
        languages = sorted(
            {cursor.language, *([default_language()] if visibility.fallback else [])}
        )
        try:
            page = sync.read(cursor, limit, languages)
        except sync.ExpiredCursor as error:
            raise expired(error) from None
        reader = ItemReader(visibility, self.request, cursor.channel)
        ids = [row["page_id"] for row in page.rows if row["public"]]
        pieces = reader.copies(reader.rows_in_order(ids, DETAIL), DETAIL)
        shown = [pieces[pk] for pk in ids if pk in pieces]
        # Left the public, or not what this language serves in its place (a translation
        # published, the default language's item standing in again): a tombstone, after the
        # first pass (which has nothing to take back).
        gone = [
            row
            for row in page.rows
            if not row["public"] or (not cursor.initial and row["page_id"] not in pieces)
        ]
        deleted = render([sync.tombstone(row) for row in gone])
        tail = b',"next_cursor":' + render(page.next_cursor.encode())
        tail += b',"has_more":' + (b"true" if page.has_more else b"false") + b"}"
        known = types_by_collection()
        kinds = cursor.types or tuple(known.values())
        collections = sorted(
            key
            for c, kind in known.items()
            if kind in kinds
            for key in language_keys(c, cursor.language)
        )
        validators = [*collections, sync.SYNC_KEY]
        return ResponseParts(
            etag=reader.etag(f"sync|{DETAIL}", shown, [deleted, tail]),
            keys=[*validators, *sorted(reader.keys)],
            expires=reader.expires,
            body=lambda: (
                b'{"items":['
                + b",".join(piece.as_answered(piece.body, cursor.language) for piece in shown)
                + b'],"deleted":'
                + deleted
                + tail
            ),
            validators=validators,
        )


def expired(error):
    """The 410 for a cursor this server made but can no longer follow
    (api.channels.sync.ExpiredCursor)."""
    return Gone(str(error), "sync-cursor-expired")
