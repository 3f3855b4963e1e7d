"""The website's structure, for a site's router, header, footer and sitemap.xml: the home page
and its sections (answered by path lookup, api/views/lookup.py), the navigation and the
sitemap (api/views/site.py).

A section is a page whose model lists items: every page type it allows below it is a
registered item type (ConditionIndexPage allows ConditionPage), so a new type's section is
found with no edit here. The home page is the site's root page. Only public pages appear,
by the one rule (pages.selectors.Visibility), and every answer is kept no longer than the
first expiry among the pages it shows.
"""

import hashlib
from functools import cache

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Max, Min, Q

from wagtail.models import get_page_models

from api.models import RepresentationState
from api.serving.read_path import ResponseParts, earliest, fixed_answer, page_answer
from api.serving.stored import render
from pages.text_safety import clean_data
from shapes import registry
from shapes.build import build
from shapes.representation import (
    EVERY_PAGE_KEY,
    alternates,
    breadcrumbs,
    collection_key,
    endpoint_url,
    language_versions,
    page_key,
    website_path,
)
from shapes.schema import (
    HOME,
    SECTION,
    HomeSerializer,
    MenuItemSerializer,
    MenuPageSerializer,
    NavigationSerializer,
    SectionSerializer,
    SectionSummarySerializer,
    SitemapEntrySerializer,
)
from shapes.serializers import LIST

ROW_FIELDS = (
    "pk",
    "title",
    "url_path",
    "path",
    "depth",
    "content_type_id",
    "last_published_at",
    "translation_key",
)


@cache
def section_types():
    """{content type id: (ItemType, ...)} of the page models that list items: those, not item
    types themselves, whose allowed child types are all registered item types."""
    found = {}
    for model in get_page_models():
        allowed = model.allowed_subpage_models()
        listed = tuple(registry.of(child) for child in allowed)
        if allowed and not registry.of(model) and all(listed):
            found[ContentType.objects.get_for_model(model).pk] = listed
    return found


def item_content_types():
    """{content type id: ItemType} of the registered item types."""
    return {
        ContentType.objects.get_for_model(item_type.model).pk: item_type
        for item_type in registry.item_types()
    }


def kind_of(content_type_id, is_home=False):
    """The SitePageTypeEnum value of a page: home, section, an item type's name, or None for a
    page the website's structure does not show."""
    if is_home:
        return HOME
    if content_type_id in section_types():
        return SECTION
    item_type = item_content_types().get(content_type_id)
    return item_type.name if item_type else None


def page_link(page, visibility):
    """A page's title, path and URL on the website (a model instance or a row of ROW_FIELDS)."""
    get = page.get if isinstance(page, dict) else lambda name: getattr(page, name)
    path = website_path(get("url_path"), visibility)
    return {"title": get("title"), "path": path, "url": settings.WEBSITE_BASE_URL + path}


def section_summary(section, visibility):
    item_type = section_types()[section.content_type_id][0]
    return build(
        SectionSummarySerializer,
        section,
        type=SECTION,
        intro=getattr(section, "intro", ""),
        item_type=item_type.name,
        api_url=endpoint_url(f"{item_type.collection}/"),
        **page_link(section, visibility),
    )


def structure_answer(reader, url_path, paginator):
    """The answer for the home page or a section at `url_path` (public), in the reader's
    channel; None when no public home page or section is there."""
    visibility = reader.visibility
    found = visibility.pages(now=reader.now).filter(url_path=url_path)
    page = found.filter(content_type_id__in=section_types()).specific().first()
    if page is not None:
        return section_answer(reader, page, paginator)
    if url_path == visibility.root_path:
        home = found.specific().first()
        return home and home_answer(reader, home)
    return None


def home_answer(reader, home):
    visibility = reader.visibility
    sections = list(
        visibility.pages(now=reader.now)
        .child_of(home)
        .filter(content_type_id__in=section_types())
        .order_by("path")
        .specific()
    )
    data = build(
        HomeSerializer,
        home,
        type=HOME,
        intro=getattr(home, "intro", ""),
        sections=[section_summary(section, visibility) for section in sections],
        **page_link(home, visibility),
    )
    shown = [home, *sections]
    return fixed_answer(
        render(clean_data(data)),
        keys=[EVERY_PAGE_KEY, *(page_key(page.pk) for page in shown)],
        validators=[EVERY_PAGE_KEY],
        expires=earliest(page.expire_at for page in shown),
    )


