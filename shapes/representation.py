"""How content is represented to consumers: public URLs, page references, images, rich text.

Shared by StreamField blocks (`get_api_representation`) and the API serializers, so both resolve
links and images the same way. URLs come from settings, never from a request's Host header.

Two channels share them: the website's (`web`: rich text as HTML, named renditions) and the
app's (`app`: rich text as a tree of nodes, pages.structured_text, and renditions per screen
density). A representation's context names its channel (`channel_of`).
"""

import html as html_module
import re
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.utils import timezone

from wagtail.documents import get_document_model
from wagtail.images.models import AbstractImage
from wagtail.models import Page
from wagtail.rich_text import expand_db_html

from pages.renditions import (
    APP_BASE_WIDTH,
    HERO,
    RENDITION_SETS,
    SRCSET_RENDITIONS,
    SRCSET_SPECS,
    rendition_filters,
    rendition_specs,
)
from pages.selectors import (
    Visibility,
    default_language,
    language_prefix,
    public_snippets,
    snippet_is_public,
)
from pages.structured_text import rich_text_tree
from pages.text_safety import PLACEHOLDER, safe_href, sanitize_rich_text
from shapes import registry, schema
from shapes.build import build

API_PREFIX = "/api/v1"
WEB, APP = "web", "app"
CHANNELS = (WEB, APP)
PAGE_LINK = re.compile(r'<a\b[^>]*\blinktype="page"[^>]*>(.*?)</a>', re.S | re.I)
DOCUMENT_LINK = re.compile(r'<a\b[^>]*\blinktype="document"[^>]*>(.*?)</a>', re.S | re.I)
ID_ATTR = re.compile(r'\bid="(\d+)"')
# An href in HTML written by the whitelister (double-quoted, escaped: pages.text_safety) or by
# Wagtail's expansion of database markup.
HREF_ATTR = re.compile(r'\bhref="([^"]*)"', re.I)


# Surrogate keys: what a representation shows, named for CDN purges and for api/record/changes.py.
# This is the one place that spells them (builders) and reads them (parsers).
PAGE_KEY_PREFIX = "page-"
COLLECTION_KEY_PREFIX = "collection-"


def page_key(page):
    """`page-<id>` for a page or a page id."""
    return f"{PAGE_KEY_PREFIX}{getattr(page, 'pk', page)}"


def collection_key(name, language=None):
    """`collection-<name>`: on every list, search, lookup, feed and sync response of the
    collection; purged whenever any of its items in the default language changes. In another
    language, `collection-<name>@<language>` (e.g. `collection-conditions@es`): purged when
    one of its items in that language changes (its answers carry both keys where the default
    language stands in for missing translations)."""
    if language and language != default_language():
        return f"{COLLECTION_KEY_PREFIX}{name}@{language}"
    return f"{COLLECTION_KEY_PREFIX}{name}"


CAMPAIGNS = "campaigns"  # the collection of campaigns: /api/v1/campaigns/ and its surrogate key


# On every path-lookup redirect: purged whenever a redirect is saved or deleted.
REDIRECTS_KEY = collection_key("redirects")
SYMPTOMS = "symptoms"  # /api/v1/symptoms/ and its surrogate key
SYMPTOMS_KEY = collection_key(SYMPTOMS)
# Purged whenever any public page changes (published, refreshed, hidden, moved): it validates
# the answers that depend on every page at once (search, the home page, navigation, the
# sitemap). Its value predates those answers: webhook receivers already purge by it.
EVERY_PAGE_KEY = collection_key("search")
# Purged when the email brand (pages.models.EmailBrand) changes: every email shows it.
EMAIL_BRAND_KEY = "email-brand"


def image_key(image_id):
    return f"image-{image_id}"


def snippet_key(model, pk):
    """`snippet-<model name>-<id>`; `model` is the snippet's class or its model name."""
    name = model if isinstance(model, str) else model._meta.model_name
    return f"snippet-{name}-{pk}"


# Mentioned by every item that shows no disclaimer of its own: whichever disclaimer becomes the
# live default must reach it (api/record/signals.py tracks this key with every disclaimer's).
DEFAULT_DISCLAIMER_KEY = snippet_key("disclaimer", "default")


def dependency_key(obj):
    """The surrogate key naming what a representation shows: a page (or a page id), an image
    or a snippet."""
    if isinstance(obj, int) or hasattr(obj, "url_path"):
        return page_key(obj)
    if isinstance(obj, AbstractImage):
        return image_key(obj.pk)
    return snippet_key(obj, obj.pk)


