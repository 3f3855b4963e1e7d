"""Purges reach every process sharing the cache: one process publishes or unpublishes, a
separate gunicorn (production settings, Redis, the response cache on) serves the new content at
once; what the worker refreshes is served right after its round."""

import json
import uuid

import pytest

from tests.servers import fetch, fresh_database, gunicorn, manage, production_env

pytestmark = [pytest.mark.server, pytest.mark.redis]


def in_another_process(env, code):
    manage(env, "shell", "-c", code)


def get(base, path):
    try:
        status, headers, body = fetch(base + path)
    except OSError as error:  # urllib raises on 4xx
        return getattr(error, "code", None), b""
    return status, body


def title(base, path):
    status, body = get(base, path)
    assert status == 200, (path, status, body[:300])
    return json.loads(body)["title"]


def test_a_change_in_one_process_is_served_by_another_at_once(redis_url, tmp_path):
    with fresh_database(tmp_path) as database_url:
        env = production_env(
            database_url,
            REDIS_URL=redis_url,
            CACHE_KEY_PREFIX=f"xproc-{uuid.uuid4().hex[:8]}",
            API_RESPONSE_CACHE_SECONDS="300",
            MEDIA_ROOT=str(tmp_path / "media"),
        )
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "seed_content", "-v", "0")
        manage(env, "run_worker", "--once", "-v", "0")  # stores every item
        with gunicorn(env) as (base, _):
            cause, condition = "/api/v1/causes/shingles/", "/api/v1/conditions/neuropathic-pain/"
            assert title(base, cause) == title(base, cause) == "Shingles"  # now cached
            get(base, condition)
            assert b"/causes/shingles/" in get(base, condition)[1]
            in_another_process(
                env,
                "from pages.models import CausePage\n"
                "page = CausePage.objects.get(slug='shingles')\n"
                "page.title = 'Herpes zoster'\n"
                "page.save_revision().publish()",
            )
            # its own answers at once (purged on commit; the stored copy predates the publish)
            assert title(base, cause) == "Herpes zoster"
            # the pages showing it, once the worker's round refreshed them
            manage(env, "run_worker", "--once", "-v", "0")
            assert b"Herpes zoster" in get(base, condition)[1]
            in_another_process(
                env,
                "from pages.models import CausePage\n"
                "CausePage.objects.get(slug='shingles').unpublish()",
            )
            # gone everywhere at once, before any worker round
            assert get(base, cause)[0] == 404
            status, body = get(base, condition)
            assert status == 200 and b"/causes/shingles/" not in body
            assert b"Herpes zoster" not in get(base, "/api/v1/causes/?limit=100")[1]