def section_answer(reader, section, paginator):
    """The section's own values, then one page of its public items (paginator's limit and
    offset) in the editors' order, as the list answer of those items builds them."""
    visibility, item_types = reader.visibility, section_types()[section.content_type_id]
    public = visibility.pages(now=reader.now)
    children = (
        public.child_of(section)
        .filter(content_type__in=[ContentType.objects.get_for_model(t.model) for t in item_types])
        .order_by("path")
    )
    ids = paginator.paginate_rows(
        reader.request,
        children.count,
        lambda offset, limit: children.values_list("pk", flat=True)[offset : offset + limit],
    )
    items = page_answer(
        reader,
        reader.rows_in_order(list(ids), LIST),
        paginator.envelope(),
        keys=[collection_key(item_type.collection) for item_type in item_types],
    )
    head = render(
        clean_data(
            build(
                SectionSerializer,
                section,
                **section_summary(section, visibility),
                breadcrumbs=breadcrumbs(section, visibility),
            )
        )
    )
    expires = earliest([section.expire_at])
    if items.expires is not None:
        expires = items.expires if expires is None else min(expires, items.expires)
    return ResponseParts(
        etag=f'W/"{hashlib.sha256(head + items.etag.encode()).hexdigest()[:40]}"',
        keys=[page_key(section.pk), *items.keys],
        expires=expires,
        body=lambda: head[:-1] + b',"items":' + items.body() + b"}",
        validators=[page_key(section.pk), *items.validators],
    )


def navigation_answer(visibility, now):
    """The home page and the menu: its public children shown in menus, each with its own."""
    public = visibility.pages(now=now)
    home = public.filter(url_path=visibility.root_path).values(*ROW_FIELDS, "expire_at").first()
    entries = []
    if home is not None:
        entries = [
            row
            for row in public.filter(
                show_in_menus=True,
                path__startswith=home["path"],
                depth__in=(home["depth"] + 1, home["depth"] + 2),
            )
            .order_by("path")
            .values(*ROW_FIELDS, "expire_at")
            if kind_of(row["content_type_id"])
        ]

    def link(serializer, row, **values):
        kind = kind_of(row["content_type_id"], is_home=row is home)
        return build(
            serializer,
            row,
            id=row["pk"],
            type=kind,
            **page_link(row, visibility),
            **values,
        )

    top = [row for row in entries if row["depth"] == home["depth"] + 1]
    below = [row for row in entries if row["depth"] == home["depth"] + 2]
    data = build(
        NavigationSerializer,
        home=home and link(MenuPageSerializer, home),
        items=[
            link(
                MenuItemSerializer,
                row,
                children=[
                    link(MenuPageSerializer, child)
                    for child in below
                    if child["path"].startswith(row["path"])
                ],
            )
            for row in top
        ],
    )
    shown = [home, *entries] if home else []
    return fixed_answer(
        render(clean_data(data)),
        keys=[EVERY_PAGE_KEY, *(page_key(row["pk"]) for row in shown)],
        validators=[EVERY_PAGE_KEY],
        expires=earliest(row["expire_at"] for row in shown),
    )


def sitemap_answer(visibility, now, paginator, request):
    """One page of every public page of the website's structure (the home page, sections,
    items), in path order, with when what the public sees of each last changed: an item's
    change in the change record (api/record/changes.py), a home page's or section's own
    publication or the newest change among the public items below it, whichever is later."""
    public = visibility.pages(now=now)
    shown = public.filter(
        Q(content_type_id__in=[*section_types(), *item_content_types()])
        | Q(url_path=visibility.root_path)
    ).order_by("path")
    rows = paginator.paginate_rows(
        request,
        shown.count,
        lambda offset, limit: shown.values(*ROW_FIELDS)[offset : offset + limit],
    )
    changed = dict(
        RepresentationState.objects.filter(
            page_id__in=[row["pk"] for row in rows], public=True
        ).values_list("page_id", "changed_at")
    )
    versions = language_versions({row["translation_key"] for row in rows}, visibility)
    results = []
    for row in rows:
        kind = kind_of(row["content_type_id"], is_home=row["url_path"] == visibility.root_path)
        lastmod = changed.get(row["pk"])
        if kind in (HOME, SECTION):
            below = RepresentationState.objects.filter(
                public=True, page_id__in=public.filter(path__startswith=row["path"]).values("pk")
            ).aggregate(newest=Max("changed_at"))["newest"]
            lastmod = max(filter(None, (row["last_published_at"], below)), default=None)
        link = page_link(row, visibility)
        results.append(
            build(
                SitemapEntrySerializer,
                type=kind,
                lastmod=lastmod or row["last_published_at"],
                locale=visibility.language,
                path=link["path"],
                url=link["url"],
                alternates=alternates(versions[row["translation_key"]], visibility, row["pk"]),
            )
        )
    first_expiry = shown.filter(expire_at__isnull=False).aggregate(first=Min("expire_at"))
    return fixed_answer(
        render(clean_data({**paginator.envelope(), "results": results})),
        keys=[EVERY_PAGE_KEY],
        validators=[EVERY_PAGE_KEY],
        expires=earliest([first_expiry["first"]]),
    )
