"""Editors create and edit every page type through the Wagtail admin forms."""

from django.urls import reverse

from wagtail.models import Page, Site
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

import pytest

from pages.models import (
    CauseIndexPage,
    CausePage,
    ConditionIndexPage,
    ConditionPage,
    HomePage,
    PageReferenceLink,
    Reference,
    TherapyIndexPage,
    TherapyPage,
    TreatmentIndexPage,
    TreatmentPage,
)
from tests import factories


def page_form_data(model, **fields):
    """POST data for a page form: every inline formset of the model present (empty by default)."""
    formsets = model.get_edit_handler().get_form_class().formsets
    data = {name: inline_formset([]) for name in formsets}
    data.update(
        {
            "summary": "A short summary for lists.",
            "body": streamfield([]),
            "reviewed_by": str(fields.pop("reviewer").pk),
            "last_reviewed": "2026-01-10",
            "next_review_due": "2027-01-10",
        }
    )
    if "treatment_approach" in {f.name for f in model._meta.get_fields()}:
        data["treatment_approach"] = streamfield([])
    data.update(fields)
    return nested_form_data(data)


class AdminAuthoringTests(WagtailPageTestCase):
    @classmethod
    def setUpTestData(cls):
        root = Page.get_first_root_node()
        cls.home = root.add_child(instance=HomePage(title="Clinic", slug="clinic"))
        Site.objects.update_or_create(
            is_default_site=True, defaults={"hostname": "localhost", "root_page": cls.home}
        )
        cls.conditions = cls.home.add_child(instance=ConditionIndexPage(title="Conditions"))
        cls.causes = cls.home.add_child(instance=CauseIndexPage(title="Causes"))
        cls.treatments = cls.home.add_child(instance=TreatmentIndexPage(title="Treatments"))
        cls.therapies = cls.home.add_child(instance=TherapyIndexPage(title="Therapies"))
        cls.reviewer = factories.ReviewerFactory()
        cls.reference = factories.ReferenceFactory()
        cls.code = factories.MedicalCodeFactory()
        cls.symptom = factories.SymptomFactory(name="Tingling", slug="tingling")
        cls.cause = factories.CausePageFactory(parent=cls.causes, title="Shingles")
        cls.treatment = factories.TreatmentPageFactory(parent=cls.treatments, title="Opioids")

    def setUp(self):
        self.user = self.login()

    def test_create_condition_with_every_relation(self):
        data = page_form_data(
            ConditionPage,
            reviewer=self.reviewer,
            title="Neuropathic pain",
            also_known_as=inline_formset([{"name": "Nerve pain"}]),
            symptom_links=inline_formset([{"symptom": str(self.symptom.pk), "note": ""}]),
            subtypes=inline_formset(
                [{"name": "Peripheral neuropathy", "onset_site": "toes", "progression": "up"}]
            ),
            cause_links=inline_formset(
                [{"cause": str(self.cause.pk), "is_most_common": "on", "prevalence": "Often"}]
            ),
            treatment_links=inline_formset(
                [{"treatment": str(self.treatment.pk), "efficacy_caveat": "Works poorly."}]
            ),
            treatment_approach=streamfield(
                [
                    (
                        "step",
                        {
                            "aim": "underlying-cause",
                            "heading": "Treat the cause",
                            "description": "",
                            "causes": streamfield([("item", str(self.cause.pk))]),
                            "symptoms": streamfield([]),
                        },
                    )
                ]
            ),
            reference_links=inline_formset([{"reference": str(self.reference.pk)}]),
            code_links=inline_formset([{"code": str(self.code.pk)}]),
            body=streamfield([("paragraph", rich_text("<p>About nerve pain.</p>"))]),
        )
        self.assertCanCreate(self.conditions, ConditionPage, data)
        page = ConditionPage.objects.get(slug="neuropathic-pain")
        assert page.live
        assert [n.name for n in page.also_known_as.all()] == ["Nerve pain"]
        assert page.cause_links.get().is_most_common
        assert page.treatment_links.get().efficacy_caveat == "Works poorly."
        assert page.treatment_approach[0].value["causes"][0].pk == self.cause.pk
        assert page.reference_links.get().reference == self.reference
        # Edits in the admin are searchable straight away (index jobs run inline locally).
        assert list(ConditionPage.objects.live().search("nerve pain")) == [page.page_ptr.specific]

    def test_create_cause_with_statistics_and_codes(self):
        data = page_form_data(
            CausePage,
            reviewer=self.reviewer,
            title="Amputation",
            resulting_pain_syndrome="Phantom limb pain",
            statistics=inline_formset(
                [{"value": "50%", "population": "amputees", "outcome": "have pain"}]
            ),
            code_links=inline_formset([{"code": str(self.code.pk)}]),
        )
        self.assertCanCreate(self.causes, CausePage, data)
        page = CausePage.objects.get(slug="amputation")
        assert page.resulting_pain_syndrome == "Phantom limb pain"
        assert str(page.statistics.get()) == "50% of amputees have pain"

    def test_create_treatment(self):
        data = page_form_data(
            TreatmentPage,
            reviewer=self.reviewer,
            title="Anti-seizure medications",
            category="medication",
            drug_class="Anticonvulsants",
            example_drugs=inline_formset([{"name": "gabapentin", "code": str(self.code.pk)}]),
            how_it_works=rich_text("<p>Calms nerves.</p>"),
        )
        self.assertCanCreate(self.treatments, TreatmentPage, data)
        page = TreatmentPage.objects.get(slug="anti-seizure-medications")
        assert [d.name for d in page.example_drugs.all()] == ["gabapentin"]

    def test_create_therapy_with_safety_information(self):
        data = page_form_data(
            TherapyPage,
            reviewer=self.reviewer,
            title="Ketamine infusion therapy",
            provider_name="Test Clinic",
            drug_name="Ketamine",
            mechanism_target="NMDA receptor",
            is_off_label="on",
            approved_use="Anesthesia",
            relief_links=inline_formset([{"target": str(self.cause.pk), "label": "Shingles pain"}]),
            contraindications=inline_formset([{"name": "Pregnancy"}]),
            side_effects=inline_formset([{"name": "Nausea", "severity": "common"}]),
        )
        self.assertCanCreate(self.therapies, TherapyPage, data)
        page = TherapyPage.objects.get(slug="ketamine-infusion-therapy")
        assert page.is_off_label
        assert page.relief_links.get().label == "Shingles pain"
        assert [c.name for c in page.contraindications.all()] == ["Pregnancy"]

    def test_therapy_relief_link_must_target_a_condition_or_cause(self):
        data = page_form_data(
            TherapyPage,
            reviewer=self.reviewer,
            title="Bad therapy",
            provider_name="Test Clinic",
            relief_links=inline_formset([{"target": str(self.treatment.pk)}]),
        )
        data["action-publish"] = "action-publish"
        url = reverse("wagtailadmin_pages:add", args=["pages", "therapypage", self.therapies.pk])
        response = self.client.post(url, data)
        assert response.status_code == 200
        assert not TherapyPage.objects.filter(title="Bad therapy").exists()
        assert "condition page or a cause page" in response.content.decode()

    def test_review_fields_are_read_only_in_the_editor(self):
        """Only an approval or Mark reviewed records a review (pages/governance.py): what a
        form posts for them is ignored."""
        data = page_form_data(
            CausePage, reviewer=self.reviewer, title="Alcoholism", next_review_due="2025-01-01"
        )
        data.update({"slug": "alcoholism", "action-publish": "action-publish"})
        url = reverse("wagtailadmin_pages:add", args=["pages", "causepage", self.causes.pk])
        response = self.client.post(url, data)
        assert response.status_code == 302, response.context["form"].errors
        page = CausePage.objects.get(slug="alcoholism")
        assert (page.reviewed_by, page.last_reviewed, page.next_review_due) == (None, None, None)
        assert page.review_status() == "unreviewed"

    def test_edit_each_page_type(self):
        condition = factories.ConditionPageFactory(parent=self.conditions, title="Old title")
        therapy = factories.TherapyPageFactory(parent=self.therapies)
        required = {
            TreatmentPage: {"category": "topical"},
            TherapyPage: {"provider_name": "Test Clinic"},
        }
        for page in [condition, self.cause, self.treatment, therapy]:
            model = type(page)
            with self.subTest(page=model.__name__):
                edit_url = reverse("wagtailadmin_pages:edit", args=[page.pk])
                assert self.client.get(edit_url).status_code == 200
                data = page_form_data(
                    model, reviewer=self.reviewer, title="New title", **required.get(model, {})
                )
                data["slug"] = page.slug
                data["action-publish"] = "action-publish"
                response = self.client.post(edit_url, data)
                assert response.status_code == 302, response.content.decode()[:3000]
                page.refresh_from_db()
                assert page.title == "New title"
                assert page.live_revision.as_object().title == "New title"

    def test_every_page_type_previews(self):
        condition = factories.ConditionPageFactory(parent=self.conditions)
        therapy = factories.TherapyPageFactory(parent=self.therapies)
        for page, extra in [
            (condition, {}),
            (self.cause, {}),
            (self.treatment, {"category": "topical"}),
            (therapy, {"provider_name": "Test Clinic"}),
        ]:
            data = page_form_data(type(page), reviewer=self.reviewer, title=page.title, **extra)
            data["slug"] = page.slug
            for mode in ("", "app", "email"):  # the templates, the app, the email
                self.assertPageIsPreviewable(page, mode=mode, post_data=data)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("model", "query"),
    [
        ("symptom", "ting"),
        ("reviewer", "Reviewer"),
        ("reference", "trial"),
        ("medicalcode", "1000"),
    ],
)
def test_snippet_listings_are_searchable(admin_client, model, query):
    factories.SymptomFactory(name="Tingling", slug="tingling")
    factories.ReviewerFactory()
    factories.ReferenceFactory()
    factories.MedicalCodeFactory(value="100042")
    url = reverse(f"wagtailsnippets_pages_{model}:list")
    response = admin_client.get(url, {"q": query})
    assert response.status_code == 200
    assert response.context["object_list"] or response.context["page_obj"].object_list
    missing = admin_client.get(url, {"q": "zzzz-no-such-thing"})
    assert not list(missing.context["page_obj"].object_list)


@pytest.mark.django_db
def test_a_cited_reference_cannot_be_deleted_from_the_admin(admin_client, home):
    causes = factories.CauseIndexPageFactory(parent=home)
    cause = factories.CausePageFactory(parent=causes)
    reference = factories.ReferenceFactory()
    PageReferenceLink.objects.create(page=cause, reference=reference)
    url = reverse("wagtailsnippets_pages_reference:delete", args=[reference.pk])

    confirm = admin_client.get(url)
    assert confirm.status_code == 200
    assert confirm.context["is_protected"] is True
    assert "Yes, delete" not in confirm.content.decode()

    forced = admin_client.post(url)
    assert forced.status_code == 302  # refused with a message, never a 500
    assert Reference.objects.filter(pk=reference.pk).exists()

    unused = factories.ReferenceFactory()
    admin_client.post(reverse("wagtailsnippets_pages_reference:delete", args=[unused.pk]))
    assert not Reference.objects.filter(pk=unused.pk).exists()
