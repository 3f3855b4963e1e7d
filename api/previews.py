"""The admin's Email preview (pages/previews.py): a draft page or campaign as the email channel
(api/email.py) will send it once published. What the draft links to follows the API's
visibility rule: a page that is not public is left out, as the API would leave it out."""

from django.http import HttpResponse
from django.template.loader import render_to_string

from api import email
from api.relations import attach_detail_blocks, load_items
from api.represent import DETAIL, represent_pages
from pages.models import Campaign
from pages.selectors import Visibility


def email_preview(request, obj):
    if isinstance(obj, Campaign):
        from api.views.campaigns import campaign_preview

        return campaign_preview(request, obj)
    visibility = Visibility.load()
    load_items([obj], visibility)  # relations shown from the other end: their live rows
    attach_detail_blocks([obj])
    (item,) = represent_pages([obj], visibility, DETAIL).values()
    utm = email.utm_values(None, {"utm_campaign": obj.slug, "utm_content": obj.slug})
    rendition = email.item_email(item.data, utm)
    document = render_to_string(
        "email/preview.html", {"subject": rendition["subject"], "body": rendition["html"]}
    )
    return HttpResponse(document)
