"""Wagtail 8's autosave against what an editor saved and what a review or a schedule holds
(pages/governance.py: one_edit_at_a_time, KeepsHeldRevisions).

Autosave posts the edit form as the admin's JavaScript does (w-autosave: the form's fields,
`loaded_revision_id` and `loaded_revision_created_at` from the page, `overwrite_revision_id`
once it has made a revision of its own, `Accept: application/json`). It rewrites the latest
revision in place when the same user made it: never one a review task is about, one scheduled
to go live or the live one. And an autosave in flight when the editor presses "Save draft"
(found in chromium: it was checked for conflicts before that save committed and written after
it) never ends up newer than the save.
"""

import re
import threading

from django.db import connection
from django.urls import reverse

from wagtail.models import Revision, WorkflowState

import pytest

from pages.models import CausePage, Reference
from tests.pages.test_admin import page_form_data
from tests.pages.test_governance import edit, login
from tests.pages.test_snippet_review import reference_form

JSON = {"HTTP_ACCEPT": "application/json"}
LOADED = re.compile(r'name="(loaded_revision_id|loaded_revision_created_at)" value="([^"]*)"')


@pytest.fixture
def cause(seeded):
    return CausePage.objects.get(slug="shingles")


def page_url(page):
    return reverse("wagtailadmin_pages:edit", args=[page.pk])


def reference_url(reference):
    return reverse("wagtailsnippets_pages_reference:edit", args=[reference.pk])


def autosave(client, url, data, overwrite=None):
    """What w-autosave posts: the form as loaded in the page, with its revision markers."""
    loaded = dict(LOADED.findall(client.get(url).content.decode()))
    assert loaded, "the edit form carries no loaded revision"
    if overwrite is not None:
        data = {**data, "overwrite_revision_id": str(overwrite.pk)}
    return client.post(url, {**data, **loaded}, **JSON)


def test_an_autosave_makes_its_own_revision_then_rewrites_it(client, reviewer, cause):
    """Wagtail's behaviour, kept: the first autosave is a new revision, the next ones rewrite
    it (the chain the tests below must not extend into a held revision)."""
    login(client, reviewer)
    data = page_form_data(CausePage, reviewer=cause.reviewed_by, slug=cause.slug)
    first = autosave(client, page_url(cause), {**data, "title": "Typing"})
    assert first.status_code == 200, first.content[:500]
    mine = Revision.objects.get(pk=first.json()["revision_id"])
    again = autosave(client, page_url(cause), {**data, "title": "Typing more"}, overwrite=mine)
    assert again.json()["revision_id"] == mine.pk
    mine.refresh_from_db()
    assert mine.content["title"] == "Typing more"


def test_an_autosave_never_rewrites_the_revision_under_review(client, reviewer, cause):
    login(client, reviewer)
    edit(client, cause, title="Shingles (for review)", **{"action-submit": "submit"})
    state = WorkflowState.objects.get(object_id=str(cause.pk), status="in_progress")
    submitted = state.current_task_state.revision
    assert submitted.user == reviewer
    assert CausePage.objects.get(pk=cause.pk).latest_revision_id == submitted.pk

    data = page_form_data(CausePage, reviewer=cause.reviewed_by, slug=cause.slug)
    response = autosave(
        client, page_url(cause), {**data, "title": "Typed after submitting"}, overwrite=submitted
    )
    assert response.status_code == 200, response.content[:500]
    assert response.json()["revision_id"] != submitted.pk  # a new revision on top of it
    submitted.refresh_from_db()
    assert submitted.content["title"] == "Shingles (for review)"  # what the review is about
    newer = Revision.objects.get(pk=response.json()["revision_id"])
    assert newer.content["title"] == "Typed after submitting"  # and nothing typed is lost


def test_a_snippet_autosave_never_rewrites_the_revision_under_review(client, reviewer, seeded):
    reference = Reference.objects.filter(live=True).first()
    login(client, reviewer)
    url = reference_url(reference)
    client.post(url, {**reference_form(reference, title="Under review"), "action-submit": "1"})
    state = WorkflowState.objects.get(object_id=str(reference.pk), status="in_progress")
    submitted = state.current_task_state.revision
    assert submitted.user == reviewer

    response = autosave(client, url, reference_form(reference, title="Typed"), overwrite=submitted)
    assert response.status_code == 200, response.content[:500]
    assert response.json()["revision_id"] != submitted.pk
    submitted.refresh_from_db()
    assert submitted.content["title"] == "Under review"


