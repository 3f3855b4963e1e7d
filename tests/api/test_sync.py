"""Delta sync (GET /api/v1/sync/, api/channels/sync.py) as an app uses it: a first pass through
every public item, then only what changed, with tombstones; cursors signed, pinned and expiring."""

import datetime
import json
import threading

from django.conf import settings as django_settings
from django.db import connection, transaction
from django.utils import timezone

from wagtail.models import Page, PageViewRestriction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from api.channels import sync
from api.models import ChangeMark, RepresentationState
from api.record.changes import catch_up, number_changes
from api.serving import stored
from pages.models import (
    CONTENT_PAGE_MODELS,
    CausePage,
    ConditionCauseLink,
    ConditionPage,
    TherapyPage,
    TherapyReliefLink,
)
from pages.selectors import Visibility
from shapes.represent import represent
from shapes.representation import APP, WEB
from shapes.serializers import DETAIL


def sync_pass(api, cursor=None, limit=100, **params):
    """Follow next_cursor while has_more: (items, deleted, the last next_cursor, pages)."""
    items, deleted, pages = [], [], 0
    while True:
        query = {"limit": limit, **params, **({"cursor": cursor} if cursor else {})}
        response = api.get("/api/v1/sync/", query)
        assert response.status_code == 200, response.content
        body = response.json()
        assert set(body) == {"items", "deleted", "next_cursor", "has_more"}
        items += body["items"]
        deleted += body["deleted"]
        cursor, pages = body["next_cursor"], pages + 1
        if not body["has_more"]:
            return items, deleted, cursor, pages


@pytest.fixture
def app(seeded, client):
    return client


def public_ids():
    visibility = Visibility.compute()
    return {
        pk
        for model in CONTENT_PAGE_MODELS
        for pk in visibility.pages(model).values_list("pk", flat=True)
    }


