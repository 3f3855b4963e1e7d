"""What a preview template may show about OTHER pages: only what the API shows (the visibility
rule of pages.selectors), linked on the website (WEBSITE_BASE_URL), never on this service.

The admin's preview renders the page being edited, draft and all; every page it links to, lists
or names must be public (live, not expired, no view restriction on it or an ancestor)::

    {% load public_content %}
    {% for cause in page.cause_links.all|public_links:"cause" %}
      <a href="{{ cause.url }}">{{ cause.title }}</a> {{ cause.row.prevalence }}
    {% endfor %}
    {% for therapy in page|public_referrers:"therapy_relief_links" %}...{% endfor %}
    {% for cause in step.value.causes|public_pages %}...{% endfor %}
    {% for child in page|public_children %}{{ child.page.summary }}{% endfor %}
    {{ page.how_it_works|public_richtext }}
    {% with hero=page.hero_image|api_rendition:"hero medium" %}<img src="{{ hero.url }}">...
"""

from dataclasses import dataclass

from django import template
from django.utils.safestring import mark_safe

from wagtail.models import Page

from pages.renditions import RENDITION_SETS
from pages.selectors import Visibility
from pages.text_safety import safe_href
from shapes.representation import resolve_rich_text, website_url

register = template.Library()


@dataclass(frozen=True)
class PublicLink:
    page: Page  # the public page linked to
    url: str  # its URL on the website
    row: object = None  # the link row and its annotations (note, prevalence, label...), if any

    @property
    def title(self):
        return self.page.title


def _public(pages_and_rows, visibility=None):
    visibility = visibility or Visibility.load()
    return [
        PublicLink(page, website_url(page, visibility), row)
        for page, row in pages_and_rows
        if page is not None and visibility.shows(page)
    ]


@register.filter
def public_links(rows, target):
    """The link rows (in their order) whose `target` page is public."""
    return _public((getattr(row, target), row) for row in rows)


@register.filter
def public_pages(pages):
    """The public pages among `pages` (a page chooser's values; None for a deleted page)."""
    return _public((page, None) for page in pages)


@register.filter
def public_referrers(page, related_name):
    """Link rows that other pages hold to `page` (`related_name` names the reverse relation;
    the linking page is the row's `page`), for the public linking pages, by title like the API's
    reverse relations. None for a page not saved yet."""
    if page.pk is None:
        return []
    rows = getattr(page, related_name).select_related("page")
    found = _public((row.page, row) for row in rows)
    return sorted(found, key=lambda link: (link.title.casefold(), link.page.pk))


@register.filter
def public_children(page):
    """The page's public children, as their specific types, in the editors' order."""
    if page.pk is None:
        return []
    visibility = Visibility.load()
    children = visibility.pages().child_of(page).order_by("path").specific()
    return _public(((child, None) for child in children), visibility)


@register.filter
def safe_link(url):
    """`url` when a link to it is safe to follow (pages.text_safety.safe_href), else ""."""
    return url if safe_href(url) else ""


@register.filter
def public_richtext(value):
    """Rich text (a RichText block value or a RichTextField's HTML) as the API gives it: links to
    public pages point at the website, links to other pages are unwrapped to their text."""
    source = getattr(value, "source", value) or ""
    # Editors' rich text, expanded and cleaned like Wagtail's |richtext (and the API's HTML).
    return mark_safe(resolve_rich_text(source))  # noqa: S308


@register.filter
def api_rendition(image, where):
    """The rendition of `image` the API's web channel calls `where` ("hero medium", "body
    medium": pages.renditions.RENDITION_SETS), so the preview shows the crop the API serves."""
    if image is None:
        return None
    shown_as, name = where.split()
    named, _ = RENDITION_SETS[shown_as]
    return image.get_rendition(named[name])
