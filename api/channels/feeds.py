"""RSS 2.0 and Atom feeds of public content, for feed readers and email tools that build
campaigns from a feed (Mailchimp's RSS campaigns, Klaviyo's web feeds): built with feedgen from
the items' stored list shapes (api/serving/read_path.py), so they show exactly what the API shows.

- Newest first by first publication; an item's `pubDate` is its first publication, so an edit
  never makes an RSS campaign send it again, and Atom's `updated` its last one.
- Links are the website's, with UTM parameters (api/channels/email.py: the same ones, overridable by
  the same query parameters); the guid is the page's id, stable across renames.
- The hero image's 600 px rendition (original format) as `media:content` with its width,
  height and MIME type: Mailchimp's `*|RSSITEM:IMAGE|*` reads it and does not resize.
"""

from datetime import datetime
from urllib.parse import urlsplit

from django.conf import settings

from feedgen.feed import FeedGenerator

from api.channels.email import tracked
from pages.selectors import default_language
from pages.text_safety import clean_data, clean_text

RSS, ATOM = "rss", "atom"
FORMATS = {RSS: "application/rss+xml", ATOM: "application/atom+xml"}
ITEMS = 50  # per feed: far below what any reader reads (Klaviyo takes up to 3.3 MB)
IMAGE_TYPES = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "gif": "image/gif"}


def moment(value):
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


def guid(item):
    host = urlsplit(settings.API_BASE_URL).hostname or "localhost"
    return f"tag:{host},2026:page-{item['id']}"


def feed_bytes(kind, title, description, link, self_url, items, utm, language=None):
    """The feed (`kind` RSS or ATOM) of `items` (list-shape dicts, in order) as bytes.
    `utm`: UTM parameters for every item link; each item's slug is its `utm_content` unless
    `utm` names one. `language`: the feed's (the default language's unless given)."""
    title, description, items = clean_text(title), clean_text(description), clean_data(items)
    feed = FeedGenerator()
    feed.load_extension("media", rss=True, atom=True)
    feed.id(self_url)
    feed.title(title)
    feed.description(description)
    feed.subtitle(description)
    # self first: feedgen writes RSS's channel <link> from the last link given (the website)
    feed.link(href=self_url, rel="self")
    feed.link(href=tracked(link, utm), rel="alternate")
    feed.language(language or default_language())
    feed.generator(settings.WAGTAIL_SITE_NAME)
    published = [moment(item["last_published_at"]) for item in items if item["last_published_at"]]
    newest = max(published, default=None) or datetime.fromisoformat("2026-01-01T00:00:00+00:00")
    feed.updated(newest)  # not now: the same content gives the same bytes (and ETag)
    feed.lastBuildDate(newest)
    for item in reversed(items):  # feedgen puts the entry added last first
        entry = feed.add_entry()
        url = tracked(item["url"], {"utm_content": item["slug"], **utm})
        entry.id(guid(item))
        entry.guid(guid(item), permalink=False)
        entry.title(item["title"])
        entry.link(href=url)
        entry.description(item.get("summary") or item["title"])
        entry.published(moment(item["first_published_at"]))
        entry.updated(moment(item["last_published_at"]) or moment(item["first_published_at"]))
        image = (item.get("hero_image") or {}).get("renditions", {}).get("small")
        if image:  # its 600 px rendition in its original format (not every reader shows webp)
            extension = image["url"].rsplit(".", 1)[-1].lower()
            entry.media.content(
                url=image["url"],
                medium="image",
                width=str(image["width"]),
                height=str(image["height"]),
                type=IMAGE_TYPES.get(extension, "image/jpeg"),
            )
    return feed.rss_str(pretty=False) if kind == RSS else feed.atom_str(pretty=False)
