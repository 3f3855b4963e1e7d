"""Medical snippets (references, codes, symptoms, the disclaimer) and campaigns under the
"Medical review" workflow: an Editor's change is a draft until a Medical reviewer approves it;
an Editor publishes or unpublishes none of them by any path tried here; a snippet that is not
live is public nowhere (pages.selectors.snippet_is_public; every door: the leak property)."""

from django.urls import reverse

from wagtail.models import Workflow, WorkflowState

import pytest

from pages import governance
from pages.models import Campaign, ConditionPage, Disclaimer, Reference, Symptom
from tests.conftest import member
from tests.pages.test_governance import login

REFERENCE_FIELDS = {
    "authors": "Doe J, Roe R.",
    "title": "A trial of something",
    "journal": "Pain",
    "year": "2024",
    "doi": "10.1234/trial.2024",
}

SEED_ONCE = True  # every database test reads the seed (tests/conftest.py)


def url(model, view, *args):
    return reverse(f"wagtailsnippets_pages_{model._meta.model_name}:{view}", args=args)


def detail(client, slug="neuropathic-pain"):
    response = client.get(f"/api/v1/conditions/{slug}/")
    assert response.status_code == 200
    return response.json()


def test_an_editor_adds_a_reference_as_a_draft_and_cannot_publish_it(client, seeded, editor):
    login(client, editor)
    form = client.get(url(Reference, "add")).content.decode()
    assert 'name="action-publish"' not in form and 'name="action-submit"' in form
    crafted = client.post(url(Reference, "add"), {**REFERENCE_FIELDS, "action-publish": "1"})
    assert crafted.status_code in (302, 403)
    reference = Reference.objects.get(doi="10.1234/trial.2024")
    assert not reference.live  # saved, as a draft at most
    cited = Reference.objects.filter(live=True).first()
    client.post(url(Reference, "unpublish", cited.pk))  # refused: back to the dashboard
    cited.refresh_from_db()
    assert cited.live


def test_an_editors_edit_of_a_live_snippet_waits_for_an_approval(client, seeded, editor, reviewer):
    symptom = Symptom.objects.get(slug="burning-pain")
    login(client, editor)
    fields = {"name": "Burning pain (draft)", "slug": symptom.slug, "description": "Draft."}
    response = client.post(url(Symptom, "edit", symptom.pk), {**fields, "action-submit": "1"})
    assert response.status_code == 302
    symptom.refresh_from_db()
    assert symptom.name == "Burning pain" and symptom.live  # the row holds what is live
    anonymous = type(client)()
    names = {s["name"] for s in detail(anonymous)["symptoms"]}
    assert "Burning pain" in names and "Burning pain (draft)" not in names

    state = WorkflowState.objects.get(object_id=str(symptom.pk), status="in_progress")
    login(client, reviewer)
    approve = url(Symptom, "workflow_action", symptom.pk, "approve", state.current_task_state.pk)
    assert client.post(approve, {"comment": ""}).status_code in (200, 302)
    symptom.refresh_from_db()
    assert symptom.name == "Burning pain (draft)"
    assert "Burning pain (draft)" in {s["name"] for s in detail(anonymous)["symptoms"]}


def test_a_snippet_that_is_not_live_is_public_nowhere(
    client, seeded, django_capture_on_commit_callbacks
):
    page = ConditionPage.objects.get(slug="neuropathic-pain")
    before = detail(client)
    assert before["references"] and before["symptoms"] and before["codes"]
    reference = Reference.objects.get(pk=before["references"][0]["id"])
    symptom = Symptom.objects.get(slug=before["symptoms"][0]["slug"])
    unknown = client.get("/api/v1/conditions/?symptom=never-existed").json()
    assert client.get(f"/api/v1/conditions/?symptom={symptom.slug}").json()["results"]

    with django_capture_on_commit_callbacks(execute=True):  # the change record, on commit
        reference.unpublish()
        symptom.unpublish()
    after = detail(client)
    assert reference.pk not in {r["id"] for r in after["references"]}
    assert symptom.slug not in {s["slug"] for s in after["symptoms"]}
    assert reference.title not in str(after)
    hidden = client.get(f"/api/v1/conditions/?symptom={symptom.slug}").json()
    assert hidden == unknown  # a hidden symptom's slug answers like one that never existed
    assert len(after["references"]) == len(before["references"]) - 1

    with django_capture_on_commit_callbacks(execute=True):
        symptom.save_revision().publish()
    assert symptom.slug in {s["slug"] for s in detail(client)["symptoms"]}  # back, refreshed
    assert page.pk  # the page itself was never touched


