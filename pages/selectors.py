"""The ONE place that decides what the public may see (modelled on Wagtail's
`wagtail/api/querysets.py:get_public_pages_queryset`).

Every public endpoint — lists, details, search, path lookup, relation references and
expansions, rich-text links — asks these functions, never `live()` on its own.

The facts that do not depend on the request (the default site's root, the paths under a view
restriction) are kept in the shared cache and dropped by signal handlers (pages/signals.py)
whenever a site, a view restriction or a page's path changes.
"""

import functools
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone

from wagtail.models import (
    DraftStateMixin,
    Locale,
    Page,
    PageViewRestriction,
    Site,
    TranslatableMixin,
)

from pages.prepared import Prepared


@functools.cache
def default_locale_id():
    """The default content language's locale (LANGUAGE_CODE): created by the first migration,
    and kept while content refers to it (its rows protect it), so read once per process;
    forgotten when a locale is saved or deleted, or after a migrate or flush."""
    return Locale.get_default().pk


def forget_default_locale(**kwargs):
    default_locale_id.cache_clear()


def in_default_language(obj):
    """Is `obj` (a snippet or campaign; one without a language counts) in the default language,
    the only one any door serves yet?"""
    return getattr(obj, "locale_id", None) in (None, default_locale_id())


def snippet_is_public(snippet, now=None):
    """May the public see `snippet`? One without draft state always; one with it (the medical
    snippets and campaigns, under the "Medical review" workflow) while live and not past its
    expiry, in the default language (no door serves a translation yet). A draft never
    published, or one unpublished, shows nowhere: not in a page's references, codes or
    symptoms, not in a filter, not as the disclaimer."""
    if snippet is None:
        return False
    if not hasattr(snippet, "live"):
        return True
    if not in_default_language(snippet):
        return False
    expire_at = getattr(snippet, "expire_at", None)
    return bool(snippet.live) and (expire_at is None or expire_at > (now or timezone.now()))


def shown(snippet):
    """`snippet` if the public may see it, else None."""
    return snippet if snippet_is_public(snippet) else None


def public_snippets(queryset):
    """The rows of `queryset` that snippet_is_public, in SQL."""
    if not issubclass(queryset.model, DraftStateMixin):
        return queryset
    if issubclass(queryset.model, TranslatableMixin):
        queryset = queryset.filter(locale_id=default_locale_id())
    return queryset.filter(Q(expire_at__isnull=True) | Q(expire_at__gt=timezone.now()), live=True)


VISIBILITY_CACHE_KEY = "pages:visibility:v1"
VISIBILITY_CACHE_SECONDS = 600


# The facts, read without the ORM's query building each time (a request reads them whenever no
# cache holds them).
SITE_FACTS = Prepared(
    lambda: (
        Site.objects.filter(is_default_site=True)
        .order_by("pk")
        .values("pk", "root_page__path", "root_page__url_path")[:1]
    )
)
RESTRICTED_PATHS = Prepared(lambda: PageViewRestriction.objects.values("page__path"))


@dataclass(eq=False)
class Visibility:
    """What the public may see, applied to any number of querysets in one request. Equal (and
    hashed) by the facts that shape its SQL, so it can shape a pages.prepared query."""

    site_id: int | None
    site_path: str = ""  # treebeard path of the site's root page
    root_path: str = "/"  # url_path of the site's root page (e.g. '/clinic/')
    restricted_paths: list = field(default_factory=list)
    # page id -> (url_path, slug, content_type_id), or None if not public
    known_pages: dict = field(default_factory=dict)

    @classmethod
    def load(cls):
        facts = cache.get(VISIBILITY_CACHE_KEY)
        if facts is None:
            facts = cls.facts()
            cache.set(VISIBILITY_CACHE_KEY, facts, VISIBILITY_CACHE_SECONDS)
        return cls(**facts)

    @classmethod
    def compute(cls):
        """Read straight from the database, bypassing the cache (for background work that runs
        while the cached facts may be being dropped)."""
        return cls(**cls.facts())

    @staticmethod
    def facts():
        sites = SITE_FACTS.rows(())
        site = sites[0] if sites else None
        return {
            "site_id": site["pk"] if site else None,
            "site_path": site["root_page__path"] if site else "",
            "root_path": site["root_page__url_path"] if site else "/",
            "restricted_paths": [row["page__path"] for row in RESTRICTED_PATHS.rows(())],
        }

    @property
    def key(self):
        """What shapes the SQL of the rule."""
        return (self.site_id, self.site_path, tuple(self.restricted_paths))

    def __eq__(self, other):
        return isinstance(other, Visibility) and self.key == other.key

    def __hash__(self):
        return hash(self.key)

    def pages(self, model=Page, now=None):
        """Live, not expired (by flag or by `expire_at` in the past, `now` by default the
        present), with no view restriction on them or an ancestor (any restriction shuts
        anonymous consumers out), in the site."""
        queryset = model._default_manager.all()
        if self.site_id is None:
            return queryset.none()
        now = now or timezone.now()
        queryset = queryset.filter(
            live=True, expired=False, path__startswith=self.site_path
        ).filter(Q(expire_at__isnull=True) | Q(expire_at__gt=now))
        for path in self.restricted_paths:
            queryset = queryset.exclude(path__startswith=path)
        return queryset

    def shows(self, page):
        """The same rule as `pages()`, for a page row already loaded (a related page that came
        joined to a link row): lets one query fetch links of several kinds and keep the public
        ones. tests/pages/test_selectors.py checks both answers agree on every page."""
        if self.site_id is None or not page.live or page.expired:
            return False
        if page.expire_at is not None and page.expire_at <= timezone.now():
            return False
        if not page.path.startswith(self.site_path):
            return False
        return not any(page.path.startswith(path) for path in self.restricted_paths)

    def public_url_paths(self, page_ids):
        """{id: url_path} of the public pages among `page_ids`; one query for the ids not
        looked up before in this request (see `preload`)."""
        return {pk: facts[0] for pk, facts in self.public_link_facts(page_ids).items()}

    def public_link_facts(self, page_ids):
        """{id: (url_path, slug, content_type_id)} of the public pages among `page_ids`, what a
        link to each needs; looked up as `public_url_paths` says."""
        missing = {pk for pk in page_ids if pk not in self.known_pages}
        if missing:
            self.known_pages.update(dict.fromkeys(missing))
            rows = self.pages().filter(pk__in=missing)
            for pk, *facts in rows.values_list("pk", "url_path", "slug", "content_type_id"):
                self.known_pages[pk] = tuple(facts)
        return {pk: self.known_pages[pk] for pk in page_ids if self.known_pages.get(pk)}

    def preload(self, page_ids):
        """Look up, in one query, every page a representation is about to link to."""
        self.public_url_paths(page_ids)


def forget_visibility(**kwargs):
    cache.delete(VISIBILITY_CACHE_KEY)
