"""Reports > Medical reviews due: live pages overdue or due within 30 days, with reviewers."""

import datetime

from django.urls import reverse
from django.utils import timezone

import pytest

from pages.models import CausePage, ConditionPage, TherapyPage
from pages.reports import reviews_due


@pytest.fixture
def due(seeded):
    """The condition overdue, the therapy due in 10 days, a cause overdue but unpublished."""
    today = timezone.localdate()
    condition = ConditionPage.objects.get(slug="neuropathic-pain")
    therapy = TherapyPage.objects.get(slug="ketamine-infusion-therapy")
    cause = CausePage.objects.get(slug="shingles")
    ConditionPage.objects.filter(pk=condition.pk).update(
        next_review_due=today - datetime.timedelta(days=3)
    )
    TherapyPage.objects.filter(pk=therapy.pk).update(
        next_review_due=today + datetime.timedelta(days=10)
    )
    CausePage.objects.filter(pk=cause.pk).update(
        next_review_due=today - datetime.timedelta(days=3), live=False
    )
    return condition, therapy, cause


def test_lists_overdue_and_due_soon_live_pages_soonest_first(due):
    condition, therapy, cause = due
    assert [page.pk for page in reviews_due()] == [condition.pk, therapy.pk]


def test_the_report_shows_them_with_their_reviewers(admin_client, due):
    condition, therapy, cause = due
    response = admin_client.get(reverse("medical_reviews_due"))
    assert response.status_code == 200
    html = response.content.decode()
    assert condition.title in html and therapy.title in html
    assert cause.title not in html  # not live
    assert "Overdue" in html and "Due soon" in html
    assert str(condition.reviewed_by) in html
    assert reverse("wagtailadmin_pages:edit", args=[condition.pk]) in html
    assert (
        reverse("medical_reviews_due")
        in admin_client.get(reverse("wagtailadmin_reports:locked_pages")).content.decode()
    )


def test_the_report_exports_csv(admin_client, due):
    condition, therapy, _ = due
    response = admin_client.get(reverse("medical_reviews_due") + "?export=csv")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode()
    lines = text.splitlines()
    assert lines[0] == "Page,Review status,Due,Reviewer,Last reviewed"
    assert lines[1].startswith(f"{condition.title},overdue,")
    assert lines[2].startswith(f"{therapy.title},due_soon,")