def page_ids_of(keys):
    """The page ids among surrogate keys (the other keys are skipped)."""
    return {
        int(key.removeprefix(PAGE_KEY_PREFIX))
        for key in keys
        if key.startswith(PAGE_KEY_PREFIX) and key.removeprefix(PAGE_KEY_PREFIX).isdigit()
    }


def is_collection_key(key):
    return key.startswith(COLLECTION_KEY_PREFIX)


def record_dependencies(context, *objects):
    """Note in `context["dependencies"]` (when the caller keeps one) that the representation
    being built shows `objects` (pages, images or snippets; None is skipped). A snippet the
    public may not see is shown by nothing: it is a mention (record_mentions), not a key."""
    keys = (context or {}).get("dependencies")
    if keys is None:
        return
    mentions = context.get("mentions")
    for obj in objects:
        if obj is None:
            continue
        snippet = not isinstance(obj, int) and not hasattr(obj, "url_path")
        if snippet and not snippet_is_public(obj):
            if mentions is not None:
                mentions.add(dependency_key(obj))
        else:
            keys.add(dependency_key(obj))


def record_default_disclaimer(context):
    """Note that the item being built would show the live default disclaimer, if any."""
    mentions = (context or {}).get("mentions")
    if mentions is not None:
        mentions.add(DEFAULT_DISCLAIMER_KEY)


def record_mentions(context, page_ids):
    """Note in `context["mentions"]` (when the caller keeps one) the key of every page the
    representation being built links to, public or not: when a hidden one becomes public, the
    item must be represented again (api/record/changes.py), although it showed nothing of it."""
    mentions = (context or {}).get("mentions")
    if mentions is not None:
        mentions.update(page_key(pk) for pk in page_ids)


def breadcrumbs(page, visibility, context=None):
    """The public ancestors of `page` in the site, home first, as BreadcrumbSerializer builds
    them. Each is a dependency of the representation being built, and every ancestor a
    mention (one that becomes public must appear); `context` also keeps the ancestors looked up
    for the pages of one batch (one query per section, not per page)."""
    steps = range(len(visibility.site_path), len(page.path), Page.steplen)
    paths = [page.path[:end] for end in steps]
    known = (context if context is not None else {}).setdefault("ancestors", {})
    missing = [path for path in paths if path not in known]
    if missing:
        known.update(dict.fromkeys(missing))
        fields = ("pk", "path", "title", "url_path", "live", "expired", "expire_at")
        for ancestor in Page.objects.filter(path__in=missing).only(*fields):
            known[ancestor.path] = ancestor
    ancestors = [known[path] for path in paths if known[path] is not None]
    record_mentions(context, [ancestor.pk for ancestor in ancestors])
    shown = [ancestor for ancestor in ancestors if visibility.shows(ancestor)]
    record_dependencies(context, *(ancestor.pk for ancestor in shown))
    return [
        build(
            schema.BreadcrumbSerializer,
            ancestor,
            path=website_path(ancestor.url_path, visibility),
            url=website_url(ancestor, visibility),
        )
        for ancestor in shown
    ]


def language_versions(keys, visibility):
    """{translation key: [row]}: every page sharing one of `keys`, as rows of pk,
    translation_key, url_path, locale_id and `public` (by its own language's rule), in id order
    (ONE query)."""
    if not keys:
        return {}
    public = visibility.anywhere().rule(timezone.now())
    flag = ExpressionWrapper(public if public is not None else Q(pk__in=[]), BooleanField())
    rows = (
        Page.objects.filter(translation_key__in=keys)
        .annotate(public=flag)
        .values("pk", "translation_key", "url_path", "locale_id", "public")
        .order_by("pk")
    )
    found = {}
    for row in rows:
        found.setdefault(row["translation_key"], []).append(row)
    return found


def alternates(versions, visibility, own=None):
    """The public ones among `versions` (rows of `language_versions`), and the page `own` (an
    id) whatever its state, as hreflang alternates (AlternateSerializer), by locale."""
    return sorted(
        (
            build(
                schema.AlternateSerializer,
                locale=visibility.language_of(row["locale_id"]),
                path=website_path(row["url_path"], visibility),
                url=website_url_at(row["url_path"], visibility),
            )
            for row in versions
            if row["public"] or row["pk"] == own
        ),
        key=lambda alternate: alternate["locale"],
    )


def page_kind(model):
    """(type, collection) of a registered page model, e.g. ('condition', 'conditions');
    (None, None) for any other model."""
    item_type = registry.of(model)
    return (item_type.name, item_type.collection) if item_type else (None, None)


