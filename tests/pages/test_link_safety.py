"""Rich text refuses unsafe links at save time (pages/link_safety.py); embeds come only from
the allowlisted providers."""

from django.core.exceptions import ValidationError

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pages.link_safety import unsafe_hrefs
from pages.models import Campaign, Disclaimer, TherapyPage

UNSAFE = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "java\tscript:alert(1)",
    "&#106;avascript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD4=",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "relative/path",
]
SAFE = ["https://example.org/", "http://example.org", "mailto:a@b.c", "tel:+15551234", "/p/", "#x"]


@pytest.mark.parametrize("href", UNSAFE)
def test_unsafe_hrefs_are_found(href):
    assert unsafe_hrefs(f'<p><a href="{href}">x</a></p>')
    assert unsafe_hrefs(f"<a href='{href}'>x</a>")


@pytest.mark.parametrize("href", SAFE)
def test_safe_hrefs_pass(href):
    assert unsafe_hrefs(f'<a href="{href}">x</a>') == []


def test_internal_links_have_no_href():
    assert unsafe_hrefs('<a linktype="page" id="3">a page</a>') == []


@given(st.text())
def test_any_text_parses(text):
    assert isinstance(unsafe_hrefs(text), list)


def test_a_page_refuses_an_unsafe_link_in_a_rich_text_field(seeded):
    therapy = TherapyPage.objects.get(slug="ketamine-infusion-therapy")
    therapy.what_to_expect = '<p><a href="javascript:alert(1)">click</a></p>'
    with pytest.raises(ValidationError) as refused:
        therapy.full_clean()
    assert "what_to_expect" in refused.value.message_dict
    assert "links must start with https://" in refused.value.message_dict["what_to_expect"][0]


def test_a_page_refuses_an_unsafe_link_in_its_body(seeded):
    therapy = TherapyPage.objects.get(slug="ketamine-infusion-therapy")
    therapy.body = [{"type": "paragraph", "value": '<p><a href="data:text/html,x">x</a></p>'}]
    with pytest.raises(ValidationError, match="Unsafe link 'data:text/html,x' in “body”"):
        therapy.full_clean()


def test_snippets_refuse_unsafe_links(db):
    disclaimer = Disclaimer(name="D", text='<p><a href="javascript:x()">x</a></p>')
    with pytest.raises(ValidationError, match="Unsafe link"):
        disclaimer.full_clean()
    campaign = Campaign(name="C", slug="c", subject="S", intro='<p><a href="vbscript:x">x</a></p>')
    with pytest.raises(ValidationError, match="Unsafe link"):
        campaign.full_clean()


def test_the_editor_never_stores_an_unsafe_href(admin_client, seeded):
    """In the editor, Wagtail's rich text converter drops an unsafe href before the model sees
    it (the link keeps its text); the model's check guards every other way in."""
    from django.urls import reverse

    from wagtail.test.utils.form_data import rich_text

    from tests.pages.test_admin import page_form_data

    therapy = TherapyPage.objects.get(slug="ketamine-infusion-therapy")
    data = page_form_data(
        TherapyPage,
        reviewer=therapy.reviewed_by,
        title=therapy.title,
        slug=therapy.slug,
        provider_name="Test Clinic",
        what_to_expect=rich_text('<p><a href="javascript:alert(1)">click</a></p>'),
    )
    response = admin_client.post(reverse("wagtailadmin_pages:edit", args=[therapy.pk]), data)
    assert response.status_code == 302
    draft = therapy.revisions.order_by("-pk").first().content["what_to_expect"]
    assert "click" in draft and "javascript" not in draft


def test_embeds_only_from_allowlisted_providers(db):
    from wagtail.embeds.embeds import get_embed
    from wagtail.embeds.exceptions import EmbedUnsupportedProviderException

    with pytest.raises(EmbedUnsupportedProviderException):
        get_embed("https://evil.example/watch?v=1")
