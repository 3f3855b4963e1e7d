"""The admin's edit forms: each saved inline row (a condition's cause, treatment, symptom...)
is one collapsed line naming what it links to, expandable (templates/wagtailadmin/panels/
inline_panel_child.html, pages/templatetags/admin_rows.py)."""

import hashlib
from pathlib import Path

from django.contrib.auth import get_user_model
from django.urls import reverse

import wagtail

from pages.models import ConditionPage, TherapyPage

# Wagtail's own template, as the project's override was copied from it: an upgrade that changes
# it must be looked at (copy it again, keep the two changes the override's comment names).
WAGTAIL_TEMPLATE = "admin/templates/wagtailadmin/panels/inline_panel_child.html"
WAGTAIL_TEMPLATE_SHA256 = "f8db4840ba05955302a4cc4e1ac57df5587dba834f6425d9d42fb5f96650e289"


def test_the_override_is_of_the_wagtail_template_it_was_copied_from():
    source = Path(wagtail.__file__).parent / WAGTAIL_TEMPLATE
    assert hashlib.sha256(source.read_bytes()).hexdigest() == WAGTAIL_TEMPLATE_SHA256


def edit_page(client, page):
    admin = get_user_model().objects.create_superuser("rows-admin", "rows@clinic.test", "pw")
    client.force_login(admin)
    response = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_saved_rows_are_collapsed_lines_naming_what_they_link_to(seeded, client):
    condition = ConditionPage.objects.get(slug="neuropathic-pain")
    html = edit_page(client, condition)
    for cause in condition.cause_links.all():
        assert f"<span data-inline-panel-child-count></span>: {cause.cause.title}" in html
    assert "<span data-inline-panel-child-count></span>: Shooting pain" in html  # a symptom
    assert "<span data-inline-panel-child-count></span>: Nerve pain" in html  # an other name
    saved = (
        condition.cause_links.count()
        + condition.treatment_links.count()
        + condition.symptom_links.count()
    )
    assert html.count('class="w-panel collapsed"') >= saved
    assert "object (" not in html


def test_a_therapys_rows_name_their_target_and_their_own_name(seeded, client):
    therapy = TherapyPage.objects.get(slug="ketamine-infusion-therapy")
    html = edit_page(client, therapy)
    relieved = therapy.relief_links.first().target.title
    assert f"<span data-inline-panel-child-count></span>: {relieved}" in html
    side_effect = therapy.side_effects.first().name
    assert f"<span data-inline-panel-child-count></span>: {side_effect}" in html