def test_a_scheduled_or_live_revision_is_never_rewritten(client, reviewer, cause, freezer):
    live = cause.live_revision
    assert live == cause.latest_revision and live.user is None  # seeded: nobody's
    rewritten = cause.save_revision(user=None, overwrite_revision=live)
    assert rewritten.pk != live.pk

    cause.refresh_from_db()
    cause.go_live_at = "2026-04-01T09:00:00Z"
    scheduled = cause.save_revision(user=reviewer)
    scheduled.publish(user=reviewer)
    scheduled.refresh_from_db()
    assert scheduled.approved_go_live_at is not None
    # the admin: Wagtail locks what is scheduled, autosave included
    login(client, reviewer)
    data = page_form_data(CausePage, reviewer=cause.reviewed_by, slug=cause.slug, title="Late")
    locked = autosave(client, page_url(cause), data, overwrite=scheduled)
    assert locked.status_code == 400 and locked.json()["error_code"] == "locked"
    # any other caller: a new revision, the schedule kept
    draft = CausePage.objects.get(pk=cause.pk).get_latest_revision_as_object()
    draft.title = "Rewritten"
    saved = draft.save_revision(user=reviewer, overwrite_revision=scheduled)
    assert saved.pk != scheduled.pk
    scheduled.refresh_from_db()
    assert scheduled.approved_go_live_at is not None
    assert scheduled.content["title"] == "Shingles"


# The race seen in chromium ------------------------------------------------------------------


def race(client, url, model, stale, saved, monkeypatch):
    """An autosave of the `stale` form state, checked for conflicts and then held while its
    form is validated (before anything it writes), while "Save draft" posts the `saved` one;
    the autosave goes on once the save has answered (or after 3 s, if the save is waiting for
    it). Returns the autosave's response."""
    validating, save_answered = threading.Event(), threading.Event()
    original = model.clean

    def clean(self):
        if threading.current_thread().name == "autosave":
            validating.set()
            save_answered.wait(timeout=3)
        return original(self)

    monkeypatch.setattr(model, "clean", clean)
    loaded = dict(LOADED.findall(client.get(url).content.decode()))
    answers = {}

    def post_autosave():
        try:
            answers["autosave"] = client.post(url, {**stale, **loaded}, **JSON)
        finally:
            connection.close()  # this thread's own connection

    autosaving = threading.Thread(target=post_autosave, name="autosave")
    autosaving.start()
    assert validating.wait(timeout=10), "the autosave never reached its validation"
    response = client.post(url, {**saved, **loaded})  # "Save draft": the whole form
    assert response.status_code == 302, response.content[:500]
    save_answered.set()
    autosaving.join(timeout=30)
    return answers["autosave"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_autosave_in_flight_never_supersedes_save_draft(
    postgres_db, client, reviewer, cause, monkeypatch
):
    login(client, reviewer)
    data = page_form_data(CausePage, reviewer=cause.reviewed_by, slug=cause.slug)
    answer = race(
        client,
        page_url(cause),
        CausePage,
        {**data, "title": "Typed before saving"},
        {**data, "title": "Saved", "summary": "What Save draft wrote."},
        monkeypatch,
    )
    assert answer.status_code in (200, 400), answer.content[:500]
    latest = CausePage.objects.get(pk=cause.pk).get_latest_revision()
    assert latest.content["title"] == "Saved"
    assert latest.content["summary"] == "What Save draft wrote."


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_snippet_autosave_in_flight_never_supersedes_save_draft(
    postgres_db, client, reviewer, seeded, monkeypatch
):
    reference = Reference.objects.filter(live=True).first()
    login(client, reviewer)
    race(
        client,
        reference_url(reference),
        Reference,
        reference_form(reference, title="Typed before saving"),
        reference_form(reference, title="Saved", journal="Saved journal"),
        monkeypatch,
    )
    latest = Reference.objects.get(pk=reference.pk).get_latest_revision()
    assert (latest.content["title"], latest.content["journal"]) == ("Saved", "Saved journal")
