"""The email channel (api/channels/email.py): /api/v1/<collection>/<slug>/email/ as an ESP needs
it."""

import re
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

from django.conf import settings

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from lxml import html as lxml_html

from api.channels import email
from api.http.problems import BadQuery
from pages.models import TherapyPage
from tests.factories import give_hero_image

THERAPY = "/api/v1/therapies/ketamine-infusion-therapy/email/"
CONDITION = "/api/v1/conditions/neuropathic-pain/email/"
EVERY_SEEDED = [
    "/api/v1/conditions/neuropathic-pain/email/",
    "/api/v1/causes/shingles/email/",
    "/api/v1/treatments/opioids/email/",
    THERAPY,
]
WHITE = (255, 255, 255)


def tree(markup):
    return lxml_html.fragment_fromstring(markup, create_parent="div")


def website_link(url):
    return url.startswith(settings.WEBSITE_BASE_URL + "/")


def assert_email_safe(markup):
    """What every email HTML must be, whatever the content."""
    assert not re.search(r"<\s*(style|script|link|form|input|iframe|object)\b", markup, re.I)
    assert not re.search(r"\son[a-z]+\s*=", markup, re.I)
    assert "javascript:" not in markup.lower()
    root = tree(markup)
    for link in root.iter("a"):
        assert urlsplit(link.get("href")).scheme in {"http", "https", "mailto", "tel"}, link.get(
            "href"
        )
    for image in root.iter("img"):
        assert image.get("src").startswith(("http://", "https://"))
        assert image.get("width") and image.get("height") and image.get("alt") is not None
        assert int(image.get("width")) <= email.WIDTH
    assert email.size(markup) < email.CLIP_BYTES


def heading_levels(markup):
    return [int(node.tag[1]) for node in tree(markup).iter() if re.fullmatch(r"h[1-6]", node.tag)]


def colour(value):
    value = value.strip().lower()
    if re.fullmatch(r"#[0-9a-f]{6}", value):
        return tuple(int(value[i : i + 2], 16) for i in (1, 3, 5))
    if re.fullmatch(r"#[0-9a-f]{3}", value):
        return tuple(int(c * 2, 16) for c in value[1:])
    raise AssertionError(f"colours are written as hex in email.css: {value!r}")


def luminance(rgb):
    def channel(c):
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b):
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def declared(node, name):
    for declaration in (node.get("style") or "").split(";"):
        key, _, value = declaration.partition(":")
        if key.strip().lower() == name:
            return value.strip()
    return None


def text_contrasts(markup):
    """(element, contrast) for every element with text: its colour (inherited) against the
    background it sits on (the nearest ancestor-or-self with one; white at the top)."""
    found = []
    for node in tree(markup).iter():
        if not isinstance(node.tag, str) or not (node.text or "").strip():
            continue
        chain = [node, *node.iterancestors()]
        fg = next((declared(n, "color") for n in chain if declared(n, "color")), "#000000")
        bg = next(
            (declared(n, "background-color") for n in chain if declared(n, "background-color")),
            None,
        )
        found.append((node, contrast(colour(fg), colour(bg) if bg else WHITE)))
    return found


@pytest.mark.parametrize("path", EVERY_SEEDED)
def test_every_seeded_item_has_an_email_an_esp_can_send(api, path):
    response = api(path)
    assert response.status_code == 200, response.content
    assert response["ETag"] and "Cache-Control" in response and response["Surrogate-Key"]
    body = response.json()
    assert set(body) == {"subject", "preheader", "html", "text", "links", "clipped"}
    markup = body["html"]
    assert_email_safe(markup)
    root = tree(markup)
    assert len(root) == 1 and root[0].tag == "table"  # one outer table for the ESP template
    assert root[0].get("width") == "600" and "width: 600px" in root[0].get("style")
    levels = heading_levels(markup)
    assert levels[0] == 1 and all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False))
    assert body["clipped"] is False
    assert body["links"] == email.links_of(markup) and body["links"]
    for link in body["links"]:
        assert link["text"] and link["url"] in body["text"]  # the text part keeps the URLs
    assert body["subject"] in body["text"]
    low = [(node.tag, round(ratio, 2)) for node, ratio in text_contrasts(markup) if ratio < 4.5]
    assert not low, low


def test_every_website_link_is_tracked_and_no_other_link_is(api):
    body = api(THERAPY).json()
    website = [link["url"] for link in body["links"] if website_link(link["url"])]
    elsewhere = [link["url"] for link in body["links"] if not website_link(link["url"])]
    assert website and elsewhere  # the page itself, the call to action; the DOIs
    for url in website:
        query = parse_qs(urlsplit(url).query)
        assert query["utm_source"] == ["email"] and query["utm_medium"] == ["email"]
        assert query["utm_campaign"] == ["ketamine-infusion-therapy"]
        assert query["utm_content"] == ["ketamine-infusion-therapy"]
    for url in elsewhere:
        assert "utm_" not in url
    assert any(url.startswith("https://doi.org/") for url in elsewhere)


