"""Sync cursors and restores (api/channels/sync.py): a cursor holds the change number it reached and
that number's random mark, so a cursor issued by a database since restored from an older backup is
answered 410, although the restored database reuses the lost change numbers; cursors carry a
format version. (tests/resilience/test_restore.py restores a real PostgreSQL backup.)"""

import datetime

from django.core import signing

import pytest

from api.channels import sync
from api.models import ChangeCounter, ChangeMark, RepresentationDependency, RepresentationState
from pages.models import CausePage, ConditionPage, TherapyPage
from tests.api.test_sync import sync_pass

SEED_ONCE = True  # every database test here reads the seed (tests/conftest.py)

RECORD = (ChangeCounter, ChangeMark, RepresentationState, RepresentationDependency)


@pytest.fixture
def app(seeded, client):
    return client


def backed_up():
    """A copy of the change record now; calling the result puts it back, as restoring a backup
    taken now would (the pages keep their later edits: sync reads only the record)."""
    rows = {model: list(model.objects.values()) for model in RECORD}

    def restore():
        for model in reversed(RECORD):
            model.objects.all().delete()
        for model in RECORD:
            model.objects.bulk_create(model(**row) for row in rows[model])

    return restore


def edit(slug, model=ConditionPage):
    page = model.objects.get(slug=slug)
    page.summary += " (edited)"
    page.save_revision().publish()


def gone(response):
    assert response.status_code == 410, response.content
    problem = response.json()
    assert problem["type"].endswith("/api/v1/problems/sync-cursor-expired/")
    return problem["detail"]


def test_a_cursor_from_after_the_backup_is_gone_after_the_restore(app):
    _, _, at_backup, _ = sync_pass(app)
    restore = backed_up()
    edit("neuropathic-pain")
    CausePage.objects.get(slug="amputation").unpublish()
    items, deleted, after, _ = sync_pass(app, at_backup)
    assert items and deleted  # the app now holds edits the restore will undo
    restore()
    assert "restored" in gone(app.get("/api/v1/sync/", {"cursor": after}))
    # the restored database numbers new changes with the lost numbers, never with their marks
    lost = sync.Cursor.decode(after).mark
    while ChangeCounter.objects.get().last < lost:
        edit("ketamine-infusion-therapy", TherapyPage)
    reused = ChangeMark.objects.filter(number=lost).first()
    assert reused is None or reused.nonce != sync.Cursor.decode(after).nonce
    gone(app.get("/api/v1/sync/", {"cursor": after}))
    # a cursor from before the backup saw nothing that was lost: it gets what changed since
    items, _, _, _ = sync_pass(app, at_backup)
    assert "ketamine-infusion-therapy" in {item["slug"] for item in items}
    # and syncing from scratch works
    items, _, cursor, _ = sync_pass(app)
    assert items and sync_pass(app, cursor)[:2] == ([], [])


def test_a_pass_pinned_after_the_backup_is_gone_mid_pass(app):
    restore = backed_up()
    edit("neuropathic-pain")
    first = app.get("/api/v1/sync/", {"limit": 2}).json()
    assert first["has_more"]
    restore()
    gone(app.get("/api/v1/sync/", {"cursor": first["next_cursor"], "limit": 2}))


def test_a_cursor_whose_change_was_superseded_stays_good(app):
    """The item that carried the cursor's change number changes again (its number moves on):
    nothing was restored, so the cursor still works and gets the new change once."""
    _, _, cursor, _ = sync_pass(app)
    edit("neuropathic-pain")
    _, _, cursor, _ = sync_pass(app, cursor)
    mark = sync.Cursor.decode(cursor).mark
    assert RepresentationState.objects.filter(change=mark).exists()
    edit("neuropathic-pain")
    assert not RepresentationState.objects.filter(change=mark).exists()
    items, _, cursor, _ = sync_pass(app, cursor)
    assert [item["slug"] for item in items] == ["neuropathic-pain"]
    assert sync_pass(app, cursor)[:2] == ([], [])


def test_each_numbering_transaction_leaves_one_random_mark(app):
    before = set(ChangeMark.objects.values_list("number", "nonce"))
    edit("neuropathic-pain")
    new = set(ChangeMark.objects.values_list("number", "nonce")) - before
    assert len(new) == 1
    ((number, nonce),) = new
    assert number == ChangeCounter.objects.get().last and len(nonce) == 32


def signed(data):
    return signing.Signer(salt=sync.SALT).sign_object(data, compress=True)


def test_a_cursor_carries_its_version_and_mark(app):
    _, _, raw, _ = sync_pass(app)
    data = signing.Signer(salt=sync.SALT).unsign_object(raw)
    assert data["v"] == sync.CURSOR_VERSION == 2
    assert data["nonce"] == ChangeMark.objects.get(number=data["since"]).nonce
    assert sync.Cursor.decode(raw).encode() == raw


@pytest.mark.parametrize("version", [None, 1, 3])
def test_a_cursor_of_another_format_is_gone(app, version):
    """One issued before cursors held a mark (no `v`) cannot be checked against a restore;
    one of a newer format (a release since rolled back) cannot be read: sync from scratch."""
    _, _, raw, _ = sync_pass(app)
    data = signing.Signer(salt=sync.SALT).unsign_object(raw)
    del data["v"], data["nonce"]
    if version is not None:
        data["v"] = version
    assert "another version" in gone(app.get("/api/v1/sync/", {"cursor": signed(data)}))
    # other invalid parameters are named first
    response = app.get("/api/v1/sync/", {"cursor": signed(data), "limit": "0"})
    assert response.status_code == 400 and set(response.json()["errors"]) == {"limit"}


def test_a_cursor_with_another_mark_is_gone(app):
    _, _, raw, _ = sync_pass(app)
    data = signing.Signer(salt=sync.SALT).unsign_object(raw)
    for nonce in ("", "0" * 32):
        assert "restored" in gone(
            app.get("/api/v1/sync/", {"cursor": signed({**data, "nonce": nonce})})
        )
    missing = {key: value for key, value in data.items() if key != "nonce"}
    assert app.get("/api/v1/sync/", {"cursor": signed(missing)}).status_code == 400


def test_marks_go_once_the_counter_moved_past_them_longer_ago_than_tombstones_are_kept(
    app, freezer
):
    _, _, old, _ = sync_pass(app)
    freezer.tick(datetime.timedelta(days=1))
    edit("neuropathic-pain")
    _, _, recent, _ = sync_pass(app, old)
    freezer.tick(datetime.timedelta(days=90, hours=1))
    assert sync.prune_tombstones() == 0  # no tombstone to prune: the marks go all the same
    marks = list(ChangeMark.objects.values_list("number", flat=True))
    assert marks == [sync.Cursor.decode(recent).mark]  # the counter still stands at it
    assert "older than the deletions kept" in gone(app.get("/api/v1/sync/", {"cursor": old}))
    assert app.get("/api/v1/sync/", {"cursor": recent}).status_code == 200
