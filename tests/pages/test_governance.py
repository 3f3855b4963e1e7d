"""Medical review before publish: the roles (a data migration, so an empty database has them),
the "Medical review" workflow, an Editor who cannot publish by any path tried here, an approval
that publishes exactly the reviewed revision and records the review, and "Mark reviewed"."""

import datetime

from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.urls import reverse

from wagtail.actions.publish_page_revision import PublishPageRevisionAction
from wagtail.models import (
    GroupPagePermission,
    Page,
    PageLogEntry,
    Workflow,
    WorkflowContentType,
    WorkflowState,
)

import pytest

from pages import governance
from pages.models import CauseIndexPage, CausePage, MedicalReviewTask, Reviewer
from tests.conftest import member
from tests.pages.test_admin import page_form_data
from worker.management.commands.run_worker import publish_scheduled

SEED_ONCE = True  # every database test here reads the seed (tests/conftest.py)

ROLES = ("Editors", "Medical reviewers", "Marketing", "Administrators")


@pytest.fixture
def cause(seeded):
    return CausePage.objects.get(slug="shingles")


def login(client, user):
    client.force_login(user)
    return client


def edit(client, page, **fields):
    data = page_form_data(CausePage, reviewer=page.reviewed_by, slug=page.slug, **fields)
    return client.post(reverse("wagtailadmin_pages:edit", args=[page.pk]), data)


def test_the_roles_and_the_workflow_exist_after_migrating(db):
    assert set(ROLES) <= set(Group.objects.values_list("name", flat=True))
    assert not Group.objects.filter(name="Moderators").exists()
    publishers = set(
        GroupPagePermission.objects.filter(permission__codename="publish_page").values_list(
            "group__name", flat=True
        )
    )
    assert publishers == {"Medical reviewers", "Administrators"}
    marketing = set(
        Group.objects.get(name="Marketing").permissions.values_list("codename", flat=True)
    )
    assert {"change_campaign", "access_admin"} <= marketing
    assert not GroupPagePermission.objects.filter(group__name="Marketing").exists()
    snippets = ("reference", "medicalcode", "symptom", "disclaimer", "campaign")
    for model in snippets:  # medical snippets and campaigns: only reviewers publish them
        holders = set(
            Group.objects.filter(permissions__codename=f"publish_{model}").values_list(
                "name", flat=True
            )
        )
        assert holders == {"Medical reviewers", "Administrators"}, model
        ct = ContentType.objects.get(app_label="pages", model=model)
        assert WorkflowContentType.objects.get(content_type=ct).workflow.name == "Medical review"
    root = Page.get_first_root_node()
    workflow = root.get_workflow()
    assert workflow.name == "Medical review" and workflow.active
    [task] = [task.specific for task in workflow.tasks]
    assert isinstance(task, MedicalReviewTask)
    assert list(task.groups.values_list("name", flat=True)) == ["Medical reviewers"]


def test_an_editor_cannot_publish_by_any_path(client, editor, cause):
    login(client, editor)
    live_revision = cause.live_revision_id
    response = edit(client, cause, title="Shingles (edited)", **{"action-publish": "publish"})
    assert response.status_code == 302
    cause.refresh_from_db()
    assert cause.live_revision_id == live_revision and cause.title == "Shingles"  # a draft
    assert cause.has_unpublished_changes

    bulk = reverse("wagtail_bulk_action", args=("wagtailcore", "page", "publish"))
    client.post(f"{bulk}?id={cause.pk}", {"include_descendants": ""})
    cause.refresh_from_db()
    assert cause.live_revision_id == live_revision

    client.post(reverse("wagtailadmin_pages:unpublish", args=[cause.pk]))
    cause.refresh_from_db()
    assert cause.live

    go_live = (datetime.datetime(2026, 4, 1, 9, 0)).strftime("%Y-%m-%d %H:%M")
    edit(client, cause, title="Scheduled", go_live_at=go_live, **{"action-publish": "publish"})
    cause.refresh_from_db()
    assert cause.live_revision_id == live_revision
    assert not cause.revisions.filter(approved_go_live_at__isnull=False).exists()

    revert = reverse("wagtailadmin_pages:revisions_revert", args=[cause.pk, live_revision])
    data = page_form_data(CausePage, reviewer=cause.reviewed_by, slug=cause.slug, title="Old")
    client.post(revert, {**data, "action-publish": "publish"})
    cause.refresh_from_db()
    assert cause.live_revision_id == live_revision

    assert client.post(reverse("mark_reviewed", args=[cause.pk])).status_code in (302, 403)
    cause.refresh_from_db()
    assert cause.last_reviewed == datetime.date(2026, 3, 10)


