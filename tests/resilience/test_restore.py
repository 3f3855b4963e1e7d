"""Backups and restores with real processes (`manage.py backup`, `restore`; api/record/backups.py)
on PostgreSQL, Redis and gunicorn with the response cache on.

Restoring an older backup in place: an app's cursor from after the backup is answered 410
(the restored database reuses the lost change numbers, not their marks), a cursor from before
it still works, a fresh sync works, and the response cache (the same Redis, which held answers
of the lost edits) serves nothing from after the backup. Restoring into an empty database: the
same answers, ETags and bodies, as the original served when the backup was taken, and the same
media files."""

import json
import os
import urllib.error
import uuid

import pytest

from tests.servers import fetch, fresh_database, gunicorn, manage, production_env

pytestmark = [pytest.mark.server, pytest.mark.redis, pytest.mark.postgres]

LIST = "/api/v1/conditions/?limit=100"
DETAIL = "/api/v1/conditions/neuropathic-pain/"
SYNC = "/api/v1/sync/?limit=100"


def get(base, path):
    """(status, ETag, body) of a GET, errors included."""
    try:
        status, headers, body = fetch(base + path)
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("ETag"), error.read()
    return status, headers.get("ETag"), body


def answers(base):
    return {path: get(base, path) for path in (LIST, DETAIL, SYNC)}


def sync_with(base, cursor):
    status, _, body = get(base, f"{SYNC}&cursor={cursor}")
    return status, json.loads(body)


def media_files(root):
    return {
        str(path.relative_to(root)): path.read_bytes() for path in root.rglob("*") if path.is_file()
    }


GIVE_HERO_IMAGE = """
import wagtail_factories
from pages.models import ConditionPage
page = ConditionPage.objects.get(slug="neuropathic-pain")
page.hero_image = wagtail_factories.ImageFactory(file__width=400, file__height=240)
page.hero_image_alt = "A nerve"
page.save_revision().publish()
"""
EDIT_AND_UNPUBLISH = """
from pages.models import CausePage, ConditionPage
page = ConditionPage.objects.get(slug="neuropathic-pain")
page.title = "Nerve pain (after the backup)"
page.save_revision().publish()
CausePage.objects.get(slug="amputation").unpublish()
"""


@pytest.fixture
def postgresql():
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.skip("needs PostgreSQL: set DATABASE_URL=postgres://...")


def test_restoring_an_older_backup_in_place_and_into_an_empty_database(
    postgresql, redis_url, tmp_path
):
    backup = tmp_path / "backup"
    with fresh_database(tmp_path) as original, fresh_database(tmp_path) as empty:
        common = {
            "REDIS_URL": redis_url,  # one Redis, one key prefix for both databases
            "CACHE_KEY_PREFIX": f"restore-{uuid.uuid4().hex[:8]}",
            "API_RESPONSE_CACHE_SECONDS": "300",
        }
        env = production_env(original, MEDIA_ROOT=str(tmp_path / "media"), **common)
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "seed_content", "-v", "0")
        manage(env, "shell", "-c", GIVE_HERO_IMAGE)
        manage(env, "run_worker", "--once", "-v", "0")  # stores every item (renditions made)
        with gunicorn(env) as (base, _):
            at_backup = answers(base)
            assert {status for status, _, _ in at_backup.values()} == {200}
            cursor_at_backup = json.loads(at_backup[SYNC][2])["next_cursor"]
            output = manage(env, "backup", "--output", str(backup))
            assert "Backup written" in output
            manage(env, "shell", "-c", EDIT_AND_UNPUBLISH)
            manage(env, "run_worker", "--once", "-v", "0")
            for _ in range(2):  # served, then cached in Redis
                assert b"after the backup" in get(base, DETAIL)[2]
            status, body = sync_with(base, cursor_at_backup)
            assert status == 200 and body["items"] and body["deleted"]
            cursor_after_backup = body["next_cursor"]
        media = media_files(tmp_path / "media")
        assert any(name.startswith("original_images/") for name in media)

        # in place, with the web processes stopped (the documented procedure)
        output = manage(env, "restore", "--input", str(backup), "--noinput")
        assert "Restored" in output
        with gunicorn(env) as (base, _):
            status, problem = sync_with(base, cursor_after_backup)
            assert status == 410, problem
            assert problem["type"].endswith("/problems/sync-cursor-expired/")
            # a cursor from before the backup lost nothing: nothing changed since, it stays
            unchanged = {"items": [], "deleted": [], "next_cursor": cursor_at_backup}
            assert sync_with(base, cursor_at_backup) == (200, {**unchanged, "has_more": False})
            assert answers(base) == at_backup  # nothing cached after the backup is served
            status, body = sync_with(base, json.loads(get(base, SYNC)[2])["next_cursor"])
            assert status == 200 and body["items"] == body["deleted"] == []

        # into an empty database, with another media folder, beside the original
        copy = production_env(empty, MEDIA_ROOT=str(tmp_path / "copy-media"), **common)
        manage(copy, "restore", "--input", str(backup), "--noinput")
        assert media_files(tmp_path / "copy-media") == media
        with gunicorn(copy) as (copy_base, _), gunicorn(env) as (base, _):
            assert answers(copy_base) == at_backup
            assert answers(base) == at_backup
