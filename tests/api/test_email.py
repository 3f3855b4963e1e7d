"""The email channel (api/channels/email.py): /api/v1/<collection>/<slug>/email/ as an ESP needs
it."""

import re
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError

from wagtail.models import Site

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from lxml import html as lxml_html

from api.channels import email
from api.http.problems import BadQuery
from pages.models import EmailBrand, TherapyPage
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

SEED_ONCE = True  # every database test reads the seed (tests/conftest.py)


def website_link(url):
    return url.startswith(settings.WEBSITE_BASE_URL + "/")


OUTLOOK_COMMENT = re.compile(
    r"<!--\[if (mso|!mso|lte mso 11)[^\]]*\]>|<!\[endif\]-->|<!--<!\[endif\]-->|<!-->|<!--"
)
MERGE_SYNTAX = re.compile(r"\{\{|\{%|\*\||\|\*")


def layout_parts(document):
    """(the <style> blocks, the comments) of an email document."""
    return (
        re.findall(r"<style\b.*?</style>", document, re.S | re.I),
        re.findall(r"<!--.*?-->", document, re.S),
    )


def content_of(document):
    """`document` without its <style> blocks and conditional comments: what content reaches."""
    return re.sub(r"<style\b.*?</style>|<!--.*?-->", "", document, flags=re.S | re.I)


def assert_email_safe(document, esp="mailchimp"):
    """What every email document must be, whatever the content: a doctype and one <head> with
    the layout's <style> blocks (media queries, dark mode) and nothing else active; Outlook's
    conditional comments only; links and images an inbox can follow; under Gmail's clipping
    size; no ESP template syntax but the ESP's own unsubscribe merge tag."""
    assert document.lower().startswith("<!doctype html>")
    head, body = document.split("</head>", 1) if "</head>" in document else ("", document)
    assert "<style" not in body.lower()  # the layout's styles sit in the head only
    for comment in layout_parts(document)[1]:
        assert (
            comment.startswith(("<!--[if mso", "<!--[if !mso", "<!--[if lte mso", "<!--<![endif]"))
            or comment == "<!--<![endif]-->"
        ), comment[:80]
    content = content_of(document)
    assert not re.search(r"<\s*(script|link|form|input|iframe|object|embed|base)\b", content, re.I)
    assert not re.search(r"\son[a-z]+\s*=", content, re.I)
    assert "javascript:" not in content.lower()
    unsubscribe = email.UNSUBSCRIBE_TAGS[esp]
    assert content.count(unsubscribe) == 1, "the footer carries the ESP's unsubscribe tag once"
    assert not MERGE_SYNTAX.search(content.replace(unsubscribe, "")), MERGE_SYNTAX.findall(content)
    assert not MERGE_SYNTAX.search("".join(layout_parts(document)[0]))
    root = lxml_html.document_fromstring(document)
    assert root.get("lang") and root.get("dir") in {"ltr", "rtl"}
    for link in root.iter("a"):
        href = link.get("href")
        assert href == unsubscribe or urlsplit(href).scheme in {"http", "https", "mailto", "tel"}, (
            href
        )
    for image in root.iter("img"):
        assert image.get("src").startswith(("http://", "https://"))
        assert image.get("width") and image.get("height") and image.get("alt") is not None
        assert int(image.get("width")) <= email.WIDTH
    assert email.size(document) < email.CLIP_BYTES


def visible_text(document):
    """The text a reader sees (the hidden preheader left out)."""
    root = lxml_html.document_fromstring(document)
    for hidden in root.xpath("//div[contains(@style, 'display:none')]"):
        hidden.drop_tree()
    return " ".join(" ".join(root.body.itertext()).split())


def tree(markup):
    return lxml_html.document_fromstring(markup)


def heading_levels(markup):
    return [
        int(node.tag[1])
        for node in tree(markup).iter()
        if isinstance(node.tag, str) and re.fullmatch(r"h[1-6]", node.tag)
    ]


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


def background(node):
    return declared(node, "background-color") or declared(node, "background")


def text_contrasts(markup):
    """(element, contrast) for every element of the body with text a reader sees, from the
    inline styles: its colour (inherited) against the background it sits on (the nearest
    ancestor-or-self with one; white at the top). The browser test measures both colour
    schemes as laid out (tests/browser/test_email_layout.py)."""
    found = []
    for node in tree(markup).body.iter():
        if not isinstance(node.tag, str) or not (node.text or "").strip():
            continue
        chain = [node, *node.iterancestors()]
        if any(declared(n, "display") == "none" for n in chain):
            continue  # the hidden preheader
        fg = next((declared(n, "color") for n in chain if declared(n, "color")), "#000000")
        bg = next((background(n) for n in chain if background(n)), None)
        found.append((node, contrast(colour(fg), colour(bg) if bg else WHITE)))
    return found