def test_a_rejection_returns_the_page_to_the_editor_with_the_comment(
    client, editor, reviewer, cause
):
    login(client, editor)
    edit(client, cause, title="Shingles (needs work)", **{"action-submit": "submit"})
    state = WorkflowState.objects.get(object_id=str(cause.pk))
    task_state = state.current_task_state
    login(client, reviewer)
    url = reverse("wagtailadmin_pages:workflow_action", args=[cause.pk, "reject", task_state.pk])
    response = client.post(url, {"comment": "Cite the 2024 guideline for the dose."})
    assert response.status_code == 302
    state.refresh_from_db()
    task_state.refresh_from_db()
    assert state.status == WorkflowState.STATUS_NEEDS_CHANGES
    assert task_state.comment == "Cite the 2024 guideline for the dose."
    cause.refresh_from_db()
    assert cause.title == "Shingles" and cause.live  # nothing published
    login(client, editor)
    page = client.get(reverse("wagtailadmin_pages:edit", args=[cause.pk])).content.decode()
    assert "Cite the 2024 guideline for the dose." in page  # the editor sees why
    actions = set(PageLogEntry.objects.filter(page=cause).values_list("action", flat=True))
    assert "wagtail.workflow.reject" in actions


def test_an_editor_cannot_publish_by_moving_or_copying(client, editor, cause):
    """Moving a live page publishes it at a new address; copying can publish the copy: both
    need publish permission, which Editors lack."""
    parent = cause.get_parent()
    elsewhere = CauseIndexPage(title="More causes", slug="more-causes")
    parent.get_parent().add_child(instance=elsewhere)
    login(client, editor)
    move = reverse("wagtailadmin_pages:move_confirm", args=[cause.pk, elsewhere.pk])
    client.post(move)
    cause.refresh_from_db()
    assert cause.get_parent().pk == parent.pk and cause.url_path.startswith(parent.url_path)

    copy = reverse("wagtailadmin_pages:copy", args=[cause.pk])
    data = {
        "new_title": "Shingles copy",
        "new_slug": "shingles-copy",
        "new_parent_page": str(parent.pk),
        "publish_copies": "on",  # crafted: the form offers it only to those who may publish
    }
    client.post(copy, data)
    copied = CausePage.objects.filter(slug="shingles-copy").first()
    assert copied is None or not copied.live
    assert client.get("/api/v1/causes/shingles-copy/").status_code == 404


def test_an_approval_publishes_the_reviewed_revision_and_records_the_review(
    client, editor, reviewer, cause, freezer
):
    freezer.move_to("2026-06-01 10:00:00")
    login(client, editor)
    response = edit(client, cause, title="Shingles (for review)", **{"action-submit": "submit"})
    assert response.status_code == 302
    state = WorkflowState.objects.get(object_id=str(cause.pk))
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    edit(client, cause, title="Shingles (edited after submitting)")  # a later draft

    task_state = state.current_task_state
    assert task_state.revision.as_object().title == "Shingles (for review)"
    login(client, reviewer)
    url = reverse("wagtailadmin_pages:workflow_action", args=[cause.pk, "approve", task_state.pk])
    response = client.post(url, {"comment": "Checked against the guideline."})
    assert response.status_code == 302
    cause.refresh_from_db()
    assert cause.live_revision_id == task_state.revision_id
    assert cause.title == "Shingles (for review)"  # not the later draft
    assert cause.reviewed_by == Reviewer.objects.get(user=reviewer)
    assert cause.last_reviewed == datetime.date(2026, 6, 1)
    assert cause.next_review_due == datetime.date(2027, 6, 1)
    actions = set(PageLogEntry.objects.filter(page=cause).values_list("action", flat=True))
    assert {"wagtail.workflow.start", "wagtail.workflow.approve", "wagtail.publish"} <= actions
    assert governance.MARK_REVIEWED in actions


