"""Wagtail's page routes expose nothing (every path redirects to the website the same way), and
the admin's preview shows other pages only as the API does: public ones, linked on the website."""

import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from wagtail.models import PageViewRestriction
from wagtail.test.utils.form_data import inline_formset, rich_text, streamfield

import pytest

from pages.models import (
    CausePage,
    ConditionCauseLink,
    ConditionTreatmentLink,
    Disclaimer,
    TherapyReliefLink,
)
from tests import factories
from tests.pages.test_admin import page_form_data

WEBSITE = settings.WEBSITE_BASE_URL
HIDDEN = "secret"  # in the title (and so the slug) of every page the public must not see


@pytest.fixture
def tree(home):
    """A site where each kind of page the public must not see sits next to a public one."""
    t = type("Tree", (), {})()
    t.home = home
    t.conditions = factories.ConditionIndexPageFactory(parent=home)
    t.causes = factories.CauseIndexPageFactory(parent=home)
    t.treatments = factories.TreatmentIndexPageFactory(parent=home)
    t.therapies = factories.TherapyIndexPageFactory(parent=home)
    t.reviewer = factories.ReviewerFactory()
    t.reference = factories.ReferenceFactory()
    t.symptom = factories.SymptomFactory(
        name="Tingling", description="Pins and needles, often in the feet."
    )

    t.cause = factories.CausePageFactory(parent=t.causes, title="Alpha cause")
    t.unpublished = factories.CausePageFactory(
        parent=t.causes, title="Secret unpublished cause", live=False
    )
    t.private = factories.CausePageFactory(parent=t.causes, title="Secret private cause")
    t.restriction = PageViewRestriction.objects.create(
        page=t.private, restriction_type=PageViewRestriction.PASSWORD, password="s3cret"
    )
    t.expired = factories.CausePageFactory(
        parent=t.causes, title="Secret expired cause", expired=True
    )
    t.lapsed = factories.CausePageFactory(  # past expire_at, before the worker flags it
        parent=t.causes,
        title="Secret lapsed cause",
        expire_at=timezone.now() - datetime.timedelta(minutes=5),
    )
    t.hidden_causes = [t.unpublished, t.private, t.expired, t.lapsed]

    t.treatment = factories.TreatmentPageFactory(parent=t.treatments, title="Beta treatment")
    t.hidden_treatment = factories.TreatmentPageFactory(
        parent=t.treatments, title="Secret draft treatment", live=False
    )
    t.condition = factories.ConditionPageFactory(parent=t.conditions, title="Nerve pain")
    t.hidden_condition = factories.ConditionPageFactory(
        parent=t.conditions, title="Secret private condition"
    )
    PageViewRestriction.objects.create(page=t.hidden_condition, restriction_type="login")
    for condition in (t.condition, t.hidden_condition):
        ConditionCauseLink.objects.create(page=condition, cause=t.cause, prevalence="Common")
        ConditionTreatmentLink.objects.create(
            page=condition, treatment=t.treatment, efficacy_caveat="Modest"
        )
    t.therapy = factories.TherapyPageFactory(parent=t.therapies, title="Gamma therapy")
    t.hidden_therapy = factories.TherapyPageFactory(
        parent=t.therapies, title="Secret unpublished therapy", live=False
    )
    for therapy in (t.therapy, t.hidden_therapy):
        for target in (t.condition, t.cause):
            TherapyReliefLink.objects.create(page=therapy, target=target)
    return t


def website_url(page):
    return f"{WEBSITE}{page.url}"


def links_to(pages):
    """Rich text linking to each page, by a link text that does not name it."""
    return "".join(
        f'<p>Read <a linktype="page" id="{page.pk}">more {i}</a>.</p>'
        for i, page in enumerate(pages)
    )


def preview(admin_client, page, data):
    """What the admin's Preview panel shows for `page` edited with `data` (not saved; link rows
    already saved stay, as the form posts only new rows)."""
    url = reverse("wagtailadmin_pages:preview_on_edit", args=[page.pk])
    posted = admin_client.post(url, data)
    assert posted.status_code == 200 and posted.json()["is_valid"], posted.content
    response = admin_client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def assert_shows_no_hidden_page(html, pages):
    assert HIDDEN not in html.lower()
    for page in pages:
        assert page.slug not in html
        assert f'id="{page.pk}"' not in html
    assert "linktype=" not in html
    content = html.split("<main>", 1)[1]  # after the admin's user bar
    assert '<a href="/' not in content  # nothing links to this service's page routes


# --- public requests to page routes -------------------------------------------------------