@pytest.mark.parametrize("path", EVERY_SEEDED)
def test_every_seeded_item_has_an_email_an_esp_can_send(api, path):
    response = api(path)
    assert response.status_code == 200, response.content
    assert response["ETag"] and "Cache-Control" in response and response["Surrogate-Key"]
    assert "email-brand" in response["Surrogate-Key"]
    body = response.json()
    assert set(body) == {"locale", "subject", "preheader", "html", "text", "links", "clipped"}
    assert body["locale"] == "en" and response["Content-Language"] == "en"
    document = body["html"]
    assert_email_safe(document)
    assert 'name="viewport"' in document and "@media" in document  # responsive
    assert "prefers-color-scheme: dark" in document
    levels = heading_levels(document)
    assert levels[0] == 1 and all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False))
    assert body["clipped"] is False
    assert body["links"] == email.links_of(document) and body["links"]
    for link in body["links"]:
        assert link["text"] and link["url"] in body["text"]  # the text part keeps the URLs
    assert body["subject"] in body["text"]
    low = [(node.tag, round(ratio, 2)) for node, ratio in text_contrasts(document) if ratio < 4.5]
    assert not low, low


def test_the_text_part_reads_as_plain_text(api):
    text = api(THERAPY).json()["text"]
    assert "](" not in text and "[" not in text.replace("[if", "")
    for line in text.splitlines():
        if "http" in line:  # a URL stands on a line of its own
            assert re.fullmatch(r"\s*https?://\S+", line), line
    blocks = text.split("\n\n")
    starts = [block.strip().splitlines()[0] for block in blocks if block.strip()]
    for heading in ("Safety information", "References", "Kalypso Wellness Centers"):
        assert heading in starts, (heading, starts)  # a blank line before each block
    action = next(block for block in blocks if "Ask about ketamine infusion therapy" in block)
    assert action.strip().startswith("Ask about ketamine infusion therapy")
    assert "This email is general information" in text  # the disclaimer worded for email


def test_an_email_reads_in_the_order_a_reader_expects(api):
    body = api(THERAPY).json()
    seen = visible_text(body["html"])
    summary = "Low-dose ketamine infusions: an alternative treatment for neuropathic pain"
    order = [
        "Kalypso Wellness Centers",  # the brand's header
        "Ketamine infusion therapy",
        summary,
        "Safety information",
        "Ask about ketamine infusion therapy",  # the call to action after the safety information
        "References",
        "This email is general information",  # the disclaimer worded for email
        "Unsubscribe",  # the footer
    ]
    positions = [seen.index(part) for part in order]
    assert positions == sorted(positions), list(zip(order, positions, strict=True))
    assert seen.count(summary) == 1  # one summary (the evidence summary only repeated it)
    assert body["text"].count(summary) == 1
    dois = [link["url"] for link in body["links"] if link["url"].startswith("https://doi.org/")]
    assert len(dois) == len(set(dois)) == 2  # each reference cited once, in one short list
    assert "Evidence: references 1, 2 below." in seen and "This page" not in seen


def test_the_footer_carries_the_brand_the_address_and_the_chosen_esps_unsubscribe_tag(
    api, django_capture_on_commit_callbacks, settings
):
    settings.API_RESPONSE_CACHE_SECONDS = 300
    first = api(THERAPY)
    with django_capture_on_commit_callbacks(execute=True):
        brand = EmailBrand.for_site(Site.objects.get(is_default_site=True))
        brand.postal_address = "12 Example Street\nSpringfield, ST 00000"
        brand.save()
    changed = api(THERAPY)
    assert changed["ETag"] != first["ETag"]  # the brand's change ended the cached answer
    body = changed.json()
    seen = visible_text(body["html"])
    assert "12 Example Street Springfield, ST 00000" in seen
    assert "12 Example Street\nSpringfield, ST 00000" in body["text"]
    for esp, tag in email.UNSUBSCRIBE_TAGS.items():
        chosen = api(f"{THERAPY}?esp={esp}").json()
        assert_email_safe(chosen["html"], esp)
        assert tag in chosen["text"]
        unsubscribe = [a for a in tree(chosen["html"]).iter("a") if a.get("href") == tag]
        assert [a.text_content() for a in unsubscribe] == ["Unsubscribe"]
        assert tag not in {link["url"] for link in chosen["links"]}
    bad = api(THERAPY + "?esp=sendgrid")
    assert bad.status_code == 400 and "esp" in bad.json()["errors"]


