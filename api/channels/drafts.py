"""Drafts as each channel will show them: the admin's App, Email and client previews
(pages/previews.py) and the headless preview endpoint (api/views/preview.py). What a draft
links to follows the API's visibility rule: a page that is not public is left out, as the API
would leave it out."""

from urllib.parse import quote

from django.conf import settings
from django.db import models
from django.http import HttpResponse
from django.template.loader import render_to_string

from modelcluster.fields import ParentalKey

import orjson

from api.channels import email, preview_tokens
from api.channels.campaigns import campaign_preview
from pages.models import Campaign
from pages.previews import APP, CLIENT
from pages.renditions import APP_BASE_WIDTH
from pages.selectors import Visibility
from pages.structured_text import NODE_TYPES
from shapes.relations import load_draft
from shapes.represent import represent_pages
from shapes.representation import APP as APP_CHANNEL
from shapes.representation import WEB
from shapes.serializers import DETAIL


def latest_draft(page):
    """`page` as its latest revision has it, drafts included (Wagtail's
    get_latest_revision_as_object, but a revision's link to a page or snippet deleted since,
    through a protecting foreign key, is left out rather than an error)."""
    revision = page.get_latest_revision()
    if revision is None:
        return page
    draft = page.with_content_json(without_missing_targets(type(page), revision.content))
    # `revision_id` names the revision shown (a revision's own copy of it is the live one at
    # the time it was saved: none for a page's first draft)
    draft.live_revision_id = revision.pk
    return draft


def without_missing_targets(model, content):
    content = dict(content)
    for relation in model._meta.related_objects:
        if not isinstance(relation.field, ParentalKey):
            continue
        name = relation.get_accessor_name()
        rows = content.get(name)
        if not rows:
            continue
        for field in relation.related_model._meta.concrete_fields:
            if not field.is_relation or isinstance(field, ParentalKey):
                continue
            if field.remote_field.on_delete not in (models.PROTECT, models.RESTRICT):
                continue  # modelcluster handles CASCADE, SET_NULL and DO_NOTHING itself
            ids = {row.get(field.name) for row in rows} - {None}
            found = set(
                field.related_model._default_manager.filter(pk__in=ids).values_list("pk", flat=True)
            )
            rows = [row for row in rows if row.get(field.name) is None or row[field.name] in found]
        content[name] = rows
    return content


def represent_draft(page, visibility, channel=WEB):
    """The detail of `page`, a draft in memory (its latest revision, or the preview form's
    object), exactly as the API will serve it once published, in `channel` (by the rule of its
    own language: a Spanish draft links Spanish pages where they are translated)."""
    visibility = visibility.representing(page.locale_id)
    load_draft(page, visibility)
    (item,) = represent_pages([page], visibility, DETAIL, channel=channel).values()
    return item.data


def draft_email(page, visibility, utm=None, esp=None):
    defaults = {"utm_campaign": page.slug, "utm_content": page.slug}
    return email.item_email(
        represent_draft(page, visibility),
        utm or email.utm_values(None, defaults),
        esp or email.esp_of(None),
    )


def serve_preview(request, obj, mode):
    """The admin's preview of `obj` (pages/previews.py) in `mode`."""
    if isinstance(obj, Campaign):
        return campaign_preview(request, obj)
    visibility = Visibility.load()
    if mode == APP:
        return HttpResponse(app_preview(represent_draft(obj, visibility, APP_CHANNEL)))
    if mode.startswith(CLIENT):
        return client_preview(request, obj, mode.removeprefix(CLIENT))
    return HttpResponse(draft_email(obj, visibility)["html"])


# What the app preview lays out itself; every other property of the item follows as a section.
APP_PREVIEW_LAID_OUT = {
    "id", "type", "slug", "title", "summary", "url", "api_url", "revision_id", "review_status",
    "first_published_at", "last_published_at", "hero_image", "breadcrumbs", "body",
    "medical_review", "disclaimer", "seo", "schema_org",
}  # fmt: skip
NAMED_BY = ("title", "name", "label", "citation", "display_name")


def app_preview(data):
    """The app channel's representation of a draft laid out as a phone shows it (rich text
    from its nodes, the 2x image rendition), with the JSON itself below: the "App" preview."""
    hero = None
    if data.get("hero_image"):
        hero = next(r for r in data["hero_image"]["renditions"] if r["density"] == 2)
    sections = []
    for key, value in data.items():
        if key not in APP_PREVIEW_LAID_OUT and value not in (None, "", [], {}):
            sections.append({"label": key.replace("_", " ").capitalize(), **preview_value(value)})
    return render_to_string(
        "previews/app.html",
        {
            "item": data,
            "hero": hero,
            "sections": sections,
            "width": APP_BASE_WIDTH,
            "json": orjson.dumps(data, option=orjson.OPT_INDENT_2, default=str).decode(),
        },
    )


def preview_value(value):
    """{"kind", "value"}: how the app preview shows a property (nodes, text, names, JSON)."""
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        if all(v.get("type") in NODE_TYPES for v in value):
            return {"kind": "nodes", "value": value}
        names = [next((v[key] for key in NAMED_BY if v.get(key)), None) for v in value]
        if all(names):
            return {"kind": "names", "value": names}
    if isinstance(value, str | int | float | bool):
        return {"kind": "text", "value": value}
    return {
        "kind": "json",
        "value": orjson.dumps(value, option=orjson.OPT_INDENT_2, default=str).decode(),
    }


def client_preview(request, page, channel):
    """A link to the client's own preview screen (PREVIEW_URLS[channel], `{token}` replaced by
    a fresh preview token, `{id}` by the page's id): it shows the latest saved revision."""
    template = settings.PREVIEW_URLS.get(channel)
    url = None
    if template and page.pk:
        token, _ = preview_tokens.mint(page.pk)
        url = template.format(token=quote(token), id=page.pk)
    return HttpResponse(
        render_to_string("previews/client.html", {"page": page, "channel": channel, "url": url}),
        headers={"Referrer-Policy": "no-referrer"},
    )
