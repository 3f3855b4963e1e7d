"""Webhook events follow what the public was served (the change record), never raw Wagtail
signals: every event type, the private-section rule, what an unpublish event repeats, and the
outbox written in the transaction of the change."""

import datetime
import json

from django.db import transaction
from django.utils import timezone

from wagtail.models import PageViewRestriction

import pytest

from pages.models import CausePage, ConditionIndexPage, ConditionPage
from tests import factories
from webhooks import outbox
from webhooks.models import Delivery, Endpoint, Event


@pytest.fixture
def endpoint(seeded):
    return Endpoint.objects.create(url="http://127.0.0.1:9/hooks")


def sent(event_type=None):
    """The events in the outbox, oldest first, as (type, data)."""
    events = Event.objects.order_by("pk")
    if event_type:
        events = events.filter(type=event_type)
    return [(event.type, json.loads(event.body)["data"]) for event in events]


def types():
    return sorted(event.type for event in Event.objects.all())


def condition():
    return ConditionPage.objects.get(slug="neuropathic-pain")


def test_publishing_sends_page_published_with_a_thin_envelope(endpoint, freezer):
    freezer.move_to("2026-04-01 10:00:00")
    page = condition()
    page.title = "Neuropathic pain (updated)"
    revision = page.save_revision()
    revision.publish()

    [event] = [e for e in Event.objects.all() if json.loads(e.body)["data"]["id"] == page.pk]
    body = json.loads(event.body)
    assert body["type"] == "page.published"
    assert body["timestamp"] == "2026-04-01T10:00:00+00:00"
    data = body["data"]
    assert data == {
        "id": page.pk,
        "type": "condition",
        "locale": "en",
        "slug": "neuropathic-pain",
        "title": "Neuropathic pain (updated)",
        "url": "https://www.example-clinic.test/conditions/neuropathic-pain/",
        "api_url": "https://api.example-clinic.test/api/v1/conditions/neuropathic-pain/",
        "revision_id": revision.pk,
        "keys": [f"page-{page.pk}", "collection-conditions", "collection-search"],
    }
    assert len(event.body.encode()) < 20_000
    [delivery] = Delivery.objects.filter(event=event)
    assert (delivery.endpoint, delivery.status) == (endpoint, Delivery.Status.PENDING)
    # the pages showing its title changed too
    assert {t for t, d in sent() if d["id"] != page.pk} == {"content.changed"}


def test_a_linked_pages_title_change_sends_content_changed_for_the_items_showing_it(endpoint):
    cause = (
        CausePage.objects.get(slug="nerve-injury")
        if CausePage.objects.filter(slug="nerve-injury").exists()
        else CausePage.objects.first()
    )
    cause.title = cause.title + " (renamed)"
    cause.save_revision().publish()

    assert ("page.published", cause.pk) in [(t, d["id"]) for t, d in sent()]
    changed = {data["id"] for _, data in sent("content.changed")}
    assert condition().pk in changed
    assert cause.pk not in changed


def test_unpublishing_repeats_only_what_was_last_served(endpoint):
    page = condition()
    served_title, served_revision = page.title, page.live_revision_id
    page.title = "A draft title nobody was served"
    page.slug = "draft-slug"
    page.save_revision()  # a draft
    page.refresh_from_db()
    page.unpublish()

    [(kind, data)] = [(t, d) for t, d in sent() if d["id"] == page.pk]
    assert kind == "page.unpublished"
    assert data["title"] == served_title
    assert data["slug"] == "neuropathic-pain"
    assert data["revision_id"] == served_revision
    assert "draft" not in json.dumps(data)


def test_a_view_restriction_sends_page_unpublished(endpoint):
    PageViewRestriction.objects.create(
        page=condition(), restriction_type=PageViewRestriction.PASSWORD, password="x"
    )
    assert ("page.unpublished", condition().pk) in [(t, d["id"]) for t, d in sent()]


def test_deleting_a_public_page_sends_page_deleted(endpoint):
    page = factories.ConditionPageFactory(parent=ConditionIndexPage.objects.get(), slug="brief")
    page.save_revision().publish()
    pk = page.pk
    page.delete()
    assert ("page.deleted", pk) in [(t, d["id"]) for t, d in sent()]
    assert "page.unpublished" not in types()


def test_moving_a_page_sends_page_moved_with_the_previous_url(endpoint):
    page = condition()
    old_url = "https://www.example-clinic.test/conditions/neuropathic-pain/"
    page.slug = "nerve-pain"
    page.save_revision().publish()
    [(kind, data)] = [(t, d) for t, d in sent() if d["id"] == page.pk]
    assert kind == "page.moved"
    assert data["previous_url"] == old_url
    assert data["url"] == "https://www.example-clinic.test/conditions/nerve-pain/"


def test_a_page_published_in_a_private_section_sends_nothing_until_it_is_public(endpoint):
    index = ConditionIndexPage.objects.get()
    private = factories.ConditionIndexPageFactory(parent=index.get_parent(), slug="staff-only")
    restriction = PageViewRestriction.objects.create(
        page=private, restriction_type=PageViewRestriction.PASSWORD, password="x"
    )
    Event.objects.all().delete()
    page = factories.ConditionPageFactory(parent=private, slug="hidden-condition", live=False)
    page.save_revision().publish()
    assert not [d for _, d in sent() if d["id"] == page.pk]

    restriction.delete()
    assert [t for t, d in sent() if d["id"] == page.pk] == ["page.published"]