@pytest.mark.django_db
def test_every_page_path_gets_the_same_answer(client, admin_client, tree):
    paths = [
        tree.cause.url,  # live
        *(page.url for page in tree.hidden_causes),  # unpublished, private, expired, lapsed
        "/causes/no-such-cause/",
        f"/_util/authenticate_with_password/{tree.restriction.pk}/{tree.private.pk}/",
        "/_util/authenticate_with_password/999999/999999/",
        "/_util/login/",
        "/",
    ]
    shapes = set()
    for path in paths:
        for who in (client, admin_client):
            response = who.get(path + "?utm_source=x")
            assert response.status_code == 302, path
            assert response["Location"] == f"{WEBSITE}{path}?utm_source=x"
            assert response.content == b""
            shapes.add(tuple(sorted(h for h in response.headers if h != "Location")))
        assert client.head(path).status_code == 302
        assert client.post(path).status_code == 405
        assert client.put(path).status_code == 405
    assert len(shapes) == 1  # same headers, whatever the page


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/%ff/",
        "/%E2%82%AC/",
        "/..%2f..%2fetc/passwd",
        "/a%0Ab/",
        "/x%00/",
        "/causes/" + "a" * 5000 + "/",
        "/causes/shingles",
        "/robots.txt",
    ],
)
def test_odd_paths_redirect_without_error(client, tree, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(WEBSITE + "/")
    assert "\n" not in response["Location"]


@pytest.mark.django_db
def test_the_service_routes_still_answer(client, tree):
    assert client.get("/healthz/").status_code == 200
    unknown = client.get("/api/v1/no-such-collection/")  # the API's own 404, not a redirect
    assert unknown.status_code == 404
    assert unknown["Content-Type"] == "application/problem+json"
    assert client.get("/admin/").status_code == 302  # to the admin login
    assert client.get("/admin")["Location"] == "/admin/"
    assert client.get("/healthz")["Location"] == "/healthz/"


@pytest.mark.django_db
def test_admin_view_live_links_lead_to_the_website(client, tree):
    """Page.get_url_parts reverses `wagtail_serve`: the admin's "View live" and `pageurl`."""
    assert tree.cause.url == "/causes/alpha-cause/"
    assert tree.cause.full_url == "http://localhost/causes/alpha-cause/"
    assert client.get(tree.cause.url)["Location"] == f"{WEBSITE}/causes/alpha-cause/"


# --- the admin's preview -------------------------------------------------------------------


@pytest.mark.django_db
def test_condition_preview_shows_only_public_pages(admin_client, tree):
    ConditionCauseLink.objects.filter(page=tree.condition).delete()  # the form below sets them
    ConditionTreatmentLink.objects.filter(page=tree.condition).delete()
    everything = [tree.cause, *tree.hidden_causes]
    Disclaimer.objects.create(
        name="Standard", is_default=True, text=links_to([tree.private, tree.cause])
    )
    data = page_form_data(
        type(tree.condition),
        reviewer=tree.reviewer,
        title="Nerve pain (draft title)",
        slug=tree.condition.slug,
        symptom_links=inline_formset([{"symptom": str(tree.symptom.pk), "note": "early"}]),
        cause_links=inline_formset(
            [{"cause": str(page.pk), "prevalence": "Often"} for page in everything]
        ),
        treatment_links=inline_formset(
            [{"treatment": str(page.pk)} for page in (tree.treatment, tree.hidden_treatment)]
        ),
        treatment_approach=streamfield(
            [
                (
                    "step",
                    {
                        "aim": "underlying-cause",
                        "heading": "Treat the cause",
                        "description": "",
                        "causes": streamfield([("item", str(page.pk)) for page in everything]),
                        "symptoms": streamfield([("item", str(tree.symptom.pk))]),
                    },
                )
            ]
        ),
        body=streamfield(
            [
                ("paragraph", rich_text(links_to(everything))),
                ("callout", {"tone": "info", "title": "", "text": rich_text(links_to(everything))}),
                (
                    "evidence_claim",
                    {
                        "claim": rich_text(links_to(everything)),
                        "references": streamfield([("item", str(tree.reference.pk))]),
                    },
                ),
            ]
        ),
    )
    html = preview(admin_client, tree.condition, data)

    assert "Nerve pain (draft title)" in html  # the page being previewed, draft and all
    assert_shows_no_hidden_page(html, [*tree.hidden_causes, tree.hidden_treatment])
    cause_link = f'<a href="{website_url(tree.cause)}">'
    # relation, approach step, paragraph, callout, claim, disclaimer
    assert html.count(cause_link) == 6
    assert f"{cause_link}Alpha cause</a>" in html
    assert f'<a href="{website_url(tree.treatment)}">Beta treatment</a>' in html
    assert f'<a href="{website_url(tree.therapy)}">Gamma therapy</a>' in html
    assert "Read more 2." in html  # a link to a hidden page keeps its text, loses its link
    assert "Pins and needles, often in the feet." in html  # the symptom's description
    assert "early" in html


@pytest.mark.django_db
def test_a_private_section_hides_everything_in_it(admin_client, tree):
    PageViewRestriction.objects.create(page=tree.treatments, restriction_type="login")
    ConditionTreatmentLink.objects.filter(page=tree.condition).delete()
    data = page_form_data(
        type(tree.condition),
        reviewer=tree.reviewer,
        title=tree.condition.title,
        slug=tree.condition.slug,
        treatment_links=inline_formset([{"treatment": str(tree.treatment.pk)}]),
        body=streamfield([("paragraph", rich_text(links_to([tree.treatment])))]),
    )
    html = preview(admin_client, tree.condition, data)
    assert "Beta treatment" not in html and tree.treatment.slug not in html

    home = preview(admin_client, tree.home, {"title": "Clinic", "slug": "clinic", "intro": ""})
    assert f'<a href="{WEBSITE}/causes/">Causes</a>' in home
    assert "Treatments" not in home


@pytest.mark.django_db
def test_index_preview_lists_only_public_children(admin_client, tree):
    html = preview(admin_client, tree.causes, {"title": "Causes", "slug": "causes", "intro": ""})
    assert f'<a href="{website_url(tree.cause)}">Alpha cause</a>' in html
    assert_shows_no_hidden_page(html, tree.hidden_causes)


@pytest.mark.django_db
def test_cause_preview_lists_public_conditions_and_therapies(admin_client, tree):
    ConditionCauseLink.objects.filter(page=tree.hidden_condition).update(is_most_common=True)
    data = page_form_data(
        CausePage,
        reviewer=tree.reviewer,
        title=tree.cause.title,
        slug=tree.cause.slug,
        body=streamfield([("paragraph", rich_text(links_to([tree.hidden_condition])))]),
    )
    html = preview(admin_client, tree.cause, data)
    assert f'<a href="{website_url(tree.condition)}">Nerve pain</a>: Common' in html
    assert f'<a href="{website_url(tree.therapy)}">Gamma therapy</a>' in html
    assert_shows_no_hidden_page(html, [tree.hidden_condition, tree.hidden_therapy])
    assert "most common" not in html


@pytest.mark.django_db
def test_an_unpublished_page_previews_itself(admin_client, tree):
    data = page_form_data(
        CausePage,
        reviewer=tree.reviewer,
        title="Secret unpublished cause",
        slug=tree.unpublished.slug,
        body=streamfield([("paragraph", rich_text(links_to([tree.cause, tree.expired])))]),
    )
    html = preview(admin_client, tree.unpublished, data)
    assert "<h1>Secret unpublished cause</h1>" in html
    assert f'Read <a href="{website_url(tree.cause)}">more 0</a>.' in html
    assert tree.expired.slug not in html


@pytest.mark.django_db
def test_treatment_preview(admin_client, tree):
    data = page_form_data(
        type(tree.treatment),
        reviewer=tree.reviewer,
        title=tree.treatment.title,
        slug=tree.treatment.slug,
        category="medication",
        how_it_works=rich_text(links_to([tree.cause, tree.private])),
        evidence_notes=rich_text(links_to([tree.lapsed])),
    )
    html = preview(admin_client, tree.treatment, data)
    assert f'<a href="{website_url(tree.condition)}">Nerve pain</a>: <em>Modest</em>' in html
    assert f'<a href="{website_url(tree.cause)}">more 0</a>' in html
    assert_shows_no_hidden_page(html, [tree.hidden_condition, tree.private, tree.lapsed])


@pytest.mark.django_db
def test_therapy_preview(admin_client, tree):
    data = page_form_data(
        type(tree.therapy),
        reviewer=tree.reviewer,
        title=tree.therapy.title,
        slug=tree.therapy.slug,
        provider_name="Test Clinic",
        relief_links=inline_formset(
            [
                {"target": str(tree.condition.pk), "label": "nerve pain", "note": ""},
                {"target": str(tree.unpublished.pk), "label": "", "note": ""},
                {"target": str(tree.expired.pk), "label": "a label", "note": ""},
            ]
        ),
        mechanism_of_action=rich_text(links_to([tree.private, tree.condition])),
        what_to_expect=rich_text(links_to([tree.expired])),
        contraindications=inline_formset(
            [{"name": "Pregnancy", "note": "Not studied in pregnancy; avoid."}]
        ),
    )
    html = preview(admin_client, tree.therapy, data)
    assert f'<a href="{website_url(tree.condition)}">nerve pain</a>' in html
    assert f'<a href="{website_url(tree.condition)}">more 1</a>' in html
    assert "Pregnancy: Not studied in pregnancy; avoid." in html  # the contraindication's note
    assert "a label" not in html
    assert_shows_no_hidden_page(html, [tree.unpublished, tree.expired, tree.private])


@pytest.mark.django_db
def test_a_new_page_previews_before_its_first_save(admin_client, tree):
    url = reverse("wagtailadmin_pages:preview_on_add", args=["pages", "causepage", tree.causes.pk])
    data = page_form_data(
        CausePage,
        reviewer=tree.reviewer,
        title="Brand new cause",
        slug="brand-new-cause",
        body=streamfield([("paragraph", rich_text(links_to([tree.cause, tree.private])))]),
    )
    posted = admin_client.post(url, data)
    assert posted.status_code == 200 and posted.json()["is_valid"], posted.content
    html = admin_client.get(url).content.decode()
    assert "<h1>Brand new cause</h1>" in html
    assert f'<a href="{website_url(tree.cause)}">more 0</a>' in html
    assert_shows_no_hidden_page(html, [tree.private])