def website_path(url_path, visibility=None):
    """A page's path on the website from its Wagtail `url_path`: its path under its language's
    home, after the language's prefix (e.g. /conditions/, /es/conditions/); "/" for a page in
    no language's home."""
    home = (visibility or Visibility.load()).home_of(url_path)
    return home.prefix + url_path[len(home.url_path) - 1 :] if home else "/"


def website_url(page, visibility=None):
    """The page's canonical URL on the website (WEBSITE_BASE_URL + its path in the site)."""
    return website_url_at(page.url_path, visibility)


def website_url_at(url_path, visibility=None):
    """The website URL of the page at Wagtail `url_path`."""
    return settings.WEBSITE_BASE_URL + website_path(url_path, visibility)


# Stored copies of representations hold STORED_ORIGIN where a URL on this service begins, so
# the bytes an item is stored as never depend on the API_BASE_URL of the process that wrote
# them; the read path puts this process's origin in its place (`with_origin`). Stored text
# never holds the placeholder (pages.text_safety), so nothing else is ever replaced.
STORED_ORIGIN = PLACEHOLDER
_STORED_ORIGIN_BYTES = STORED_ORIGIN.encode()
_origin = ContextVar("api_origin", default=None)


def api_origin():
    """Where URLs on this service begin: API_BASE_URL, or STORED_ORIGIN while representing for
    storage (`stored_origin`)."""
    return _origin.get() or settings.API_BASE_URL


@contextmanager
def stored_origin():
    """Inside: representations are built as they are stored (URLs on STORED_ORIGIN)."""
    token = _origin.set(STORED_ORIGIN)
    try:
        yield
    finally:
        _origin.reset(token)


def with_origin(body):
    """Stored bytes with this process's API_BASE_URL in place of STORED_ORIGIN."""
    return body.replace(_STORED_ORIGIN_BYTES, settings.API_BASE_URL.encode())


def api_url(page, model=None, visibility=None):
    kind, collection = page_kind(model or type(page))
    if not collection:
        return None
    home = (visibility or Visibility.load()).home_of(page.url_path)
    return item_api_url(collection, page.slug, home.language if home else None)


def endpoint_url(path=""):
    """The URL of an endpoint of this API (the one place that spells them), e.g.
    endpoint_url("conditions/")."""
    return f"{api_origin()}{API_PREFIX}/{path}"


def item_api_url(collection, slug, language=None):
    """The URL of an item in this API; one in another language than the default names it
    (`?locale=`)."""
    return endpoint_url(f"{collection}/{slug}/{locale_query(language)}")


def locale_query(language=None):
    """`?locale=<language>` for another language than the default, else nothing."""
    return f"?locale={language}" if language and language != default_language() else ""


def collection_website_url(collection, language=None):
    """The website's page listing a collection, e.g. https://www.example-clinic.test/conditions/
    (in another language, under its prefix: .../es/conditions/)."""
    return f"{website_home_url(language)}{collection}/"


def website_home_url(language=None):
    """The website's home page in `language` (the default language's: WEBSITE_BASE_URL/)."""
    return f"{settings.WEBSITE_BASE_URL}{language_prefix(language or default_language())}/"


def page_reference(page, visibility=None, model=None):
    """The flat reference consumers follow: {id, type, slug, title, url, api_url}.
    `model` names the specific type when `page` is a plain wagtailcore Page."""
    model = model or type(page)
    kind, _ = page_kind(model)
    url, item_api = website_url(page, visibility), api_url(page, model, visibility)
    return build(schema.PageReferenceSerializer, page, type=kind, url=url, api_url=item_api)


def absolute_media_url(url):
    return url if url.startswith(("http://", "https://")) else api_origin() + url


def channel_of(context):
    """The channel a representation is built for (`web` unless its context says otherwise)."""
    return (context or {}).get("channel") or WEB


def _rendition(rendition):
    return {
        "url": absolute_media_url(rendition.url),
        "width": rendition.width,
        "height": rendition.height,
        "format": rendition.file.name.rsplit(".", 1)[-1].lower(),
    }