def test_no_endpoint_keeps_no_event(seeded):
    page = condition()
    page.save_revision().publish()
    assert not Event.objects.exists()


def test_an_endpoint_receives_only_the_types_it_chose(seeded):
    chosen = Endpoint.objects.create(url="http://127.0.0.1:9/a", events=["page.unpublished"])
    every = Endpoint.objects.create(url="http://127.0.0.1:9/b")
    page = condition()
    page.save_revision().publish()
    page.unpublish()
    assert set(Delivery.objects.filter(endpoint=chosen).values_list("event__type", flat=True)) == {
        "page.unpublished"
    }
    assert {"page.published", "page.unpublished"} <= set(
        Delivery.objects.filter(endpoint=every).values_list("event__type", flat=True)
    )


def test_an_inactive_endpoint_gets_no_deliveries(seeded):
    Endpoint.objects.create(url="http://127.0.0.1:9/a", is_active=False)
    condition().save_revision().publish()
    assert not Delivery.objects.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_publish_whose_transaction_rolls_back_leaves_no_event(seeded):
    Endpoint.objects.create(url="http://127.0.0.1:9/hooks")
    page = condition()

    class Crash(Exception):
        pass

    with pytest.raises(Crash), transaction.atomic():
        page.title = "Rolled back"
        page.save_revision().publish()
        assert Event.objects.exists()  # written with the change...
        raise Crash
    assert not Event.objects.exists()  # ...and gone with it
    assert not Delivery.objects.exists()
    assert condition().title != "Rolled back"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_with_the_database_task_backend_a_rolled_back_publish_queues_nothing(seeded, settings):
    """In production the refresh (and so the event) runs after the publish commits: a publish
    that rolls back never reaches it."""
    from django.core.management import call_command

    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks_db.backend.DatabaseBackend",
            "ENQUEUE_ON_COMMIT": True,
        }
    }
    Endpoint.objects.create(url="http://127.0.0.1:9/hooks")
    page = condition()
    with pytest.raises(RuntimeError), transaction.atomic():
        page.save_revision().publish()
        raise RuntimeError("crash")
    call_command("run_worker", "--once", verbosity=0)
    assert not Event.objects.exists()

    page = condition()
    page.save_revision().publish()
    assert not Event.objects.exists()  # not yet: the worker records the change
    call_command("run_worker", "--once", verbosity=0)
    assert types() == ["page.published"]


def test_review_due_fires_once_when_due_soon_and_once_when_overdue(endpoint, freezer):
    from api.record.changes import refresh_review_status

    page = condition()
    due = page.next_review_due
    assert due is not None
    freezer.move_to(datetime.datetime.combine(due, datetime.time(9)) - datetime.timedelta(days=29))
    refresh_review_status()
    refresh_review_status()  # nothing more: it already fired
    reminders = [d for _, d in sent("content.review_due") if d["id"] == page.pk]
    assert [d["review_status"] for d in reminders] == ["due_soon"]
    assert reminders[0]["next_review_due"] == due.isoformat()

    freezer.move_to(datetime.datetime.combine(due, datetime.time(9)) + datetime.timedelta(days=1))
    refresh_review_status()
    refresh_review_status()
    reminders = [d for _, d in sent("content.review_due") if d["id"] == page.pk]
    assert [d["review_status"] for d in reminders] == ["due_soon", "overdue"]


def test_campaign_publication_and_unpublication(endpoint):
    from pages.models import Campaign, CampaignItem

    campaign = Campaign(name="Spring", slug="spring", subject="Spring news")
    campaign.items = [CampaignItem(page=condition())]
    campaign.save()
    revision = campaign.save_revision()
    revision.publish()
    campaign.refresh_from_db()
    campaign.unpublish()
    events = sent()
    assert [t for t, _ in events if t.startswith("campaign.")] == [
        "campaign.published",
        "campaign.unpublished",
    ]
    data = dict(events)["campaign.published"]
    assert data["api_url"] == "https://api.example-clinic.test/api/v1/campaigns/spring/"
    assert data["revision_id"] == revision.pk
    assert data["keys"] == ["collection-campaigns", f"snippet-campaign-{campaign.pk}"]


def test_deleting_a_live_campaign_sends_campaign_unpublished(endpoint):
    from pages.models import Campaign

    campaign = Campaign.objects.create(name="Spring", slug="spring", subject="S", live=False)
    campaign.save_revision().publish()
    campaign.refresh_from_db()
    campaign.delete()
    assert [t for t, _ in sent()] == ["campaign.published", "campaign.unpublished"]


def test_an_unknown_event_type_is_refused():
    with pytest.raises(ValueError, match="Unknown webhook event type"):
        outbox.emit([("page.exploded", {})])


def test_a_large_body_falls_back_to_the_collection_keys():
    now = timezone.now()
    keys = [f"page-{n}" for n in range(3000)] + ["collection-conditions"]
    body = json.loads(outbox.envelope("content.changed", {"id": 1, "keys": keys}, now))
    assert body["data"]["keys"] == ["collection-conditions"]
