"""Medical governance: what an approval records, and who may record a review.

The roles and the "Medical review" workflow come from migration 0006 (0005 adds the workflow's
task, pages/models/review_task.py). An approval publishes
exactly the revision the reviewers approved (Wagtail's default finish action publishes the
latest revision, which may hold edits made after the submission), and stamps the page with the
approving reviewer, today's date and the next review due (MEDICAL_REVIEW_INTERVAL_MONTHS
later). The stamp lives on the page row, not in revisions (BaseContentPage.with_content_json
keeps it), so neither an edit nor publishing an older revision moves or undoes a review; only
an approval or a Medical reviewer's "Mark reviewed" does.
"""

import calendar
import functools

from django.conf import settings
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.utils import timezone

from wagtail.log_actions import log
from wagtail.permission_policies import ModelPermissionPolicy

MARK_REVIEWED = "pages.mark_reviewed"


class ReviewRefused(PermissionDenied):
    """A review that cannot be recorded: the message says why and what to do."""


def months_later(day, months):
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def reviewer_of(user):
    """The one Reviewer profile linked to `user`'s admin account, or ReviewRefused."""
    from pages.models import Reviewer

    profiles = list(Reviewer.objects.filter(user=user).order_by("pk")[:2])
    if len(profiles) != 1:
        have = "none" if not profiles else "more than one"
        raise ReviewRefused(
            "Recording a medical review needs exactly one Reviewer profile linked to your admin "
            f"account, and you have {have}: in Medical library > Reviewers, set 'user' on your "
            "own profile (and only there)."
        )
    return profiles[0]


def may_review(user, page):
    """A Medical reviewer (or an administrator): someone who may publish the page."""
    return page.permissions_for_user(user).can_publish()


def stamp_review(page, user, today=None):
    """Record that `user` medically reviewed `page` today. Returns the page, updated."""
    reviewer = reviewer_of(user)
    today = today or timezone.localdate()
    due = months_later(today, settings.MEDICAL_REVIEW_INTERVAL_MONTHS)
    type(page).objects.filter(pk=page.pk).update(
        reviewed_by=reviewer, last_reviewed=today, next_review_due=due
    )
    page.reviewed_by, page.last_reviewed, page.next_review_due = reviewer, today, due
    from pages import translations

    translations.record_review(page)  # a translation reviewed matches its source as live
    log(
        instance=page,
        action=MARK_REVIEWED,
        user=user,
        data={"reviewer": str(reviewer), "last_reviewed": str(today), "next_review_due": str(due)},
    )
    return page


def mark_reviewed(page, user):
    """A Medical reviewer's explicit "Mark reviewed" (no new content is published)."""
    if not may_review(user, page):
        raise ReviewRefused("Only a Medical reviewer may mark a page reviewed.")
    with transaction.atomic():
        return stamp_review(page, user)


def publish_reviewed(workflow_state, user=None):
    """WAGTAIL_FINISH_WORKFLOW_ACTION: publish the revision the last task approved, stamped
    with the review when it is medical content."""
    from pages import translations
    from pages.models import BaseContentPage

    revision = workflow_state.current_task_state.revision
    content = workflow_state.content_object
    specific = getattr(content, "specific", content)
    with transaction.atomic():
        if isinstance(specific, BaseContentPage):
            stamp_review(specific, user)
        else:
            translations.record_review(specific)  # a snippet's or campaign's translation
        was_live = type(specific)._default_manager.get(pk=specific.pk).live_revision_id
        try:
            revision.publish(user=user)
        except ValidationError as refused:  # e.g. a campaign naming a page no longer public
            raise ReviewRefused("Not published: " + " ".join(refused.messages)) from None
        translations.carry_along(specific, was_live, user)


# While an object is in review, only the approval publishes it --------------------------------


class InReview(ReviewRefused):
    """A publication refused because the object is in review: only the approval publishes."""


def review_in_progress(obj):
    """`obj`'s review that is under way (in progress, or sent back for changes), or None."""
    from wagtail.models import WorkflowMixin

    if not isinstance(obj, WorkflowMixin) or obj.pk is None:
        return None
    return obj.current_workflow_state