def image_representation(image, alt, shown_as=HERO, context=None, srcset=True):
    """An image in the context's channel: {"id", "alt", "width", "height", "renditions"}.

    `shown_as`: HERO or BODY (pages/renditions.RENDITION_SETS names their renditions).
    web: the named renditions, each in its original format and as webp:
    {"medium": {"url", "width", "height", "format", "webp": {"url", "width", "height",
    "format"}}}, `srcset` (the uncropped image at SRCSET_WIDTHS, the same way) and
    `focal_point`.
    app: `base_width` (points) and one rendition per screen density, 1x to 3x:
    [{"density": 2, "url", "width", "height", "format", "webp": {..., "format": "webp"}}]."""
    if image is None:
        return None
    data = {"id": image.pk, "alt": alt, "width": image.width, "height": image.height}
    named, by_density = RENDITION_SETS[shown_as]
    if channel_of(context) == APP:
        renditions = image.get_renditions(*rendition_filters(tuple(rendition_specs(by_density))))
        data["base_width"] = APP_BASE_WIDTH
        data["renditions"] = [
            {
                "density": density,
                **_rendition(renditions[spec]),
                "webp": _rendition(renditions[f"{spec}|format-webp"]),
            }
            for density, spec in by_density.items()
        ]
        return data
    specs = tuple(rendition_specs(named) + (SRCSET_SPECS if srcset else []))
    renditions = image.get_renditions(*rendition_filters(specs))

    def twins(spec):
        return {
            **_rendition(renditions[spec]),
            "webp": _rendition(renditions[f"{spec}|format-webp"]),
        }

    data["focal_point"] = focal_point(image)
    data["renditions"] = {name: twins(spec) for name, spec in named.items()}
    if srcset:  # a detail's: lists keep their bytes down
        widths = {}
        for spec in SRCSET_RENDITIONS.values():  # a narrow original gives one width once
            widths.setdefault(renditions[spec].width, twins(spec))
        data["srcset"] = list(widths.values())
    return data


def focal_point(image):
    """The editor's focal point in the original's pixels, or None where none was set."""
    if image.focal_point_x is None:
        return None
    return build(
        schema.FocalPointSerializer,
        x=image.focal_point_x,
        y=image.focal_point_y,
        width=image.focal_point_width,
        height=image.focal_point_height,
    )


def linked_page_ids(html):
    """Ids of the pages database rich text links to (no query)."""
    return {
        int(m) for link in PAGE_LINK.finditer(html or "") for m in ID_ATTR.findall(link.group(0))
    }


def stream_linked_page_ids(raw, page_keys=("causes",)):
    """Ids of pages a StreamField's raw JSON links to: rich-text links anywhere, and page
    choosers under `page_keys` (no query)."""
    found = set()

    def walk(node, under_page_key=False):
        if isinstance(node, str):
            found.update(linked_page_ids(node))
        elif isinstance(node, int) and under_page_key:
            found.add(node)
        elif isinstance(node, dict):
            for key, value in node.items():
                walk(value, under_page_key or key in page_keys)
        elif isinstance(node, list):
            for item in node:
                walk(item, under_page_key)

    walk(list(raw))  # StreamValue.raw_data is a RawDataView, not a list
    return found


def resolve_rich_text(html, visibility=None, context=None, mark_pages=False):
    """Database rich text → HTML for clients: sanitized first (whatever the database holds:
    pages.text_safety), page links point at public website URLs (links to pages the public
    can't see are unwrapped to their text), other Wagtail markup is expanded, and hrefs with
    unsafe schemes (javascript:, data:...) are dropped. The pages it links to are recorded in
    `context` (see `record_dependencies`). `mark_pages`: internal links keep the page's id as
    `data-page-id` (for `rich_text_value`'s tree)."""
    html = sanitize_rich_text(html)
    if not html:
        return ""
    ids = linked_page_ids(html)
    urls = {}
    record_mentions(context, ids)
    if ids:
        visibility = visibility or Visibility.load()
        shown = visibility.link_versions(ids)  # in a translation, its version of each
        for pk, (url_path, *_) in shown.items():
            urls[pk] = website_url_at(url_path, visibility)
        record_dependencies(context, *{facts[-1] for facts in shown.values()})

    def replace_page_link(match):
        found = ID_ATTR.search(match.group(0))
        url = urls.get(int(found.group(1))) if found else None
        if not url:
            return match.group(1)
        marked = f' data-page-id="{found.group(1)}"' if mark_pages else ""
        return f'<a href="{url}"{marked}>{match.group(1)}</a>'

    html = PAGE_LINK.sub(replace_page_link, html)
    html = expand_db_html(DOCUMENT_LINK.sub(lambda m: document_link(m, context), html))

    def clean_href(match):
        href = html_module.unescape(match.group(1)).strip()
        if not safe_href(href):
            return ""
        if href.startswith("/"):  # documents and media are served by this service
            return f'href="{api_origin()}{match.group(1).strip()}"'
        return match.group(0)

    return HREF_ATTR.sub(clean_href, html)


