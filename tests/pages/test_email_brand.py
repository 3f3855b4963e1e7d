"""The email brand (pages/models/email_brand.py): an administrator edits the clinic's logo,
name, postal address, colours and default ESP in Settings > Email brand, and every email
shows them at once; medical wording never lives there."""

from django.urls import reverse

from wagtail.models import Site
from wagtail.test.utils.form_data import inline_formset, nested_form_data

import pytest
import wagtail_factories
from lxml import html as lxml_html

from api.channels import email
from pages.models import EmailBrand
from tests.api.test_campaigns import PATH, make_campaign
from tests.api.test_email import THERAPY, assert_email_safe

EDIT = reverse("wagtailsettings:edit", args=["pages", "emailbrand"])

SEED_ONCE = True  # every database test reads the seed (tests/conftest.py)


def brand_form(wordings=(), **fields):
    """The settings form's data; `wordings` the inline rows of other languages' wording."""
    return nested_form_data(
        {
            "wordings": inline_formset(list(wordings)),
            "clinic_name": "Kalypso Wellness Centers",
            "logo": "",
            "postal_address": "12 Example Street\r\nSpringfield, ST 00000",
            "footer_text": "You asked for news from us.",
            "unsubscribe_label": "Stop these emails",
            "default_esp": "klaviyo",
            "accent_colour": "#0b5394",
            "text_colour": "#1f2933",
            "background_colour": "#ffffff",
            **fields,
        }
    )


def test_an_administrator_edits_the_brand_and_every_email_shows_it(
    admin_client, client, seeded, django_capture_on_commit_callbacks
):
    assert admin_client.get(EDIT).status_code in (200, 302)
    site = Site.objects.get(is_default_site=True)
    page = admin_client.get(reverse("wagtailsettings:edit", args=["pages", "emailbrand", site.pk]))
    assert page.status_code == 200 and "Postal address" in page.content.decode()
    refused = admin_client.post(
        reverse("wagtailsettings:edit", args=["pages", "emailbrand", site.pk]),
        brand_form(accent_colour="#ffdd00"),
    )
    assert refused.status_code == 200  # the form again, saying why
    assert "at least 4.5:1 is needed" in refused.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        saved = admin_client.post(
            reverse("wagtailsettings:edit", args=["pages", "emailbrand", site.pk]), brand_form()
        )
    assert saved.status_code == 302
    body = client.get(THERAPY).json()
    assert_email_safe(body["html"], "klaviyo")  # the new default ESP's merge tag
    assert "{% unsubscribe_url %}" in body["text"] and "Stop these emails" in body["text"]
    assert "12 Example Street" in body["html"] and "Springfield, ST 00000" in body["text"]

    # the sentences in Spanish: one row per other language (a second one for it is refused)
    spanish = {"language": "es", "footer_text": "Pidió noticias.", "unsubscribe_label": "Baja"}
    url = reverse("wagtailsettings:edit", args=["pages", "emailbrand", site.pk])
    twice = admin_client.post(url, brand_form(wordings=[spanish, spanish]))
    assert (
        twice.status_code == 200
        and "duplicate data for brand and language" in twice.content.decode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert admin_client.post(url, brand_form(wordings=[spanish])).status_code == 302
    therapy = {**client.get(THERAPY.replace("email/", "")).json(), "locale": "es"}
    worded = email.item_email(therapy, {}, "mailchimp")  # as a Spanish therapy's email
    assert "Pidió noticias." in worded["html"] and "Baja:" in worded["text"]
    assert "Stop these emails" in client.get(THERAPY).json()["text"]  # English: as it was


def test_the_logo_heads_every_email_sharp_and_sized(client, seeded, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    brand = EmailBrand.for_site(Site.objects.get(is_default_site=True))
    brand.logo = wagtail_factories.ImageFactory(file__width=800, file__height=200)
    brand.save()
    document = client.get(THERAPY).json()["html"]
    assert_email_safe(document)
    logo = lxml_html.document_fromstring(document).xpath("//img")[0]
    assert logo.get("alt") == "Kalypso Wellness Centers"
    assert logo.get("width") == str(email.LOGO_WIDTH)
    assert "width-320" in logo.get("src")  # twice the width it is shown
    assert logo.getparent().tag == "a"  # to the website


@pytest.mark.parametrize(
    ("campaign_esp", "query", "expected"),
    [("", "", "mailchimp"), ("klaviyo", "", "klaviyo"), ("klaviyo", "?esp=iterable", "iterable")],
)
def test_a_campaigns_esp_is_its_own_choice_unless_the_request_names_one(
    client, seeded, campaign_esp, query, expected
):
    make_campaign(esp=campaign_esp)
    body = client.get(PATH + query).json()
    assert_email_safe(body["html"], expected)
    assert email.UNSUBSCRIBE_TAGS[expected] in body["text"]
