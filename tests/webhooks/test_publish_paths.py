"""Every way Wagtail publishes (or hides) a page ends in the change record and so in the
outbox: the edit view, a workflow approval, bulk actions, a revert, unpublish and move from the
admin, scheduled publishing (tests/webhooks/test_worker.py). None of them is atomic in Wagtail:
a process that dies between Wagtail's commit and the refresh loses no event, because the
worker's catch-up round records what no refresh did (and writes its events with it)."""

import json

from django.core.management import call_command
from django.urls import reverse

from wagtail.models import Workflow

import pytest

from api.record import signals
from pages.models import CauseIndexPage, CausePage
from tests import factories
from tests.pages.test_admin import page_form_data
from webhooks.models import Endpoint, Event


@pytest.fixture
def cause(seeded):
    Endpoint.objects.create(url="http://127.0.0.1:9/hooks")
    return CausePage.objects.get(slug="shingles")


def events_about(page):
    found = []
    for event in Event.objects.order_by("pk"):
        body = json.loads(event.body)
        if body["data"]["id"] == page.pk:
            found.append(body["type"])
    return found


def test_the_edit_views_publish_button(admin_client, cause):
    data = page_form_data(CausePage, reviewer=cause.reviewed_by, title="Shingles (edited)")
    data.update(slug=cause.slug, **{"action-publish": "action-publish"})
    response = admin_client.post(reverse("wagtailadmin_pages:edit", args=[cause.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert events_about(cause) == ["page.published"]


def test_a_workflow_approval(admin_user, cause):
    workflow = Workflow.objects.get(name="Medical review")
    cause.reviewed_by.user = admin_user  # the approver's Reviewer profile (pages/governance.py)
    cause.reviewed_by.save()
    cause.title = "Shingles (approved)"
    cause.save_revision(user=admin_user)
    state = workflow.start(cause, admin_user)
    assert events_about(cause) == []  # submitted: nothing public changed
    task_state = state.current_task_state
    task_state.task.on_action(task_state, admin_user, "approve")
    cause.refresh_from_db()
    assert cause.title == "Shingles (approved)"
    assert events_about(cause) == ["page.published"]


def test_bulk_publish_and_unpublish(admin_client, cause):
    cause.title = "Shingles (bulk)"
    cause.save_revision()
    url = reverse("wagtail_bulk_action", args=("wagtailcore", "page", "publish"))
    response = admin_client.post(f"{url}?id={cause.pk}", {"include_descendants": ""})
    assert response.status_code == 302
    url = reverse("wagtail_bulk_action", args=("wagtailcore", "page", "unpublish"))
    response = admin_client.post(f"{url}?id={cause.pk}", {"include_descendants": ""})
    assert response.status_code == 302
    assert events_about(cause) == ["page.published", "page.unpublished"]


def test_a_revert_to_an_earlier_revision(cause):
    first = cause.live_revision
    cause.title = "Shingles (second)"
    cause.save_revision().publish()
    cause.refresh_from_db()
    first.publish(previous_revision=first)  # what the admin's revert-and-publish does
    cause.refresh_from_db()
    assert cause.live_revision_id == first.pk
    assert events_about(cause) == ["page.published", "page.published"]


def test_unpublish_and_move_from_the_admin(admin_client, cause):
    page = factories.CausePageFactory(parent=CauseIndexPage.objects.get(), slug="brief-cause")
    page.save_revision().publish()
    response = admin_client.post(reverse("wagtailadmin_pages:unpublish", args=[cause.pk]))
    assert response.status_code == 302
    assert events_about(cause) == ["page.unpublished"]
    section = factories.CauseIndexPageFactory(
        parent=CauseIndexPage.objects.get().get_parent(), slug="more-causes"
    )
    section.save_revision().publish()
    response = admin_client.post(
        reverse("wagtailadmin_pages:move_confirm", args=[page.pk, section.pk])
    )
    assert response.status_code == 302
    page.refresh_from_db()
    assert page.get_parent().pk == section.pk
    [*_, (kind, data)] = [
        (json.loads(e.body)["type"], json.loads(e.body)["data"])
        for e in Event.objects.order_by("pk")
        if json.loads(e.body)["data"]["id"] == page.pk
    ]
    assert kind == "page.moved"
    assert data["previous_url"].endswith("/causes/brief-cause/")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_crash_after_wagtails_commit_loses_no_event(seeded, freezer, monkeypatch):
    """The publish commits, then the process dies before the refresh is queued (simulated: no
    refresh is tracked). The worker's next round catches up and writes the event."""
    Endpoint.objects.create(url="http://127.0.0.1:9/hooks")
    cause = CausePage.objects.get(slug="shingles")
    freezer.move_to("2026-03-11 09:00:00")
    monkeypatch.setattr(signals, "queue_refresh_unless_loading", lambda **change: None)
    cause.title = "Shingles (after a crash)"
    cause.save_revision().publish()
    assert events_about(cause) == []
    monkeypatch.undo()
    call_command("run_worker", "--once", verbosity=0)
    assert events_about(cause) == ["page.published"]
    [event] = [e for e in Event.objects.all() if json.loads(e.body)["data"]["id"] == cause.pk]
    assert json.loads(event.body)["data"]["title"] == "Shingles (after a crash)"
