"""Whatever the database already holds, every door answers, and nothing it holds becomes markup
or a link: hostile text written into every text field of every page, snippet and campaign
(as a database written before pages/text_safety.py, or by a bulk update, holds it: no write path
cleans it), then read back through each door: the API's lists, details, search, lookup, sync and
previews in both channels, email, feeds, campaigns, and the admin's website preview.

- no answer is a 5xx;
- no JSON answer carries a literal `<` (so never `</script`): JSON-LD can be inlined;
- every link a client may follow (JSON `url`/`href` values, hrefs and srcs in HTML, the app
  tree's links, feed links) has a safe scheme;
- feeds parse as XML; email and preview HTML carry no script, event handler or unsafe link.
"""

import json
import re
from urllib.parse import urlencode

from django.apps import apps
from django.db import models
from django.test import Client

import pytest
from lxml import etree
from lxml import html as lxml_html

from api.channels import email, preview_tokens
from api.record.changes import refresh
from pages.models import CONTENT_PAGE_MODELS, TherapyPage
from pages.text_safety import safe_href
from shapes import registry
from shapes.relations import expandable
from tests.api.test_hostile_input import ENDPOINTS, seed_once  # noqa: F401 (a fixture)

# Plain text as Word, an import or an attacker leaves it (no NUL: PostgreSQL refuses it).
HOSTILE_TEXT = "\x0b\x01\x1f</script><script>alert(1)</script><img src=x onerror=alert(2)>\ufffe"
HOSTILE_HTML = (
    "<p>x\x0b<script>alert(3)</script><img src=x onerror=alert(4)>"
    "<a href='javascript:alert(5)'>single</a><a href=javascript:alert(6)>bare</a>"
    '<a href=" jAvAsCrIpT:alert(7)">spaced</a></p>'
)
HOSTILE_URL = "javascript:alert(8)"
SKIPPED = {
    "slug",
    "doi",
    "pmid",
    "value",
    "path",
    "url_path",
    "draft_title",
    "locale",
    "translation_key",
}
MERGE_TAGS = set(email.UNSUBSCRIBE_TAGS.values())  # the ESP puts the unsubscribe URL there
LINK_KEYS = {"url", "href", "api_url", "preview_url", "src"}
# Where the web channel's JSON holds HTML (rich text, an email's html); other strings are text.
HTML_PATH = re.compile(
    r"(\.html|body\[\d+\]\.value(\.text|\.claim)?|\.(mechanism_of_action|what_to_expect|"
    r"how_it_works|evidence_notes)|disclaimer\.text)$"
)


def text_fields(model):
    """(field, hostile value) for the fields of `model`'s own table a bulk update can fill."""
    for field in model._meta.concrete_fields:
        if field.name in SKIPPED or field.choices or field.model is not model:
            continue
        if isinstance(field, models.URLField):
            yield field, HOSTILE_URL
        elif type(field).__name__ == "RichTextField":
            yield field, HOSTILE_HTML
        elif isinstance(field, models.CharField | models.TextField):
            yield field, HOSTILE_TEXT


def with_hostile(value, hostile, max_length):
    """`value` with `hostile` text around it, within `max_length`, still unique if it was."""
    value = f"{hostile}{value or ''}{hostile}"
    return value[-max_length:] if max_length else value


def dirty_every_row():
    """Hostile text in every text field of every row of the content app, titles and bodies
    included, written by bulk updates (no pre_save: pages.signals.clean_row never sees it)."""
    from wagtail.models import Page

    for model in [*apps.get_app_config("pages").get_models(), Page]:
        fields = list(text_fields(model))
        if model is Page:
            fields = [(model._meta.get_field(n), HOSTILE_TEXT) for n in ("title", "seo_title")]
        names = [field.name for field, _ in fields]
        rows = model.objects.filter(depth__gt=2) if model is Page else model.objects.all()
        for pk, *values in rows.values_list("pk", *names):
            model.objects.filter(pk=pk).update(
                **{
                    field.name: with_hostile(value, hostile, getattr(field, "max_length", None))
                    for (field, hostile), value in zip(fields, values, strict=True)
                }
            )
    for model in CONTENT_PAGE_MODELS:
        for page in model.objects.all():
            pk, raw = page.pk, list(page.body.raw_data)
            raw.append({"type": "paragraph", "value": HOSTILE_HTML, "id": f"hostile-{pk}"})
            model.objects.filter(pk=pk).update(body=json.dumps(raw))


@pytest.fixture(scope="module")
def hostile_world(seed_once, django_db_blocker):  # noqa: F811
    with django_db_blocker.unblock():
        dirty_every_row()
        refresh(everything=True)  # stored copies made from what the database holds
    yield


@pytest.fixture
def client(hostile_world, db):
    return Client(raise_request_exception=False)