def test_utm_parameters_can_be_overridden_and_are_validated(api):
    body = api(THERAPY + "?utm_campaign=spring-2027&utm_source=newsletter").json()
    for link in body["links"]:
        if website_link(link["url"]):
            query = parse_qs(urlsplit(link["url"]).query)
            assert query["utm_campaign"] == ["spring-2027"] and query["utm_source"] == [
                "newsletter"
            ]
    for bad in ["a b", "x" * 101, "é", "a&b=c", "<script>"]:
        response = api(
            THERAPY + "?" + f"utm_content={bad}".replace(" ", "%20").replace("&b", "%26b")
        )
        assert response.status_code == 400, bad
        assert response["Content-Type"] == "application/problem+json"
        assert "utm_content" in response.json()["errors"]
    assert api(THERAPY + "?channel=app").status_code == 400  # email has one shape
    assert api(THERAPY + "?fields=title").status_code == 400


def test_a_therapy_email_always_carries_its_safety_information_and_the_disclaimer(api):
    body = api(THERAPY).json()
    for part in (body["html"], body["text"]):
        assert "Safety information" in part
        assert "Pregnancy" in part and "Active psychosis" in part  # contraindications
        assert "Nausea" in part  # a side effect
        assert "Off-label use" in part
        assert "not personal medical advice" in part  # the default disclaimer
        assert "911" in part  # its emergency text


def test_an_oversized_body_is_clipped_before_the_safety_information_and_disclaimer(api):
    page = TherapyPage.objects.get(slug="ketamine-infusion-therapy")
    paragraph = "<p>" + "Ketamine infusions are given in a clinic with monitoring. " * 40 + "</p>"
    page.body = [{"type": "paragraph", "value": paragraph}] * 120 + list(page.body.raw_data)
    page.save_revision().publish()
    body = api(THERAPY).json()
    assert body["clipped"] is True
    assert_email_safe(body["html"])
    assert email.size(body["html"]) > email.CLIP_BYTES * 0.8  # as much body as fits
    assert "Read the rest of Ketamine infusion therapy on our website" in body["html"]
    assert "Safety information" in body["html"] and "not personal medical advice" in body["html"]
    read_more = [link for link in body["links"] if link["text"].startswith("Read the rest")]
    assert read_more and read_more[0]["url"].startswith(settings.WEBSITE_BASE_URL + "/therapies/")


def test_images_are_600_pixels_wide_with_their_size_and_alt_text(api, settings, tmp_path):
    give_hero_image(settings, tmp_path, "A clinician talking with a patient")
    markup = api(CONDITION).json()["html"]
    assert_email_safe(markup)
    (image,) = tree(markup).iter("img")
    assert (image.get("width"), image.get("height")) == ("600", "338")
    assert image.get("alt") == "A clinician talking with a patient"
    assert not image.get("src").endswith(".webp")


def test_a_hidden_page_has_no_email_and_answers_like_an_unknown_one(api):
    page = TherapyPage.objects.get(slug="ketamine-infusion-therapy")
    page.unpublish()
    hidden = api(THERAPY)
    unknown = api("/api/v1/therapies/no-such-therapy/email/")
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.json()["detail"].replace("ketamine-infusion-therapy", "X") == unknown.json()[
        "detail"
    ].replace("no-such-therapy", "X")
    # and a condition's email no longer links to it
    assert "ketamine-infusion-therapy" not in api(CONDITION).json()["html"]


HOSTILE = [
    '<script>alert(1)</script><p onclick="x()">hi</p>',
    '<style>p{color:red}</style><a href="javascript:alert(1)">x</a>',
    '<form action="https://evil.test"><input name="q"></form>',
    '<img src="data:image/png;base64,AAAA" width="1" height="1">',
    '<iframe src="https://evil.test"></iframe><a href="//evil.test/">protocol-relative</a>',
]


@pytest.mark.parametrize("markup", HOSTILE)
def test_hostile_markup_never_survives_the_finish(markup):
    finished = email.finish(f"<table><tr><td>{markup}</td></tr></table>", {"utm_source": "e"})
    assert_email_safe(finished)


@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300), st.sampled_from(["<p>", "<a href='", "<h4>", "<img src='", "<"]))
def test_any_text_in_any_markup_finishes_email_safe(text, opener):
    finished = email.finish(f"<table><tr><td>{opener}{text}</td></tr></table>", {})
    assert_email_safe(finished)
    levels = heading_levels(finished)
    assert all(b <= a + 1 for a, b in zip([0, *levels], levels, strict=False))


@hypothesis_settings(max_examples=100, deadline=None)
@given(st.text(max_size=120))
def test_a_utm_value_is_taken_exactly_when_it_matches_its_documented_pattern(value):
    request = SimpleNamespace(query_params={"utm_content": value})
    if re.fullmatch(email.UTM_PATTERN, value):
        assert email.utm_values(request, {})["utm_content"] == value
    else:
        with pytest.raises(BadQuery) as refused:
            email.utm_values(request, {})
        assert set(refused.value.detail) == {"utm_content"}


def test_the_admin_email_preview_shows_a_draft_as_its_email(api, rf):
    page = TherapyPage.objects.get(slug="ketamine-infusion-therapy")
    page.title = "Ketamine infusions (draft title)"  # not saved: the preview form's object
    response = page.serve_preview(rf.get("/admin/"), "email")
    document = response.content.decode()
    assert response.status_code == 200 and document.startswith("<!DOCTYPE html>")
    assert "Ketamine infusions (draft title)" in document
    assert "Safety information" in document and "not personal medical advice" in document
    assert_email_safe(document[document.index("<table") : document.rindex("</table>") + 8])
    assert page.serve_preview(rf.get("/admin/"), "").status_code == 200  # the website one