def test_the_default_disclaimer_is_shown_only_while_live(
    client, seeded, django_capture_on_commit_callbacks
):
    default = Disclaimer.objects.get(is_default=True)
    assert detail(client)["disclaimer"] is not None
    with django_capture_on_commit_callbacks(execute=True):
        default.unpublish()
    assert Disclaimer.default() is None
    assert detail(client)["disclaimer"] is None

    # publishing a disclaimer marked default makes it the default (the old one stops being it)
    with django_capture_on_commit_callbacks(execute=True):
        default.save_revision().publish()
    other = Disclaimer(name="Short", text="<p>Short disclaimer</p>", is_default=True, live=False)
    with django_capture_on_commit_callbacks(execute=True):
        other.save()  # a draft marked default does not displace the live one
    assert Disclaimer.default() == default
    with django_capture_on_commit_callbacks(execute=True):
        other.save_revision().publish()
    default.refresh_from_db()
    assert Disclaimer.default() == other and not default.is_default
    assert "Short disclaimer" in detail(client)["disclaimer"]["text"]


def test_marketing_submits_campaigns_and_reviewers_publish_them(seeded, django_user_model):
    marketer = member(django_user_model, "Marketing", "marketer")
    reviewer_user = member(django_user_model, "Medical reviewers", "approver")
    assert not marketer.has_perm("pages.publish_campaign")
    assert marketer.has_perm("pages.change_campaign")
    assert reviewer_user.has_perm("pages.publish_campaign")
    assert Campaign.get_default_workflow().name == "Medical review"


def test_a_campaign_goes_through_review_and_an_approval_never_errors(
    client, seeded, reviewer, django_user_model
):
    """Marketing submits; the reviewer approves and it is live. An approval that cannot
    publish (an item's page stopped being public meanwhile) is refused, not a 500."""
    from pages.models import CausePage, TherapyPage
    from tests.pages.test_admin_campaigns import campaign_form

    marketer = member(django_user_model, "Marketing", "marketer")
    therapy = TherapyPage.objects.get(slug="ketamine-infusion-therapy")
    shingles = CausePage.objects.get(slug="shingles")
    login(client, marketer)
    form = client.get(url(Campaign, "add")).content.decode()
    assert 'name="action-publish"' not in form
    response = client.post(
        url(Campaign, "add"), campaign_form(therapy, shingles, **{"action-submit": "1"})
    )
    assert response.status_code == 302
    campaign = Campaign.objects.get(slug="spring")
    assert not campaign.live
    state = WorkflowState.objects.get(object_id=str(campaign.pk), status="in_progress")

    shingles.unpublish()
    login(client, reviewer)
    approve = url(Campaign, "workflow_action", campaign.pk, "approve", state.current_task_state.pk)
    refused = client.post(approve, {"comment": ""})
    assert refused.status_code in (302, 403)
    campaign.refresh_from_db()
    assert not campaign.live

    shingles.save_revision().publish()
    state.refresh_from_db()
    approved = client.post(approve, {"comment": ""})
    assert approved.status_code in (200, 302)
    campaign.refresh_from_db()
    assert campaign.live


# While in review, only the approval publishes (pages.governance.check_publication) ------------


def reference_form(reference, **fields):
    """POST data for a reference's edit form: its fields, with `fields` changed."""
    data = {
        name: getattr(reference, name) or ""
        for name in ("authors", "title", "journal", "year", "volume", "issue", "pages")
    }
    return {**data, "doi": reference.doi, "pmid": reference.pmid, "url": reference.url, **fields}


def test_a_snippet_in_review_is_published_only_by_the_approval(client, seeded, editor, reviewer):
    reference = Reference.objects.filter(live=True).first()
    reference.save_revision().publish()  # seeded in bulk, without revisions
    reference.refresh_from_db()
    title, live_revision = reference.title, reference.live_revision_id
    login(client, editor)
    edit_url = url(Reference, "edit", reference.pk)
    client.post(
        edit_url, {**reference_form(reference, title="Reviewed title"), "action-submit": "1"}
    )
    state = WorkflowState.objects.get(object_id=str(reference.pk), status="in_progress")

    def unchanged():
        reference.refresh_from_db()
        state.refresh_from_db()
        assert (reference.title, reference.live_revision_id) == (title, live_revision)
        assert state.status == WorkflowState.STATUS_IN_PROGRESS

    login(client, reviewer)
    form = client.get(edit_url).content.decode()
    assert 'name="action-publish"' not in form and 'data-workflow-action-name="approve"' in form
    crafted = client.post(
        edit_url, {**reference_form(reference, title="Past the review"), "action-publish": "1"}
    )
    assert crafted.status_code == 302
    assert "only the approval publishes it" in client.get(edit_url).content.decode()
    unchanged()
    revert = url(Reference, "revisions_revert", reference.pk, live_revision)
    client.post(revert, {**reference_form(reference, title="Old"), "action-publish": "1"})
    unchanged()
    with pytest.raises(governance.InReview):
        reference.get_latest_revision().publish(user=reviewer)
    unchanged()

    approve = url(
        Reference, "workflow_action", reference.pk, "approve", state.current_task_state.pk
    )
    assert client.post(approve, {"comment": ""}).status_code in (200, 302)
    reference.refresh_from_db()
    assert reference.title == "Reviewed title"