def unsafe_links_in_html(markup):
    root = lxml_html.fragment_fromstring(markup, create_parent="div")
    found = []
    for node in root.iter():
        if not isinstance(node.tag, str):
            continue
        if node.tag in ("script", "iframe", "object", "embed"):
            found.append(f"<{node.tag}>")
        for name, value in node.attrib.items():
            if name.startswith("on"):
                found.append(f"{name}=")
            elif name in ("href", "src") and not safe_href(value) and value not in MERGE_TAGS:
                found.append(f"{name}={value!r}")
    return found


def unsafe_in_json(value, path="$"):
    """What is unsafe in decoded JSON: a link without a safe scheme, markup in HTML strings."""
    found = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key in LINK_KEYS and isinstance(item, str) and item and not safe_href(item):
                found.append(f"{path}.{key}={item[:60]!r}")
            found += unsafe_in_json(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += unsafe_in_json(item, f"{path}[{index}]")
    elif isinstance(value, str) and HTML_PATH.search(path):
        found += [f"{path}: {link}" for link in unsafe_links_in_html(value)]
    return found


def doors():
    """(name, path) of every GET door over the seed, in both channels where they differ."""
    therapy = TherapyPage.objects.get(slug="ketamine-infusion-therapy")
    token = preview_tokens.mint(therapy.pk)[0]
    found = []
    for endpoint in ENDPOINTS:
        if "GET" not in endpoint.methods or not endpoint.path.startswith("/api/v1/"):
            continue
        params = list(endpoint.base)
        if endpoint.name.startswith("preview"):
            params.append(("token", token))
        if endpoint.name == "search":
            params = [("q", "alert")]
        for channel in ("web", "app") if "channel" in endpoint.params else (None,):
            query = params + ([("channel", channel)] if channel else [])
            found.append((endpoint.name, endpoint.path + (f"?{urlencode(query)}" if query else "")))
    for model in CONTENT_PAGE_MODELS:
        expand = ",".join(sorted(expandable(model)))
        found.append(
            (
                f"{registry.of(model).collection}-expanded",
                f"/api/v1/{registry.of(model).collection}/?{urlencode({'expand': expand})}",
            )
        )
    return found


def test_every_door_answers_and_nothing_stored_becomes_markup_or_a_link(client):
    wrong = []
    for _name, path in doors():
        response = client.get(path)
        body = response.content
        if response.status_code >= 500:
            wrong.append(f"{path}: {response.status_code} {body[:200]!r}")
            continue
        content_type = response.get("Content-Type", "")
        if "json" in content_type:
            if b"<" in body or b">" in body:
                wrong.append(f"{path}: a literal < or > in JSON")
            wrong += [f"{path}: {problem}" for problem in unsafe_in_json(json.loads(body))]
        elif "xml" in content_type:
            try:
                feed = etree.fromstring(body)
            except etree.XMLSyntaxError as error:
                wrong.append(f"{path}: not XML ({error})")
                continue
            links = [n.get("href") or n.text or "" for n in feed.iter() if n.tag.endswith("link")]
            wrong += [f"{path}: link {link!r}" for link in links if link and not safe_href(link)]
    assert not wrong, "\n".join(wrong[:60])


def test_the_email_of_every_item_is_safe(client):
    wrong = []
    for model in CONTENT_PAGE_MODELS:
        for slug in model.objects.live().values_list("slug", flat=True):
            response = client.get(f"/api/v1/{registry.of(model).collection}/{slug}/email/")
            if response.status_code != 200:
                wrong.append(f"{registry.of(model).collection}/{slug}: {response.status_code}")
                continue
            data = response.json()
            problems = unsafe_links_in_html(data["html"])
            problems += [link["url"] for link in data["links"] if not safe_href(link["url"])]
            wrong += [f"{registry.of(model).collection}/{slug}: {problem}" for problem in problems]
    assert not wrong, "\n".join(wrong[:60])


def test_the_admin_preview_of_every_page_type_is_safe(hostile_world, db, rf, admin_user):
    wrong = []
    for model in CONTENT_PAGE_MODELS:
        page = model.objects.live().first()
        for mode, _ in page.preview_modes:
            request = rf.get("/admin/")
            request.user = admin_user
            response = page.serve_preview(request, mode)
            if hasattr(response, "render"):
                response.render()
            if response.status_code >= 500:
                wrong.append(f"{model.__name__} {mode}: {response.status_code}")
                continue
            document = response.content.decode()
            if "html" not in response.get("Content-Type", "text/html"):
                continue
            start = document.find("<body")
            root = lxml_html.document_fromstring(document)
            for node in root.iter("script"):
                if "alert" in (node.text or ""):
                    wrong.append(f"{model.__name__} {mode}: a stored script runs")
            body = document[start:] if start >= 0 else document
            problems = [p for p in unsafe_links_in_html(body) if p != "<script>"]
            wrong += [f"{model.__name__} {mode}: {problem}" for problem in problems]
    assert not wrong, "\n".join(wrong[:60])