def test_an_approver_without_a_reviewer_profile_is_told_and_nothing_changes(
    client, editor, django_user_model, cause
):
    approver = member(django_user_model, "Medical reviewers", "noprofile")
    login(client, editor)
    edit(client, cause, title="Shingles (for review)", **{"action-submit": "submit"})
    state = WorkflowState.objects.get(object_id=str(cause.pk))
    task = state.current_task_state.task.specific
    labels = [label for _, label, _ in task.get_actions(cause, approver)]
    assert any("link your Reviewer profile" in label for label in labels)
    assert "approve" not in [name for name, _, _ in task.get_actions(cause, approver)]
    with pytest.raises(governance.ReviewRefused, match="exactly one Reviewer profile"):
        task.on_action(state.current_task_state, approver, "approve")
    state.refresh_from_db()
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert state.current_task_state.status == "in_progress"
    cause.refresh_from_db()
    assert cause.title == "Shingles" and cause.last_reviewed == datetime.date(2026, 3, 10)


def test_mark_reviewed_records_a_review_without_publishing(client, reviewer, cause, freezer):
    freezer.move_to("2026-09-15 10:00:00")
    live_revision = cause.live_revision_id
    login(client, reviewer)
    url = reverse("mark_reviewed", args=[cause.pk])
    assert "Mark medically reviewed" in client.get(url).content.decode()
    edit_page = client.get(reverse("wagtailadmin_pages:edit", args=[cause.pk])).content.decode()
    assert url in edit_page
    assert client.post(url).status_code == 302
    cause.refresh_from_db()
    assert (cause.last_reviewed, cause.next_review_due) == (
        datetime.date(2026, 9, 15),
        datetime.date(2027, 9, 15),
    )
    assert cause.live_revision_id == live_revision


def test_publishing_an_older_revision_does_not_undo_a_review(reviewer, cause, freezer):
    older = cause.live_revision
    freezer.move_to("2026-09-15 10:00:00")
    governance.mark_reviewed(cause, reviewer)
    older.publish()
    cause.refresh_from_db()
    assert cause.last_reviewed == datetime.date(2026, 9, 15)


def test_the_review_interval_is_a_setting(settings):
    settings.MEDICAL_REVIEW_INTERVAL_MONTHS = 6
    assert governance.months_later(datetime.date(2026, 8, 31), 6) == datetime.date(2027, 2, 28)
    assert governance.months_later(datetime.date(2026, 1, 15), 12) == datetime.date(2027, 1, 15)


def test_review_dates_are_still_validated_on_the_model(cause):
    cause.last_reviewed = datetime.date(2026, 3, 1)
    cause.next_review_due = datetime.date(2025, 1, 1)
    with pytest.raises(ValidationError, match="must be due after the last review"):
        cause.full_clean()


def test_workflow_has_no_other_active_page_workflow(db):
    assert list(Workflow.objects.filter(active=True).values_list("name", flat=True)) == [
        "Medical review"
    ]


# While a page is in review, only the approval publishes it (governance.check_publication) ------


def submitted_for_review(client, editor, page, title):
    login(client, editor)
    edit(client, page, title=title, **{"action-submit": "submit"})
    return WorkflowState.objects.get(object_id=str(page.pk), status="in_progress")