def test_brand_colours_are_refused_when_text_would_be_hard_to_read():
    with pytest.raises(ValidationError) as refused:
        EmailBrand(accent_colour="#ffdd00", text_colour="#1f2933").clean()  # yellow on white
    assert set(refused.value.message_dict) == {"accent_colour"}
    with pytest.raises(ValidationError) as refused:
        EmailBrand(text_colour="#999999").clean()
    assert set(refused.value.message_dict) == {"text_colour"}
    EmailBrand().clean()  # the defaults are readable


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
    seen = visible_text(body["html"])
    for kept in ("Safety information", "not personal medical advice", "Unsubscribe"):
        assert kept in seen
    read_more = [link for link in body["links"] if link["text"].startswith("Read the rest")]
    assert read_more and read_more[0]["url"].startswith(settings.WEBSITE_BASE_URL + "/therapies/")


def test_images_fit_their_column_sourced_at_twice_their_width(api, settings, tmp_path):
    page = give_hero_image(settings, tmp_path, "A clinician talking with a patient")
    image = page.hero_image
    page.body = [
        {"type": "image", "value": {"image": image.pk, "alt_text": "A drip", "decorative": False}},
        *page.body.raw_data,
    ]
    page.save_revision().publish()
    document = api(CONDITION).json()["html"]
    assert_email_safe(document)
    hero, body_image = tree(document).iter("img")
    assert (hero.get("width"), hero.get("height")) == ("600", "auto")  # never stretched
    assert hero.get("alt") == "A clinician talking with a patient"
    assert "fill-1200x675" in hero.get("src") and not hero.get("src").endswith(".webp")
    assert int(body_image.get("width")) == email.COLUMN and body_image.get("alt") == "A drip"
    assert "max-1200x1200" in body_image.get("src")  # 1200 px wide: twice the column and more
    assert "max-width: 100%" in body_image.get("style").replace("max-width:100%", "max-width: 100%")


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
    "<!--[if mso]><script>alert(1)</script><![endif]--><p>comment</p>",
    "<p>{{ 7*7 }} {% if x %}y{% endif %} *|FNAME|* {{${unsubscribe_url}}}</p>",
    '<a href="https://example.test/{{unsubscribeUrl}}">{{unsubscribeUrl}}</a></td></tr></table>',
]
BRAND = None


def hostile_email(markup, title="A title", esp="mailchimp"):
    """An item's email whose title, summary and body hold `markup` (no database)."""
    data = {
        "type": "therapy",
        "id": 1,
        "slug": "x",
        "title": title,
        "url": settings.WEBSITE_BASE_URL + "/therapies/x/",
        "summary": title,
        "body": [{"type": "paragraph", "value": markup}],
        "mechanism_of_action": markup,
        "references": [],
        "disclaimer": {"text": markup, "emergency_text": title, "email_text": ""},
        "call_to_action": {"label": title, "url": "https://example.test/{{x}}"},
    }
    return email.item_email(data, {"utm_source": "e"}, esp, email.brand_facts(EmailBrand()))


@pytest.mark.parametrize("markup", HOSTILE)
def test_hostile_markup_never_survives_into_the_email(markup):
    for esp in email.UNSUBSCRIBE_TAGS:
        finished = hostile_email(markup, esp=esp)
        assert_email_safe(finished["html"], esp)
        assert not MERGE_SYNTAX.search(finished["subject"] + finished["preheader"])
        text = finished["text"].replace(email.UNSUBSCRIBE_TAGS[esp], "")
        assert not MERGE_SYNTAX.search(text)


def test_merge_syntax_in_content_reads_the_same_and_runs_nowhere():
    finished = hostile_email("<p>Save {{ 50% }} on *|OFFER|* {% now %}</p>")
    assert "Save {{ 50% }} on *|OFFER|* {% now %}" in visible_text(finished["html"])
    assert "{\u200b{ 50% }\u200b}" in finished["text"]  # a zero-width space between pairs


@hypothesis_settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.text(max_size=300), st.sampled_from(["<p>", "<a href='", "<h4>", "<img src='", "<", "{{"])
)
def test_any_text_in_any_markup_makes_a_safe_email(text, opener):
    finished = hostile_email(f"{opener}{text}", title=text[:50] or "x")
    assert_email_safe(finished["html"])
    levels = heading_levels(finished["html"])
    assert all(b <= a + 1 for a, b in zip([0, *levels], levels, strict=False))
    assert "](" not in finished["text"].replace(text, "")


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
    assert response.status_code == 200
    assert_email_safe(document)
    assert "Ketamine infusions (draft title)" in document
    assert "Safety information" in document and "not personal medical advice" in document
    assert page.serve_preview(rf.get("/admin/"), "").status_code == 200  # the website one
