"""Webhook events from the change record (api/record/changes.py), never from raw Wagtail signals:
an event follows what the public was served. A page published inside a private section sends
nothing until it is public; an item that leaves the public is announced with what was last
served publicly (its stored copy), never with what the database now holds.

`item_events` names the events of one item's change; api/record/changes.py writes them into the
outbox (webhooks/outbox.py) in the transaction that records the change.
"""

from django.db.models import Exists

from pages.models import BaseContentPage, Campaign
from pages.selectors import (
    Visibility,
    default_language,
    in_default_language,
    reviewed_translation,
)
from shapes.representation import (
    CAMPAIGNS,
    EVERY_PAGE_KEY,
    collection_key,
    item_api_url,
    page_key,
    snippet_key,
)

REMINDED = {BaseContentPage.ReviewStatus.DUE_SOON, BaseContentPage.ReviewStatus.OVERDUE}


def item_data(detail, collection):
    """An event's `data` from a stored web detail: who it is, in which language, where, which
    revision, and the surrogate keys to purge."""
    language = detail.get("locale") or default_language()  # copies stored before languages
    return {
        "id": detail["id"],
        "type": detail["type"],
        "locale": language,
        "slug": detail["slug"],
        "title": detail["title"],
        "url": detail.get("url"),
        "api_url": item_api_url(collection, detail["slug"], language),
        "revision_id": detail.get("revision_id"),
        "keys": [page_key(detail["id"]), collection_key(collection, language), EVERY_PAGE_KEY],
    }


def item_events(before, after, collection, old_review_status="", deleted=False):
    """[(type, data)] for an item whose public web detail went from `before` to `after` (either
    None: not public)."""
    if after is None:
        if before is None:
            return []
        return [("page.deleted" if deleted else "page.unpublished", item_data(before, collection))]
    data = item_data(after, collection)
    if before is None:
        events = [("page.published", data)]
    elif before.get("url") and before["url"] != after.get("url"):
        events = [("page.moved", {**data, "previous_url": before["url"]})]
    elif before.get("revision_id") != after.get("revision_id"):
        events = [("page.published", data)]
    else:
        events = [("content.changed", data)]
    status = after.get("review_status")
    if status in REMINDED and status != old_review_status:
        due = (after.get("medical_review") or {}).get("next_review_due")
        due = due.isoformat() if hasattr(due, "isoformat") else due
        events.append(
            ("content.review_due", {**data, "review_status": status, "next_review_due": due})
        )
    return events


def campaign_language(campaign):
    return Visibility.load().language_of(campaign.locale_id)


def campaign_keys(campaign):
    """The surrogate keys a change of `campaign` purges: its own, its language's list's."""
    language = campaign_language(campaign)
    return sorted({collection_key(CAMPAIGNS, language), snippet_key(Campaign, campaign.pk)})


def campaign_served(campaign):
    """Is (or was, for its withdrawal) `campaign` served: in the default language, or a
    translation whose medical review was recorded."""
    if in_default_language(campaign):
        return True
    reviewed = reviewed_translation(Campaign.get_base_content_type())
    return Campaign.objects.filter(pk=campaign.pk).filter(Exists(reviewed)).exists()


def campaign_event(event_type, campaign):
    """A campaign's event: what its live version (the row; drafts live in revisions) shows."""
    language = campaign_language(campaign)
    return (
        event_type,
        {
            "id": campaign.pk,
            "type": "campaign",
            "locale": language,
            "slug": campaign.slug,
            "title": campaign.name,
            "url": None,
            "api_url": item_api_url(CAMPAIGNS, campaign.slug, language),
            "revision_id": campaign.live_revision_id,
            "keys": campaign_keys(campaign),
        },
    )
