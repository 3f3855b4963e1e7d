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

from api.channels import email, preview_tokens
from api.channels.campaigns import campaign_preview
from api.serving.stored import render
from pages.models import Campaign
from pages.previews import APP, CLIENT
from pages.selectors import Visibility
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
    object), exactly as the API will serve it once published, in `channel`."""
    load_draft(page, visibility)
    (item,) = represent_pages([page], visibility, DETAIL, channel=channel).values()
    return item.data


def draft_email(page, visibility, utm=None):
    defaults = {"utm_campaign": page.slug, "utm_content": page.slug}
    return email.item_email(
        represent_draft(page, visibility), utm or email.utm_values(None, defaults)
    )


def serve_preview(request, obj, mode):
    """The admin's preview of `obj` (pages/previews.py) in `mode`."""
    if isinstance(obj, Campaign):
        return campaign_preview(request, obj)
    visibility = Visibility.load()
    if mode == APP:
        return HttpResponse(
            render(represent_draft(obj, visibility, APP_CHANNEL)), content_type="application/json"
        )
    if mode.startswith(CLIENT):
        return client_preview(request, obj, mode.removeprefix(CLIENT))
    rendition = draft_email(obj, visibility)
    document = render_to_string(
        "email/preview.html", {"subject": rendition["subject"], "body": rendition["html"]}
    )
    return HttpResponse(document)


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
