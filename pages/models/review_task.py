"""The "Medical review" workflow's task: Medical reviewers approve or request changes. An
approval needs the approver's one linked Reviewer profile (pages/governance.py records the
review with it): without one, the approve buttons say so and do nothing, and the approval is
refused before any state changes. On a page that has translations, a third way to approve
records that the change does not touch them (a typo fix must not make every translation
outdated: pages/translations.py)."""

from django.db import transaction

from wagtail.models import AbstractGroupApprovalTask

PROFILE_NEEDED = "profile-needed"
APPROVE_NO_TRANSLATION_IMPACT = "approve-no-translation-impact"


class MedicalReviewTask(AbstractGroupApprovalTask):
    def get_actions(self, obj, user):
        actions = super().get_actions(obj, user)
        if not actions:
            return actions
        from pages import governance

        try:
            governance.reviewer_of(user)
        except governance.ReviewRefused:
            label = "Approve: first link your Reviewer profile (Medical library > Reviewers)"
            return [a for a in actions if a[0] != "approve"] + [(PROFILE_NEEDED, label, False)]
        from pages import translations

        if translations.has_translations(obj):
            label = "Approve and publish: no change for translations"
            actions = [*actions, (APPROVE_NO_TRANSLATION_IMPACT, label, False)]
        return actions

    @transaction.atomic
    def on_action(self, task_state, user, action_name, **kwargs):
        """An approval is checked first (the approver's Reviewer profile) and is one
        transaction with the publication it finishes."""
        from pages import governance, translations

        if action_name == PROFILE_NEEDED:
            return None
        if action_name == APPROVE_NO_TRANSLATION_IMPACT:
            governance.reviewer_of(user)
            with translations.impact_waived():
                return super().on_action(task_state, user, "approve", **kwargs)
        if action_name == "approve":
            governance.reviewer_of(user)
        return super().on_action(task_state, user, action_name, **kwargs)

    @classmethod
    def get_description(cls):
        return "Medical reviewers approve the content (recording their review) or ask for changes"

    class Meta:
        verbose_name = "medical review task"
        verbose_name_plural = "medical review tasks"