def check_publication(revision, obj):
    """Refuse to publish `revision` of `obj` while a review of `obj` is under way: the approval
    is then the only way to publish (publish_reviewed runs once the review is approved, so it
    passes). A schedule that has fallen due passes too: only a publisher could schedule it, and
    a review started since is not about that revision (the worker publishes it; the review
    goes on)."""
    state = review_in_progress(obj)
    if state is None:
        return
    due = revision.approved_go_live_at
    if due is not None and due <= timezone.now():
        return
    if state.status == state.STATUS_NEEDS_CHANGES:
        how = (
            "changes were asked for in its medical review: resubmit it and approve it, or "
            "cancel the review first"
        )
    else:
        how = (
            "it is in medical review, and only the approval publishes it (Approve and publish, "
            "which records the review); or cancel the review first"
        )
    raise InReview(f"“{obj}” was not published: {how}.")


def guard_publication():
    """Put check_publication in front of every publication (PagesConfig.ready, once). Wagtail
    publishes through PublishRevisionAction.execute on every path: revision.publish() and the
    models' publish(), and, by instantiating the action directly, the page editor's Publish,
    its "publish this version" and the admin API's publish action (so a check in the models'
    publish() alone would miss those)."""
    from wagtail.actions.publish_revision import PublishRevisionAction

    execute = PublishRevisionAction.execute
    if getattr(execute, "checks_review", False):
        return

    @functools.wraps(execute)
    def checked_execute(self, skip_permission_checks=False):
        check_publication(self.revision, self.object)
        return execute(self, skip_permission_checks=skip_permission_checks)

    checked_execute.checks_review = True
    PublishRevisionAction.execute = checked_execute


def hide_plain_publish(menu_items, request, context):
    """construct_page_action_menu / construct_snippet_action_menu: no plain "Publish" while
    the object is in review (check_publication would refuse it)."""
    obj = context.get("page") or context.get("instance")
    if obj is not None and review_in_progress(obj) is not None:
        menu_items[:] = [item for item in menu_items if item.name != "action-publish"]


# Deleting what is live -------------------------------------------------------------------


class LiveNeedsPublishPolicy(ModelPermissionPolicy):
    """The medical snippets' and campaigns' permissions: deleting one that is live takes it
    off the API as unpublishing does, so it needs the permission to publish it as well as to
    delete it (unpublishing already needs publish; pages: Wagtail's page permissions refuse
    deleting live pages without publish)."""

    def user_has_permission_for_instance(self, user, action, instance):
        allowed = super().user_has_permission_for_instance(user, action, instance)
        if allowed and action == "delete" and getattr(instance, "live", False):
            return self.user_has_permission(user, "publish")
        return allowed


# What autosave may rewrite ------------------------------------------------------------------


def held(revision, obj):
    """Is `revision` (of `obj`) a record that must keep its content: one a review task is or
    was about (what the reviewer saw and approved), one scheduled to go live, or the one
    live?"""
    from wagtail.models import TaskState

    return (
        revision.approved_go_live_at is not None
        or revision.pk == getattr(obj, "live_revision_id", None)
        or TaskState.objects.filter(revision=revision).exists()
    )


class KeepsHeldRevisions:
    """Wagtail's autosave rewrites the latest revision in place (`overwrite_revision`: same
    id, new content) when the same user made it. A `held` one is never rewritten: the save
    becomes a new revision on top of it (what the editor typed is kept all the same)."""

    def save_revision(self, user=None, *args, overwrite_revision=None, **kwargs):
        if (
            overwrite_revision is not None
            and overwrite_revision == self.get_latest_revision()
            and overwrite_revision.user_id == (user and user.pk)
            and held(overwrite_revision, self)
        ):
            overwrite_revision = None
        return super().save_revision(user, *args, overwrite_revision=overwrite_revision, **kwargs)


def one_edit_at_a_time(view, model, pk_kwarg):
    """`view` (an edit view) with its POSTs serialized per object: each takes the object's row
    lock, in one transaction with everything it writes. Wagtail checks an autosave for
    conflicts (`loaded_revision_id`, `overwrite_revision_id`) and then writes, with nothing
    holding the two together: an autosave in flight when the editor pressed "Save draft",
    checked before that save committed and written after it, became the latest revision with
    the older form state (seen in chromium). Under the lock, the later request sees the
    earlier one's revision: a stale autosave is refused (400 invalid_revision), a save after an
    autosave is simply newer. A publication refused (check_publication) undoes the whole
    request and says why, back on the edit form."""

    @functools.wraps(view)
    def serialized(request, *args, **kwargs):
        if request.method != "POST":
            return view(request, *args, **kwargs)
        try:
            with transaction.atomic():
                pk = unquote(str(kwargs[pk_kwarg]))
                list(model._default_manager.select_for_update().filter(pk=pk).values_list("pk"))
                return view(request, *args, **kwargs)
        except ReviewRefused as refused:
            messages.error(request, str(refused))
            return redirect(request.get_full_path())

    return serialized