def test_the_first_sync_pages_through_every_public_item_once(app):
    items, deleted, _, pages = sync_pass(app, limit=4)
    ids = [item["id"] for item in items]
    assert len(ids) == len(set(ids)) and set(ids) == public_ids()
    assert pages == -(-len(ids) // 4) and deleted == []
    # in the app channel's detail shape, as stored
    therapy = next(item for item in items if item["slug"] == "ketamine-infusion-therapy")
    expected = represent(TherapyPage, [therapy["id"]], Visibility.compute(), DETAIL, channel=APP)
    assert therapy == json.loads(stored.render(expected[therapy["id"]].data))
    assert isinstance(therapy["mechanism_of_action"], list)


def test_nothing_changed_means_an_empty_sync(app):
    _, _, cursor, _ = sync_pass(app)
    assert sync_pass(app, cursor)[:2] == ([], [])


def test_editing_a_linked_page_title_syncs_the_pages_that_show_it(app):
    _, _, cursor, _ = sync_pass(app)
    shingles = CausePage.objects.get(slug="shingles")
    shingles.title = "Shingles (herpes zoster)"
    shingles.save_revision().publish()
    items, deleted, cursor, _ = sync_pass(app, cursor)
    slugs = sorted(item["slug"] for item in items)
    assert slugs == ["ketamine-infusion-therapy", "neuropathic-pain", "shingles"]
    condition = next(item for item in items if item["slug"] == "neuropathic-pain")
    assert "Shingles (herpes zoster)" in [cause["title"] for cause in condition["causes"]]
    assert deleted == []
    assert sync_pass(app, cursor)[:2] == ([], [])  # each change once


def test_types_limit_what_syncs_and_stay_with_the_cursor(app):
    items, _, cursor, _ = sync_pass(app, types="conditions,therapies")
    assert {item["type"] for item in items} == {"condition", "therapy"}
    response = app.get("/api/v1/sync/", {"cursor": cursor, "types": "causes"})
    assert response.status_code == 400
    assert "types" in response.json()["errors"]
    shingles = CausePage.objects.get(slug="shingles")
    shingles.save_revision().publish()  # no visible change to anything
    shingles.title = "Shingles again"
    shingles.save_revision().publish()
    items, _, _, _ = sync_pass(app, cursor)
    assert {item["type"] for item in items} == {"condition", "therapy"}


def hide_by_unpublishing(page):
    page.unpublish()


def hide_by_expiry(page):
    page.expire_at = timezone.now() + datetime.timedelta(minutes=5)
    page.save_revision().publish()
    return "expire"


def hide_by_restriction(page):
    PageViewRestriction.objects.create(page=page, restriction_type="login")


def hide_by_moving_out_of_the_site(page):
    page.move(Page.get_first_root_node(), pos="last-child")


def hide_by_deleting(page):
    # links to a page protect it: an editor removes them first
    ConditionCauseLink.objects.filter(cause=page).delete()
    TherapyReliefLink.objects.filter(target=page).delete()
    page.delete()


@pytest.mark.parametrize(
    "hide",
    [
        hide_by_unpublishing,
        hide_by_expiry,
        hide_by_restriction,
        hide_by_moving_out_of_the_site,
        hide_by_deleting,
    ],
)
def test_an_item_that_leaves_the_public_syncs_as_a_tombstone(app, freezer, hide):
    amputation = CausePage.objects.get(slug="amputation")
    pk = amputation.pk
    _, _, cursor, _ = sync_pass(app)
    if hide(amputation) == "expire":
        _, _, cursor, _ = sync_pass(app, cursor)  # the expiry date's publication
        freezer.tick(600)  # the date passes: no signal fires, the worker's catch-up sees it
        catch_up()
    items, deleted, cursor, _ = sync_pass(app, cursor)
    assert deleted == [{"type": "cause", "id": pk, "slug": "amputation"}]
    assert pk not in {item["id"] for item in items}
    # the pages that linked to it show it no more
    assert "neuropathic-pain" in {item["slug"] for item in items}
    assert f'"id":{pk},' not in str(items).replace(" ", "").replace("'", '"')
    assert sync_pass(app, cursor)[:2] == ([], [])


def test_a_first_sync_never_lists_tombstones(app):
    CausePage.objects.get(slug="amputation").unpublish()
    items, deleted, _, _ = sync_pass(app)
    assert deleted == [] and "amputation" not in {item["slug"] for item in items}


def test_an_item_edited_mid_pass_comes_once_in_the_next_pass(app):
    response = app.get("/api/v1/sync/", {"limit": 2})
    first = response.json()
    seen = [item["slug"] for item in first["items"]]
    # edit an item the pass has already served and one it has not reached yet
    done = ConditionPage.objects.get(slug="neuropathic-pain")
    later = TherapyPage.objects.get(slug="ketamine-infusion-therapy")
    for page in (done, later):
        page.summary += " (edited)"
        page.save_revision().publish()
    items, _, cursor, _ = sync_pass(app, first["next_cursor"], limit=2)
    this_pass = seen + [item["slug"] for item in items]
    assert len(this_pass) == len(set(this_pass))
    assert "ketamine-infusion-therapy" not in this_pass  # it moved past the pass's bound
    items, _, _, _ = sync_pass(app, cursor)
    assert {item["slug"] for item in items} == {"neuropathic-pain", "ketamine-infusion-therapy"}
    assert all(item["summary"].endswith("(edited)") for item in items)


@pytest.mark.parametrize(
    "cursor",
    ["nonsense", "eyJzaW5jZSI6MH0:abc", "a" * 3000, "x:y:z", "%00"],
)
def test_a_malformed_cursor_is_a_400_problem(app, cursor):
    response = app.get("/api/v1/sync/", {"cursor": cursor})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert "cursor" in response.json()["errors"]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300) | st.from_regex(sync.CURSOR_PATTERN, fullmatch=True))
def test_any_text_is_a_cursor_or_refused(raw):
    try:
        cursor = sync.Cursor.decode(raw)
    except sync.BadCursor:
        return
    assert isinstance(cursor, sync.Cursor)  # only one this server signed (none, here)


def test_a_tampered_cursor_is_a_400_problem(app):
    _, _, cursor, _ = sync_pass(app)
    value, signature = cursor.rsplit(":", 1)
    forged = sync.Cursor(since=0, upto=None).encode().rsplit(":", 1)[0] + ":" + signature
    for tampered in (value + ":" + signature[::-1], forged):
        response = app.get("/api/v1/sync/", {"cursor": tampered})
        assert response.status_code == 400, tampered


def test_bad_parameters_are_400_problems(app):
    for query in ({"limit": "0"}, {"limit": "101"}, {"types": "pages"}, {"channel": "email"}):
        response = app.get("/api/v1/sync/", query)
        assert response.status_code == 400, query
        assert set(query) <= set(response.json()["errors"])