def test_in_review_only_the_approval_publishes(client, editor, reviewer, cause):
    """A Medical reviewer sees no plain Publish, and every other way to publish is refused
    without touching the review (WAGTAIL_WORKFLOW_CANCEL_ON_PUBLISH cancelled it): a crafted
    action-publish, bulk publish, "publish this version", the publish action, code."""
    state = submitted_for_review(client, editor, cause, "Shingles (for review)")
    live_revision = cause.live_revision_id
    login(client, reviewer)
    edit_url = reverse("wagtailadmin_pages:edit", args=[cause.pk])
    form = client.get(edit_url).content.decode()
    assert 'data-workflow-action-name="approve"' in form
    assert 'name="action-publish"' not in form

    def unchanged():
        cause.refresh_from_db()
        state.refresh_from_db()
        assert cause.live_revision_id == live_revision and cause.title == "Shingles"
        assert state.status == WorkflowState.STATUS_IN_PROGRESS

    crafted = edit(client, cause, title="Published past the review", **{"action-publish": "1"})
    assert crafted.status_code == 302 and crafted.url == edit_url  # the form again, saying why
    said = client.get(edit_url).content.decode()
    assert "was not published: it is in medical review" in said
    unchanged()
    bulk = reverse("wagtail_bulk_action", args=("wagtailcore", "page", "publish"))
    client.post(f"{bulk}?id={cause.pk}", {"include_descendants": ""})
    unchanged()
    revert = reverse("wagtailadmin_pages:revisions_revert", args=[cause.pk, live_revision])
    data = page_form_data(CausePage, reviewer=cause.reviewed_by, slug=cause.slug, title="Old")
    client.post(revert, {**data, "action-publish": "publish"})
    unchanged()
    # the admin API's publish action (answers 415 here, no request parsers; it instantiates
    # the action as the page editor does, which a check in the models' publish() would miss)
    api_url = f"/admin/api/main/pages/{cause.pk}/action/publish/"
    assert client.post(api_url, {}, content_type="application/json").status_code >= 400
    with pytest.raises(governance.InReview):
        PublishPageRevisionAction(cause.get_latest_revision(), user=reviewer).execute()
    with pytest.raises(governance.InReview, match="only the approval publishes it"):
        cause.get_latest_revision().publish(user=reviewer)
    unchanged()

    task_state = state.current_task_state
    url = reverse("wagtailadmin_pages:workflow_action", args=[cause.pk, "approve", task_state.pk])
    assert client.post(url, {"comment": ""}).status_code == 302
    cause.refresh_from_db()
    state.refresh_from_db()
    assert state.status == WorkflowState.STATUS_APPROVED
    assert cause.title == "Shingles (for review)"
    assert cause.live_revision_id == task_state.revision_id


def test_a_review_sent_back_for_changes_still_holds_publishing(client, editor, reviewer, cause):
    state = submitted_for_review(client, editor, cause, "Shingles (needs work)")
    login(client, reviewer)
    task_state = state.current_task_state
    url = reverse("wagtailadmin_pages:workflow_action", args=[cause.pk, "reject", task_state.pk])
    client.post(url, {"comment": "Cite the guideline."})
    state.refresh_from_db()
    assert state.status == WorkflowState.STATUS_NEEDS_CHANGES
    form = client.get(reverse("wagtailadmin_pages:edit", args=[cause.pk])).content.decode()
    assert 'name="action-publish"' not in form
    edit(client, cause, title="Published anyway", **{"action-publish": "1"})
    cause.refresh_from_db()
    state.refresh_from_db()
    assert cause.title == "Shingles" and state.status == WorkflowState.STATUS_NEEDS_CHANGES


def test_a_schedule_falls_due_during_a_review_of_a_later_draft(editor, reviewer, cause, freezer):
    """A publisher scheduled a revision; an editor then submitted a later draft. The worker
    publishes the schedule when due, and the review of the later draft goes on."""
    cause.title = "Shingles (scheduled)"
    cause.go_live_at = datetime.datetime(2026, 3, 11, 9, 0, tzinfo=datetime.UTC)
    scheduled = cause.save_revision(user=reviewer)
    scheduled.publish(user=reviewer)
    cause = CausePage.objects.get(pk=cause.pk).get_latest_revision_as_object()
    cause.title = "Shingles (a later draft)"
    cause.go_live_at = None
    cause.save_revision(user=editor)
    state = Workflow.objects.get(name="Medical review").start(cause, editor)

    freezer.move_to("2026-03-11 09:05:00")
    publish_scheduled()  # run_worker's scheduled publishing
    cause.refresh_from_db()
    state.refresh_from_db()
    assert cause.live_revision_id == scheduled.pk and cause.title == "Shingles (scheduled)"
    assert state.status == WorkflowState.STATUS_IN_PROGRESS


# Deleting or unpublishing what is live needs publish permission ------------------------------


def test_an_editor_deletes_or_unpublishes_no_live_page(client, editor, cause):
    """Wagtail's page permissions already hold this (an editor lacks publish_page); kept as
    the page half of the role matrix (the snippet and campaign halves in
    tests/pages/test_snippet_review.py)."""
    login(client, editor)
    client.post(reverse("wagtailadmin_pages:delete", args=[cause.pk]))
    bulk = reverse("wagtail_bulk_action", args=("wagtailcore", "page", "delete"))
    client.post(f"{bulk}?id={cause.pk}", {"include_descendants": ""})
    client.post(reverse("wagtailadmin_pages:unpublish", args=[cause.pk]))
    cause.refresh_from_db()
    assert cause.live
    assert client.get("/api/v1/causes/shingles/").status_code == 200