def test_a_campaign_in_review_is_published_only_by_the_approval(client, seeded, reviewer):
    from tests.api.test_campaigns import make_campaign

    campaign = make_campaign(publish=False)
    campaign.save_revision(user=reviewer)
    Workflow.objects.get(name="Medical review").start(campaign, reviewer)
    login(client, reviewer)
    edit_url = url(Campaign, "edit", campaign.pk)
    assert 'name="action-publish"' not in client.get(edit_url).content.decode()
    with pytest.raises(governance.InReview):
        campaign.get_latest_revision().publish(user=reviewer)
    campaign.refresh_from_db()
    assert not campaign.live
    assert client.get("/api/v1/campaigns/spring/").status_code == 404


# Deleting or unpublishing what is live needs the permission to publish it ---------------------


@pytest.fixture
def marketer(db, django_user_model):
    return member(django_user_model, "Marketing", "marketer")


def test_marketing_deletes_or_unpublishes_no_live_campaign(client, seeded, marketer):
    """Marketing may delete campaigns but not publish them: a live one stays, by every path
    (the delete view, bulk delete, unpublish); a draft they may delete."""
    from tests.api.test_campaigns import make_campaign

    campaign = make_campaign()
    login(client, marketer)
    assert client.get(url(Campaign, "delete", campaign.pk)).status_code in (302, 403)
    client.post(url(Campaign, "delete", campaign.pk))
    bulk = reverse("wagtail_bulk_action", args=("pages", "campaign", "delete"))
    client.post(f"{bulk}?id={campaign.pk}")
    client.post(url(Campaign, "unpublish", campaign.pk))
    campaign.refresh_from_db()
    assert campaign.live
    assert client.get("/api/v1/campaigns/spring/").status_code == 200
    edit_form = client.get(url(Campaign, "edit", campaign.pk)).content.decode()
    assert url(Campaign, "delete", campaign.pk) not in edit_form
    listing = client.get(url(Campaign, "list")).content.decode()
    assert "Spring newsletter" in listing and url(Campaign, "delete", campaign.pk) not in listing

    draft = Campaign.objects.create(name="Draft", slug="draft", subject="Draft", live=False)
    assert url(Campaign, "delete", draft.pk) in client.get(url(Campaign, "list")).content.decode()
    response = client.post(url(Campaign, "delete", draft.pk))
    assert response.status_code == 302
    assert not Campaign.objects.filter(pk=draft.pk).exists()


def test_who_may_delete_a_live_medical_snippet_or_campaign(seeded, editor, reviewer, marketer):
    """The role matrix of deleting what is live: it needs the delete and publish permissions
    (pages.governance.LiveNeedsPublishPolicy); what is not live needs delete alone."""
    from django.contrib.auth import get_user_model

    from wagtail.permissions import policy_registry

    from tests.api.test_campaigns import make_campaign

    admin = get_user_model().objects.create_superuser("admin", "admin@clinic.test", "pw")
    campaign = Campaign.objects.get(pk=make_campaign().pk)
    reference = Reference.objects.filter(live=True).first()
    draft = Reference(authors="Doe J", title="A draft", year=2024, doi="10.1234/d", live=False)
    draft.save()
    expected = {
        (campaign, marketer): False,
        (campaign, reviewer): False,  # publishes campaigns, deletes none
        (campaign, editor): False,
        (campaign, admin): True,
        (reference, editor): False,
        (reference, reviewer): True,
        (reference, marketer): False,
        (draft, reviewer): True,
        (draft, editor): False,  # editors delete no medical snippet
    }
    for (obj, user), allowed in expected.items():
        policy = policy_registry.get(obj)
        assert policy.user_has_permission_for_instance(user, "delete", obj) is allowed, (
            obj,
            user,
        )