def document_link(match, context):
    """A rich-text link to a document, typed: its URL on this service and `data-document-id`,
    `data-file-type` (the extension, e.g. pdf) and `data-file-size` (bytes, where known); a
    link to a deleted document keeps its text only. Documents are looked up once per batch
    (`context`)."""
    found = ID_ATTR.search(match.group(0))
    document = found and documents(context).get(int(found.group(1)))
    if document is None:
        return match.group(1)
    size = f' data-file-size="{document.file_size}"' if document.file_size is not None else ""
    return (
        f'<a href="{html_module.escape(document.url)}" data-document-id="{document.pk}" '
        f'data-file-type="{html_module.escape(document.file_extension.lower())}"{size}>'
        f"{match.group(1)}</a>"
    )


def documents(context):
    """{id: document}, every document the context's pages link to (one query), else all of
    them lazily per id."""
    known = (context if context is not None else {}).setdefault("documents", _Documents())
    return known


class _Documents(dict):
    def get(self, pk, default=None):
        if pk not in self:
            self[pk] = get_document_model().objects.filter(pk=pk).first()
        return super().get(pk, default)


def rich_text_value(html, visibility=None, context=None):
    """Database rich text in the context's channel: client HTML (web), or its tree of nodes
    (app: pages.structured_text), where an internal link names its public target."""
    if channel_of(context) != APP:
        return resolve_rich_text(html, visibility, context)
    visibility = visibility or Visibility.load()
    resolved = resolve_rich_text(html, visibility, context, mark_pages=True)

    def link_target(href, page_id, attributes):
        if attributes.get("data-document-id", "").isdigit():
            size = attributes.get("data-file-size", "")
            return build(
                schema.DocumentTargetSerializer,
                type="document",
                id=int(attributes["data-document-id"]),
                file_type=attributes.get("data-file-type", ""),
                file_size=int(size) if size.isdigit() else None,
            )
        facts = visibility.link_versions([page_id]).get(page_id) if page_id else None
        if facts is None:
            return None
        url_path, slug, content_type_id, shown_id = facts
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        kind, collection = page_kind(model)
        if not collection:
            return None
        home = visibility.home_of(url_path)
        return {
            "id": shown_id,
            "type": kind,
            "slug": slug,
            "api_url": item_api_url(collection, slug, home and home.language),
        }

    return rich_text_tree(resolved, link_target)


def translated_snippets(snippets, visibility, context=None):
    """`snippets` (public ones, pages.selectors.snippet_is_public) as an item in `visibility`'s
    language shows them: each one's public translation in that language where there is one,
    else itself (a dependency either way). One query per model for the snippets not looked up
    before in `context`; none in the default language."""
    snippets = list(snippets)
    if visibility is None or visibility.is_default_language:
        return snippets
    known = (context if context is not None else {}).setdefault("snippet_translations", {})
    missing = {}
    for snippet in snippets:
        key = (type(snippet), getattr(snippet, "translation_key", None))
        if key[1] is not None and key not in known:
            missing.setdefault(key[0], set()).add(key[1])
            known[key] = None
    for model, keys in missing.items():
        rows = model._default_manager.filter(translation_key__in=keys)
        for row in public_snippets(rows, locale_id=visibility.locale_id):
            known[model, row.translation_key] = row
    shown = [
        known.get((type(snippet), getattr(snippet, "translation_key", None))) or snippet
        for snippet in snippets
    ]
    record_dependencies(context, *shown)
    return shown


def snippet_in_language(snippet, context):
    """A public snippet as the item being represented shows it (`context`'s visibility): its
    public reviewed translation in the item's language where it has one."""
    (shown,) = translated_snippets([snippet], (context or {}).get("visibility"), context)
    return shown


def reference_representation(reference, note=""):
    urls = (reference.url, reference.doi_url, reference.pubmed_url)
    return build(
        schema.ReferenceSerializer,
        reference,
        doi=reference.doi or None,
        pmid=reference.pmid or None,
        url=next((url for url in urls if safe_href(url)), None),
        **({"note": note} if note else {}),
    )


def disclaimer_representation(disclaimer, visibility=None, context=None):
    """The disclaimer in the context's channel; the website's carries its email wording."""
    text = rich_text_value(disclaimer.text, visibility, context)
    if channel_of(context) == APP:
        return build(schema.AppDisclaimerSerializer, disclaimer, text=text)
    email_text = rich_text_value(disclaimer.email_text, visibility, context)
    return build(schema.DisclaimerSerializer, disclaimer, text=text, email_text=email_text)


def code_representation(code):
    return build(schema.MedicalCodeSerializer, code)
