"""The ONE place that decides what the public may see (modelled on Wagtail's
`wagtail/api/querysets.py:get_public_pages_queryset`).

Every public endpoint — lists, details, search, path lookup, relation references and
expansions, rich-text links — asks these functions, never `live()` on its own.

The facts that do not depend on the request (the default site's root, the paths under a view
restriction) are kept in the shared cache and dropped by signal handlers (pages/signals.py)
whenever a site, a view restriction or a page's path changes.
"""

import functools
import operator
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db.models import CharField, Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Cast
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


@functools.cache
def language_locale_id(language):
    """The locale of a content language (None before migrate has made it), read once per
    process like the default one's."""
    return Locale.objects.filter(language_code=language).values_list("pk", flat=True).first()


def forget_default_locale(**kwargs):
    from pages.stemming import locale_language

    default_locale_id.cache_clear()
    language_locale_id.cache_clear()
    locale_language.cache_clear()


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


def public_snippets(queryset, locale_id=None):
    """The rows of `queryset` that snippet_is_public, in SQL; with `locale_id`, the public
    translations in that locale instead (shown in its language where what they translate is
    public: shapes.representation.translated_snippets)."""
    if not issubclass(queryset.model, DraftStateMixin):
        return queryset
    if issubclass(queryset.model, TranslatableMixin):
        queryset = queryset.filter(locale_id=locale_id or default_locale_id())
        if locale_id is not None:  # a translation: once its medical review was recorded
            model = queryset.model
            queryset = queryset.filter(Exists(reviewed_translation(model.get_base_content_type())))
    return queryset.filter(Q(expire_at__isnull=True) | Q(expire_at__gt=timezone.now()), live=True)


VISIBILITY_CACHE_KEY = "pages:visibility:v2"
VISIBILITY_CACHE_SECONDS = 600


# The facts, read without the ORM's query building each time (a request reads them whenever no
# cache holds them).
def default_site_value(name):
    return Subquery(Site.objects.filter(is_default_site=True).order_by("pk").values(name)[:1])


# Each language's home: the default site's root page and its translations (siblings at its
# depth), with the site's id: one query.
HOME_FACTS = Prepared(
    lambda: (
        Page.objects.filter(
            depth=default_site_value("root_page__depth"),
            translation_key=default_site_value("root_page__translation_key"),
        )
        .annotate(site_id=default_site_value("pk"))
        .order_by("path")
        .values("path", "url_path", "locale_id", "locale__language_code", "site_id")
    )
)
RESTRICTED_PATHS = Prepared(lambda: PageViewRestriction.objects.values("page__path"))


@dataclass(frozen=True)
class Home:
    """A content language's home page: the default site's root page, or its translation (a
    sibling under Wagtail's root). The language's website is its pages, under `prefix`."""

    language: str
    locale_id: int
    path: str  # treebeard path
    url_path: str  # e.g. '/clinic/', '/clinic-es/'
    prefix: str  # '' for the default language, else '/<language>', e.g. '/es'


def default_language():
    return settings.LANGUAGE_CODE


def language_prefix(language):
    """Where a language's pages are on the website: '' for the default language, else
    '/<language>' (e.g. '/es')."""
    return "" if language == default_language() else f"/{language}"


def medical_content_type_ids():
    """The content types of medical content (pages.models.base.BaseContentPage): in another
    language, public only as a translation whose review was recorded, never as an alias of the
    source (which would publish the source's text unreviewed in that language)."""
    from pages.models.base import BaseContentPage

    models = [model for model in apps.get_models() if issubclass(model, BaseContentPage)]
    return sorted(ct.pk for ct in ContentType.objects.get_for_models(*models).values())


def reviewed_translation(content_type=None):
    """A subquery: the record of OuterRef("pk") (a page, or an object of `content_type`, a base
    content type) as a translation whose medical review was recorded (pages/translations.py)."""
    from pages.models.translations import TranslationOrigin

    return TranslationOrigin.objects.filter(
        content_type=content_type or ContentType.objects.get_for_model(Page),
        translation_id=Cast(OuterRef("pk"), CharField()),
        reviewed_at__isnull=False,
    ).values("pk")