def test_a_cursor_older_than_the_kept_tombstones_is_gone(app, freezer):
    _, _, cursor, _ = sync_pass(app)
    CausePage.objects.get(slug="amputation").unpublish()
    _, deleted, recent, _ = sync_pass(app, cursor)
    assert len(deleted) == 1
    freezer.tick(datetime.timedelta(days=91))
    assert sync.prune_tombstones() == 1
    response = app.get("/api/v1/sync/", {"cursor": cursor})
    assert response.status_code == 410
    problem = response.json()
    assert problem["type"].endswith("/api/v1/problems/sync-cursor-expired/")
    assert app.get(problem["type"]).status_code == 200
    # a cursor taken after the pruned tombstone lost nothing: still good
    assert app.get("/api/v1/sync/", {"cursor": recent}).status_code == 200
    assert sync.prune_tombstones() == 0


def test_sync_is_cacheable(app):
    response = app.get("/api/v1/sync/", {"limit": 3})
    assert response["ETag"] and "collection-sync" in response["Surrogate-Key"]
    again = app.get("/api/v1/sync/", {"limit": 3}, headers={"If-None-Match": response["ETag"]})
    assert again.status_code == 304


def test_the_web_channel_syncs_the_web_shape(app):
    items, _, cursor, _ = sync_pass(app, channel=WEB)
    therapy = next(item for item in items if item["slug"] == "ketamine-infusion-therapy")
    assert isinstance(therapy["mechanism_of_action"], str)
    assert app.get("/api/v1/sync/", {"cursor": cursor, "channel": APP}).status_code == 400
    assert app.get("/api/v1/sync/", {"cursor": cursor}).status_code == 200


def cursor_at(number):
    """A cursor between passes, after change `number` (which a numbering transaction ended at)."""
    return sync.Cursor(since=number, nonce=ChangeMark.objects.get(number=number).nonce)


ON_POSTGRESQL = django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


# Decided before any fixture: a transactional test flushes the database, even when it skips.
@pytest.mark.skipif(not ON_POSTGRESQL, reason="needs PostgreSQL: set DATABASE_URL=postgres://")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_change_numbers_follow_commit_order_on_postgresql():
    """Two refreshes commit out of order: the one that numbers first holds the counter until it
    commits, so a reader never sees a later number before an earlier one (a sequence would let
    the second commit first, and a sync between the two commits would skip the first)."""
    state_a = RepresentationState.objects.create(
        page_id=900001, type="cause", slug="a", changed_at=timezone.now()
    )
    state_b = RepresentationState.objects.create(
        page_id=900002, type="cause", slug="b", changed_at=timezone.now()
    )
    with transaction.atomic():
        number_changes([state_a, state_b])
        state_a.save()
        state_b.save()
    cursor = cursor_at(sync.counter().last)
    a_numbered, b_done, release_a = threading.Event(), threading.Event(), threading.Event()
    errors = []

    def refresh(state, before=None, after=None):
        try:
            with transaction.atomic():
                if before:
                    before.wait(10)
                number_changes([state])
                state.save()
                if after:
                    after.set()
                    release_a.wait(10)
            if before:
                b_done.set()
        except Exception as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
        finally:
            connection.close()

    a = threading.Thread(target=refresh, args=(state_a, None, a_numbered))
    b = threading.Thread(target=refresh, args=(state_b, a_numbered))
    a.start()
    b.start()
    a_numbered.wait(10)
    assert not b_done.wait(1)  # B waits for A's commit to take a number
    seen = sync.read(cursor, 100)
    assert seen.rows == []  # neither has committed
    release_a.set()
    a.join(10)
    b.join(10)
    assert not errors
    rows = sync.read(cursor, 100).rows
    assert [row["page_id"] for row in rows] == [900001, 900002], (cursor, rows, sync.counter())
    assert rows[0]["change"] < rows[1]["change"]
    # a reader that read between the two commits still finds B after its cursor
    middle = cursor_at(rows[0]["change"])
    assert [row["page_id"] for row in sync.read(middle, 100).rows] == [900002]


def test_stored_copies_keep_an_app_fingerprint(app):
    state = RepresentationState.objects.get(slug="ketamine-infusion-therapy")
    assert state.app_fingerprint and state.app_fingerprint != state.fingerprint
    assert stored.is_current(state)


def test_a_review_status_moving_with_the_calendar_syncs_the_item(app, freezer):
    from api.record.changes import refresh_review_status

    _, _, cursor, _ = sync_pass(app)
    freezer.move_to("2027-02-20")  # the seed's next review is due 2027-03-10: now due soon
    assert refresh_review_status() >= 1
    items, _, _, _ = sync_pass(app, cursor)
    moved = {item["slug"]: item["medical_review"]["status"] for item in items}
    assert moved and set(moved.values()) == {"due_soon"}