def outdated_translation():
    """A subquery: the record of page OuterRef("pk") as an outdated translation (its source
    has a live revision other than the one it was made from or last reviewed against:
    pages/translations.py)."""
    from pages.models.translations import TranslationOrigin

    return (
        TranslationOrigin.objects.filter(
            content_type=ContentType.objects.get_for_model(Page),
            translation_id=Cast(OuterRef("pk"), CharField()),
            source_live__isnull=False,
        )
        .exclude(made_from_id=F("source_live_id"))
        .values("pk")
    )


@dataclass(eq=False)
class Visibility:
    """What the public may see in one content language, applied to any number of querysets
    in one request. Equal (and hashed) by the facts that shape its SQL, so it can shape a
    pages.prepared query.

    `language` (the default language unless given) chooses the home whose pages are public. In
    another language, a page is public only while the default language's page it translates
    (or mirrors, as an alias) is public too: withdrawing, restricting or expiring a page
    withdraws its translations with it.
    `hide_outdated`: an outdated translation counts as not public (for a channel that falls
    back rather than serve one). `fallback`: the default language's rule, whose public pages
    stand in for those that have no public page in this language (for a channel that falls
    back rather than answer 404)."""

    site_id: int | None
    homes: tuple = ()  # every language's Home
    restricted_paths: list = field(default_factory=list)
    medical_types: tuple = ()
    language: str = ""
    hide_outdated: bool = False
    fallback: "Visibility | None" = None
    every_language: bool = False  # public in its own language, whichever that is
    # page id -> (url_path, slug, content_type_id), or None if not public
    known_pages: dict = field(default_factory=dict)
    # page id -> (url_path, slug, content_type_id, id) of its public version in this language
    known_versions: dict = field(default_factory=dict)

    def __post_init__(self):
        self.language = self.language or default_language()
        # None: no site, or no home in this language: nothing is public
        self.home = next((home for home in self.homes if home.language == self.language), None)

    @classmethod
    def load(cls, language=None, hide_outdated=False, fallback=False):
        """The rule for `language` from the cached facts (see the class)."""
        facts = cache.get(VISIBILITY_CACHE_KEY)
        if facts is None:
            facts = cls.facts()
            cache.set(VISIBILITY_CACHE_KEY, facts, VISIBILITY_CACHE_SECONDS)
        return cls.of(facts, language, hide_outdated, fallback)

    @classmethod
    def compute(cls, language=None, hide_outdated=False, fallback=False):
        """Read straight from the database, bypassing the cache (for background work that runs
        while the cached facts may be being dropped)."""
        return cls.of(cls.facts(), language, hide_outdated, fallback)

    @classmethod
    def of(cls, facts, language=None, hide_outdated=False, fallback=False):
        facts = {
            **facts,
            "homes": tuple(
                home if isinstance(home, Home) else Home(*home) for home in facts["homes"]
            ),
            "medical_types": tuple(facts["medical_types"]),
        }
        language = language or default_language()
        standing_in = cls(**facts) if fallback and language != default_language() else None
        return cls(**facts, language=language, hide_outdated=hide_outdated, fallback=standing_in)

    def in_language(self, language, hide_outdated=False, fallback=False):
        """The rule for another language, from the same facts."""
        facts = {
            "site_id": self.site_id,
            "homes": self.homes,
            "restricted_paths": self.restricted_paths,
            "medical_types": self.medical_types,
        }
        return self.of(facts, language, hide_outdated, fallback)

    def representing(self, locale_id):
        """The rule a representation of a page in locale `locale_id` is built with (stored,
        or live when no stored copy can be used): its own language's, with the default
        language's pages standing in for linked pages that have no public translation."""
        return self.in_language(self.language_of(locale_id), fallback=True)

    def anywhere(self):
        """The rule for the pages of every language, each public by its own language's rule
        (what the change record keeps stored copies of)."""
        visibility = self.in_language(default_language())
        visibility.every_language = True
        return visibility

    def language_of(self, locale_id):
        """The language of a locale that has a home; else the default language."""
        home = next((home for home in self.homes if home.locale_id == locale_id), None)
        return home.language if home else default_language()

    @staticmethod
    def facts():
        rows = HOME_FACTS.rows(())
        homes = [
            (
                row["locale__language_code"],
                row["locale_id"],
                row["path"],
                row["url_path"],
                language_prefix(row["locale__language_code"]),
            )
            for row in rows
        ]
        return {
            "site_id": rows[0]["site_id"] if rows else None,
            "homes": homes,
            "restricted_paths": [row["page__path"] for row in RESTRICTED_PATHS.rows(())],
            "medical_types": medical_content_type_ids(),
        }

    @property
    def site_path(self):
        """The treebeard path of this language's home ('' when there is none)."""
        return self.home.path if self.home else ""

    @property
    def root_path(self):
        """The url_path of this language's home (e.g. '/clinic/')."""
        return self.home.url_path if self.home else "/"

    @property
    def locale_id(self):
        """This language's locale (its snippets' and campaigns' too, whether or not the website
        has a home in it yet)."""
        return self.home.locale_id if self.home else language_locale_id(self.language)

    @property
    def is_default_language(self):
        return self.language == default_language()

    def home_of(self, url_path):
        """The Home whose website `url_path` (a page's) is in, or None."""
        return next((home for home in self.homes if url_path.startswith(home.url_path)), None)

    def locate(self, path):
        """(language, url_path) of a path on the website: a language's prefix (e.g. /es/...)
        names its home, else the default language's; (default language, None) when there is
        no home."""
        home = next(
            (
                home
                for home in self.homes
                if home.prefix and (path == home.prefix or path.startswith(home.prefix + "/"))
            ),
            self.in_language(default_language()).home,
        )
        if home is None:
            return default_language(), None
        rest = path[len(home.prefix) :].strip("/")
        return home.language, home.url_path + rest + "/" if rest else home.url_path

    @property
    def key(self):
        """What shapes the SQL of the rule."""
        return (
            self.site_id,
            self.site_path,
            tuple(self.restricted_paths),
            self.medical_types if not self.is_default_language else (),
            self.hide_outdated,
            self.fallback.key if self.fallback else None,
            self.every_language,
        )

    def __eq__(self, other):
        return isinstance(other, Visibility) and self.key == other.key

    def __hash__(self):
        return hash(self.key)

    def own_rule(self, now):
        """The rule for this language's own pages, as a Q (None: nothing); with
        `every_language`, for the pages of every language, each by its own language's rule."""
        if self.every_language:
            rules = [self.in_language(home.language).own_rule(now) for home in self.homes]
            return functools.reduce(operator.or_, rules) if rules else None
        if self.home is None:
            return None
        rule = Q(live=True, expired=False, path__startswith=self.site_path) & (
            Q(expire_at__isnull=True) | Q(expire_at__gt=now)
        )
        for path in self.restricted_paths:
            rule &= ~Q(path__startswith=path)
        if not self.is_default_language:
            originals = self.in_language(default_language()).own_rule(now)
            if originals is None:
                return None
            # one index lookup per page (translation_key is indexed), not the list of every
            # public original's key (materialized per query: 10 ms at 2,100 items)
            rule &= Exists(
                Page.objects.filter(originals, translation_key=OuterRef("translation_key"))
            )
            # medical content: a translation reviewed (an alias, mirroring the source's text
            # unreviewed, has no record)
            rule &= ~Q(content_type_id__in=self.medical_types) | Exists(reviewed_translation())
            if self.hide_outdated:
                rule &= ~Exists(outdated_translation())
        return rule

    def rule(self, now):
        own = self.own_rule(now)
        stand_in = self.fallback.own_rule(now) if self.fallback else None
        if stand_in is None:
            return own
        if own is None:
            return stand_in
        translated = Page.objects.filter(own, translation_key=OuterRef("translation_key"))
        return own | (stand_in & ~Exists(translated))

    def pages(self, model=Page, now=None):
        """Live, not expired (by flag or by `expire_at` in the past, `now` by default the
        present), with no view restriction on them or an ancestor (any restriction shuts
        anonymous consumers out), under this language's home; in another language than the
        default, only while the default language's page it translates is public, medical
        content only as a translation whose review was recorded (never an alias), and not
        outdated with `hide_outdated`; with `fallback`, also the default language's pages that
        have no such page in this language."""
        queryset = model._default_manager.all()
        rule = self.rule(now or timezone.now())
        return queryset.none() if rule is None else queryset.filter(rule)

    def shows(self, page):
        """The same rule as `pages()`, for a page row already loaded (a related page that came
        joined to a link row): lets one query fetch links of several kinds and keep the public
        ones. tests/pages/test_selectors.py checks both answers agree on every page."""
        if self.own_shows(page):
            return True
        fallback = self.fallback
        return bool(
            fallback and fallback.own_shows(page) and page.translation_key not in self.translated
        )

    def own_shows(self, page):
        if self.every_language:
            return any(self.in_language(home.language).own_shows(page) for home in self.homes)
        if self.home is None or not page.live or page.expired:
            return False
        if page.expire_at is not None and page.expire_at <= timezone.now():
            return False
        if not page.path.startswith(self.site_path):
            return False
        if any(page.path.startswith(path) for path in self.restricted_paths):
            return False
        if self.is_default_language:
            return True
        if page.translation_key not in self.public_originals:
            return False
        if page.content_type_id in self.medical_types and page.pk not in self.reviewed:
            return False
        return not (self.hide_outdated and page.pk in self.outdated)

    @functools.cached_property
    def translated(self):
        """The translation keys of this language's own public pages (one query, once)."""
        own = self.own_rule(timezone.now())
        rows = Page.objects.filter(own) if own is not None else Page.objects.none()
        return set(rows.values_list("translation_key", flat=True))

    @functools.cached_property
    def public_originals(self):
        """The translation keys of the default language's public pages (one query, once)."""
        return self.in_language(default_language()).translated

    @functools.cached_property
    def reviewed(self):
        """Ids of this language's reviewed translations (one query, once)."""
        return self.own_ids_with(reviewed_translation())

    @functools.cached_property
    def outdated(self):
        """Ids of this language's outdated translations (one query, once)."""
        return self.own_ids_with(outdated_translation())

    def own_ids_with(self, record):
        """Ids of the pages in this language's home that have `record` (a subquery)."""
        rows = Page.objects.filter(path__startswith=self.site_path, locale_id=self.locale_id)
        return set(rows.filter(Exists(record)).values_list("pk", flat=True))

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

    def link_versions(self, page_ids):
        """{id: (url_path, slug, content_type_id, id of the page shown)} of what a link to each
        of `page_ids` shows: the page where public, else, in another language than the
        default, its public version in this language (a translation's rich text links the
        source's pages, as Translate copied it). One query for the pages not public that were
        not looked up before (two)."""
        found = {pk: (*facts, pk) for pk, facts in self.public_link_facts(page_ids).items()}
        if self.is_default_language or self.every_language or self.home is None:
            return found
        missing = {pk for pk in page_ids if pk not in found and pk not in self.known_versions}
        if missing:
            self.known_versions.update(dict.fromkeys(missing))
            sources = dict(Page.objects.filter(pk__in=missing).values_list("pk", "translation_key"))
            own = self.in_language(self.language, self.hide_outdated).pages()
            rows = own.filter(translation_key__in=set(sources.values())).values_list(
                "translation_key", "url_path", "slug", "content_type_id", "pk"
            )
            by_key = {key: tuple(facts) for key, *facts in rows}
            for pk, key in sources.items():
                self.known_versions[pk] = by_key.get(key)
        found.update(
            (pk, self.known_versions[pk]) for pk in page_ids if self.known_versions.get(pk)
        )
        return found

    def preload(self, page_ids):
        """Look up, in one query, every page a representation is about to link to."""
        self.public_url_paths(page_ids)


def forget_visibility(**kwargs):
    cache.delete(VISIBILITY_CACHE_KEY)
