"""A small random world of pages, some of them hidden from the public, for the leak property
(tests/api/test_leak_property.py).

`WorldSpec` describes the world as plain data (what hypothesis draws and shrinks; explicit
examples write it by hand); `build_world` turns it into pages on a frozen clock; `doors` lists
every request a consumer can make about it; `fetch` answers them; `delete_hidden` removes the
hidden pages, giving the world the public is allowed to know about (the oracle).

Every title, slug and summary is made of distinctive random tokens, so a hidden page's tokens
found in any response are a leak whatever the response's shape.
"""

import datetime
import json
import random
import re
from dataclasses import dataclass, field
from urllib.parse import unquote, urlencode

from django.contrib.auth.models import Group
from django.core.cache import cache
from django.test import TestCase
from django.utils import timezone

from wagtail.models import Locale, Page, PageViewRestriction
from wagtail.signal_handlers import disable_reference_index_auto_update

from api.channels import preview_tokens
from api.http.filters import filterset_for
from api.record import changes
from pages import translations
from pages.models import (
    Campaign,
    CampaignItem,
    CauseIndexPage,
    CausePage,
    ConditionCauseLink,
    ConditionIndexPage,
    ConditionPage,
    ConditionSymptomLink,
    ConditionTreatmentLink,
    PageReferenceLink,
    Reference,
    Reviewer,
    Symptom,
    TherapyIndexPage,
    TherapyPage,
    TherapyReliefLink,
    TreatmentIndexPage,
    TreatmentPage,
)
from pages.selectors import Visibility
from pages.signals import bulk_loading
from shapes import registry
from shapes.relations import expandable
from tests.sizes import sized
from webhooks.models import Endpoint, Event

KINDS = ("condition", "cause", "treatment", "therapy")
MODELS = {
    "condition": ConditionPage,
    "cause": CausePage,
    "treatment": TreatmentPage,
    "therapy": TherapyPage,
}
INDEX_MODELS = {
    "condition": ConditionIndexPage,
    "cause": CauseIndexPage,
    "treatment": TreatmentIndexPage,
    "therapy": TherapyIndexPage,
}
INDEX_SLUGS = {"condition": "conditions", "cause": "causes", "treatment": "treatments",
               "therapy": "therapies"}  # fmt: skip

# What happens to a content page after it was built. The first two leave it public.
PUBLIC_FATES = ("public", "public_with_draft")
HIDDEN_FATES = (
    "draft",  # created with live=False, never published
    "unpublished",  # published, then unpublished
    "expired_flag",  # expired=True (as scheduled unpublishing leaves it), still live
    "expired_date",  # expire_at passed, the flag not set yet (the worker has not run)
    "login",  # a login view restriction on the page
    "password",  # a password view restriction on the page
    "groups",  # a group view restriction on the page
)
FATES = PUBLIC_FATES + HIDDEN_FATES
# An index page is public or restricted (which hides its whole section).
INDEX_FATES = ("public", "login", "password")
REVIEWS = ("current", "due_soon", "overdue", "unreviewed")
CATEGORIES = tuple(TreatmentPage.Category.values)
# Words shared by summaries, so searches match several pages and rank them.
VOCABULARY = ("nerve", "burning", "tingling", "numbness")
SYMPTOM_COUNT = 2
# What happens to a medical snippet (a symptom, a reference) after it was built: the first two
# leave it public (pages.selectors.snippet_is_public).
SNIPPET_PUBLIC_FATES = ("public", "public_with_draft")
SNIPPET_HIDDEN_FATES = (
    "draft",  # created with live=False, never published
    "unpublished",  # published, then unpublished
    "expired_date",  # expire_at passed, still live (the worker has not run)
)
SNIPPET_FATES = SNIPPET_PUBLIC_FATES + SNIPPET_HIDDEN_FATES
# A Spanish translation: a draft awaiting review, one reviewed and published, one reviewed and
# published whose source was published again since. No door serves a translation yet (only
# the default locale's tree is in the site), so every one is hidden.
TRANSLATION_FATES = ("draft", "reviewed", "outdated")

HOSTILE_TEXT = " \x0b</script><script>alert(1)</script>\x01<img src=x onerror=alert(2)>"

# The clock: built at T0, fates at T1, requests at T2, the oracle's deletions at T3.
T0 = datetime.datetime(2026, 3, 10, 9, 0, tzinfo=datetime.UTC)
T1 = T0 + datetime.timedelta(hours=1)
T2 = T0 + datetime.timedelta(hours=2)
T3 = T0 + datetime.timedelta(hours=3)
EXPIRE_AT = T0 + datetime.timedelta(minutes=30)  # passed by T1
UPDATED_SINCE = (
    T0 - datetime.timedelta(days=1),
    T0,
    T1,
    T2,
    T2 + datetime.timedelta(minutes=30),  # only the oracle's deletions (at T3) come later
)


@dataclass(frozen=True)
class PageSpec:
    fate: str = "public"
    renamed: bool = False  # slug changed (and published) before the fate: an old path redirects
    review: str = "current"
    category: str = "medication"  # treatments only
    words: tuple = ()  # VOCABULARY words in the summary


@dataclass(frozen=True)
class WorldSpec:
    """Pages per kind, their fates and the links between them. Links name pages by
    (kind, position in that kind's tuple); body links may also point at ("index", kind)."""

    conditions: tuple = ()
    causes: tuple = ()
    treatments: tuple = ()
    therapies: tuple = ()
    index_fates: tuple = ("public", "public", "public", "public")  # in KINDS order
    cause_links: frozenset = frozenset()  # (condition i, cause j)
    treatment_links: frozenset = frozenset()  # (condition i, treatment j)
    relief_links: frozenset = frozenset()  # (therapy i, "condition" | "cause", j)
    symptom_links: frozenset = frozenset()  # (condition i, symptom k)
    symptom_fates: tuple = ("public",) * SYMPTOM_COUNT
    reference_fates: tuple = ()  # one reference per fate
    reference_links: frozenset = frozenset()  # ((kind, i), reference k)
    approach_causes: frozenset = frozenset()  # (condition i, cause j): a treatment step
    body_links: frozenset = frozenset()  # ((kind, i), (kind | "index", j | kind))
    translations: frozenset = frozenset()  # ((kind, i), one of TRANSLATION_FATES)
    search_text: str = ""
    seed: int = 0
    # Stored-text fate: every page's title and summary carry text as Word, an import or an
    # attacker leaves it (pages/text_safety.py cleans it on the way in; the doors must cope).
    hostile_text: bool = False

    def specs(self, kind):
        return getattr(self, f"{kind}s" if kind != "therapy" else "therapies")


@dataclass
class World:
    spec: WorldSpec
    home: Page
    pages: dict = field(default_factory=dict)  # (kind, i) -> specific page
    translations: dict = field(default_factory=dict)  # (kind, i) -> its Spanish translation
    other_locale_ids: set = field(default_factory=set)  # every page outside the default locale
    never_public: set = field(default_factory=set)  # translations never public
    indexes: dict = field(default_factory=dict)  # kind -> index page
    old_slugs: dict = field(default_factory=dict)  # (kind, i) -> slug before the rename
    hidden_ids: set = field(default_factory=set)
    secrets: dict = field(default_factory=dict)  # lowercase text -> what it is
    secret_titles: dict = field(default_factory=dict)  # page id -> hidden or draft title words
    restrictions: list = field(default_factory=list)  # (restriction id, page id, type)
    symptom_slugs: list = field(default_factory=list)
    snippets: list = field(default_factory=list)  # (symptom or reference, its fate)
    translated_snippets: list = field(default_factory=list)  # Spanish, published: not served
    previews: dict = field(default_factory=dict)  # a preview door -> the page its token shows
    expired_campaign: object = None  # a campaign past its expire_at (the worker has not run)

    def kind_slugs(self, kind):
        """Every slug a page of `kind` has or had, hidden or not."""
        slugs = [self.pages[key].slug for key in self.pages if key[0] == kind]
        slugs += [page.slug for key, page in self.translations.items() if key[0] == kind]
        return slugs + [slug for key, slug in self.old_slugs.items() if key[0] == kind]

    def site_path(self, url_path):
        return url_path[len(self.home.url_path) - 1 :]

    def paths(self):
        """Website paths: the home page, the sections, every page's path and old path."""
        paths = ["/"] + [self.site_path(index.url_path) for index in self.indexes.values()]
        for key, page in self.pages.items():
            paths.append(self.site_path(page.url_path))
            if key in self.old_slugs:
                paths.append(f"/{INDEX_SLUGS[key[0]]}/{self.old_slugs[key]}/")
        for key, page in self.translations.items():
            paths += [page.url_path, f"/{INDEX_SLUGS[key[0]]}/{page.slug}/"]
        return paths

    def spanish_paths(self):
        """Website paths in Spanish: the home page, the sections, each translated page's
        English path under /es/ (where its translation is not public, the English page stands
        in) and each translation's own path."""
        paths = [
            "/es/",
            *(f"/es{self.site_path(index.url_path)}" for index in self.indexes.values()),
        ]
        spanish_home = Page.objects.filter(
            translation_key=self.home.translation_key, locale__language_code="es"
        ).first()
        for key, page in self.translations.items():
            paths.append(f"/es{self.site_path(self.pages[key].url_path)}")
            if spanish_home is not None:
                paths.append("/es" + page.url_path[len(spanish_home.url_path) - 1 :])
        return paths


TOKEN = re.compile(r"q[bcdfghjklmnpqrstvwxz]{8}x")


class Tokens:
    """Distinctive random lowercase tokens: no English word, none a part of another."""

    LETTERS = "bcdfghjklmnpqrstvwxz"

    def __init__(self, seed):
        self.rng = random.Random(seed)  # noqa: S311 - test data, not secrets
        self.used = set()

    def __call__(self):
        while True:
            token = "q" + "".join(self.rng.choice(self.LETTERS) for _ in range(8)) + "x"
            if token not in self.used:
                self.used.add(token)
                return token


def review_dates(review, today):
    """(last_reviewed, next_review_due) giving `review` as the review status on `today`."""
    last = today - datetime.timedelta(days=400)
    due = {
        "current": today + datetime.timedelta(days=200),
        "due_soon": today + datetime.timedelta(days=10),
        "overdue": today - datetime.timedelta(days=10),
        "unreviewed": None,
    }[review]
    return (last if due else None), due


def on_commit():
    """Run what Wagtail defers to the commit (slug-change signals, redirects) right away: the
    test's transaction never commits."""
    return TestCase.captureOnCommitCallbacks(execute=True)


def publish(page):
    """Publish `page` as an editor would, then reload it: publishing saves the revision's copy,
    and a stale instance saved later would write old values back."""
    with on_commit():
        page.save_revision().publish()
    page.refresh_from_db()


def build_world(spec, home, freezer):
    """The pages of `spec` under `home`, built at T0, their fates applied at T1; the clock is
    left at T2. Wagtail's reference index (the admin's usage counts, no door of the API) is
    not kept up to date: it was a third of the time."""
    with disable_reference_index_auto_update():
        return _build_world(spec, home, freezer)


def _build_world(spec, home, freezer):
    freezer.move_to(T0)
    tokens = Tokens(spec.seed)
    world = World(spec=spec, home=home)
    # the webhook door: every event the world's changes send (webhook_problems)
    Endpoint.objects.create(url="http://127.0.0.1:9/every-event")
    today = timezone.localdate()
    reviewer = Reviewer.objects.create(name=f"Dr {tokens()}", kind="person", credentials="MD")
    symptoms = [
        make_snippet(world, Symptom(name=tokens(), slug=tokens(), description=tokens()), fate)
        for fate in spec.symptom_fates
    ]
    world.symptom_slugs = [symptom.slug for symptom in symptoms]
    references = [
        make_snippet(
            world,
            Reference(
                authors=f"{tokens().title()} A",
                title=tokens(),
                year=2020,
                doi=f"10.1234/{tokens()}",
            ),
            fate,
        )
        for fate in spec.reference_fates
    ]

    for kind in KINDS:
        index = INDEX_MODELS[kind](title=f"Section {tokens()}", slug=INDEX_SLUGS[kind])
        home.add_child(instance=index)
        publish(index)
        world.indexes[kind] = index

    def make(kind, i, page_spec, **extra):
        last, due = review_dates(page_spec.review, today)
        hostile = HOSTILE_TEXT if spec.hostile_text else ""
        page = MODELS[kind](
            title=f"{tokens().title()} {tokens().title()}{hostile}",
            slug=tokens(),
            summary=" ".join([tokens(), *page_spec.words]) + hostile,
            reviewed_by=reviewer if last else None,
            last_reviewed=last,
            next_review_due=due,
            live=page_spec.fate != "draft",
            expire_at=EXPIRE_AT if page_spec.fate == "expired_date" else None,
            **extra,
        )
        return page

    def add(kind, i, page):
        cited = sorted(k for key, k in spec.reference_links if key == (kind, i))
        page.reference_links = [
            PageReferenceLink(reference=references[k], sort_order=n) for n, k in enumerate(cited)
        ]
        world.indexes[kind].add_child(instance=page)
        if spec.specs(kind)[i].fate == "draft":
            page.save_revision()
        else:
            publish(page)
        world.pages[(kind, i)] = page

    for kind in ("cause", "treatment"):
        for i, page_spec in enumerate(spec.specs(kind)):
            extra = {"category": page_spec.category} if kind == "treatment" else {}
            add(kind, i, make(kind, i, page_spec, **extra))

    for i, page_spec in enumerate(spec.conditions):
        page = make("condition", i, page_spec, symptoms_overview=tokens())
        for n, (_, j) in enumerate(sorted(link for link in spec.cause_links if link[0] == i)):
            page.cause_links.add(
                ConditionCauseLink(
                    cause=world.pages[("cause", j)], is_most_common=n == 0, sort_order=n
                )
            )
        for n, (_, j) in enumerate(sorted(link for link in spec.treatment_links if link[0] == i)):
            page.treatment_links.add(
                ConditionTreatmentLink(
                    treatment=world.pages[("treatment", j)], note="for the pain", sort_order=n
                )
            )
        for n, (_, k) in enumerate(sorted(link for link in spec.symptom_links if link[0] == i)):
            page.symptom_links.add(ConditionSymptomLink(symptom=symptoms[k], sort_order=n))
        step_causes = [
            world.pages[("cause", j)].pk
            for _, j in sorted(link for link in spec.approach_causes if link[0] == i)
        ]
        if step_causes:
            page.treatment_approach = [
                {
                    "type": "step",
                    "value": {
                        "aim": "underlying-cause",
                        "heading": "Treat the underlying cause",
                        "description": "",
                        "causes": step_causes,
                        "symptoms": [],
                    },
                }
            ]
        add("condition", i, page)

    for i, page_spec in enumerate(spec.therapies):
        page = make("therapy", i, page_spec, provider_name="Test Clinic")
        targets = sorted(link for link in spec.relief_links if link[0] == i)
        for n, (_, kind, j) in enumerate(targets):
            page.relief_links.add(
                TherapyReliefLink(target=world.pages[(kind, j)], label="", sort_order=n)
            )
        add("therapy", i, page)

    # Rich-text links need the ids of pages built after the page that links: a second revision.
    sources = sorted({source for source, _ in spec.body_links})
    for source in sources:
        page = world.pages[source]
        anchors = []
        for _, (kind, j) in sorted(link for link in spec.body_links if link[0] == source):
            target = world.indexes[j] if kind == "index" else world.pages[(kind, j)]
            anchors.append(f'<a linktype="page" id="{target.pk}">related reading</a>')
        html = f"<p>See {', '.join(anchors)}.</p>"
        page.body = [{"type": "paragraph", "value": html}]
        if source[0] == "therapy":
            page.what_to_expect = html
        if source[0] == "treatment":
            page.how_it_works = html
        if spec.specs(source[0])[source[1]].fate == "draft":
            page.save_revision()
        else:
            publish(page)

    world.expired_campaign = publish_campaign(
        world, tokens(), expire_at=EXPIRE_AT, name=tokens(), subject=tokens()
    )
    for text in (world.expired_campaign.slug, *world.expired_campaign.name.split()):
        world.secrets[text] = f"text of campaign {world.expired_campaign.pk}, expired by date"
    world.secrets[world.expired_campaign.subject] = "subject of a campaign expired by date"

    freezer.move_to(T1)
    for key, page in world.pages.items():
        page_spec = world.spec.specs(key[0])[key[1]]
        if page_spec.renamed and page_spec.fate != "draft":
            world.old_slugs[key] = page.slug
            page.slug = tokens()
            publish(page)
    campaign = publish_campaign(world, CAMPAIGN)
    translate_snippets(world, [campaign, *(snippet for snippet, _ in world.snippets)], tokens)
    for key, fate in sorted(spec.translations):
        translate(world, key, fate, reviewer, tokens)
    for key, page in world.pages.items():
        apply_fate(world, page, world.spec.specs(key[0])[key[1]].fate, tokens)
    for snippet, fate in world.snippets:
        apply_snippet_fate(world, snippet, fate, tokens)
    for kind, fate in zip(KINDS, spec.index_fates, strict=True):
        if fate != "public":
            restrict(world, world.indexes[kind], fate, tokens)

    # The worker's round: the change record catches up with what changed without a signal
    # (an expiry date passing, the expired flag written directly). It may lag one round
    # (docs/architecture.md, "The change record"); `updated_since` is compared once it has
    # caught up.
    changes.refresh(everything=True)
    find_hidden(world)
    freezer.move_to(T2)
    cache.clear()
    return world


def translate(world, key, fate, reviewer, tokens):
    """A Spanish translation of world.pages[key] (before the source's fate), with texts of its
    own: a draft, or reviewed and published; "outdated": its source published again since."""
    source = world.pages[key]
    spanish = Locale.objects.get(language_code="es")
    with on_commit():
        page = translations.copy_page(source, spanish)
    page.title = f"{tokens().title()} {tokens().title()}"
    page.slug = tokens()
    page.summary = tokens()
    if fate == "draft":
        page.save_revision()
    else:
        today = timezone.localdate()
        last, due = review_dates("current", today)
        type(page).objects.filter(pk=page.pk).update(
            reviewed_by=reviewer, last_reviewed=last, next_review_due=due
        )
        translations.record_review(page)  # as the approval records it, before publishing
        publish(page)
        if fate == "outdated" and source.live:
            publish(source)
    world.translations[key] = page


def translate_snippets(world, sources, tokens):
    """A Spanish translation of the campaign and of the first symptom and reference, published
    but never reviewed (no review recorded), keeping the source's slug (slugs are unique per
    language): no door serves them, and the English slug still means the English one."""
    spanish = Locale.objects.get(language_code="es")
    firsts = {}
    for source in sources:
        firsts.setdefault(type(source), source)
    for source in firsts.values():
        copy = source.copy_for_translation(spanish)
        texts = {
            Campaign: ("name", "subject"),
            Symptom: ("name", "description"),
            Reference: ("title",),
        }[type(source)]
        for name in texts:
            setattr(copy, name, tokens())
            world.secrets[getattr(copy, name)] = (
                f"text of a Spanish {type(source).__name__}, a draft"
            )
        if isinstance(copy, Reference):
            copy.doi = f"10.1234/{tokens()}"
        with on_commit():
            copy.save()
            copy.save_revision().publish()
        world.translated_snippets.append(copy)


def make_snippet(world, snippet, fate):
    """`snippet` saved at T0: a draft never published, or published (and expiring, for
    expired_date); apply_snippet_fate does the rest at T1."""
    snippet.live = fate != "draft"
    snippet.expire_at = EXPIRE_AT if fate == "expired_date" else None
    with on_commit():
        snippet.save()
        revision = snippet.save_revision()
        if fate != "draft":
            revision.publish()
    snippet.refresh_from_db()
    world.snippets.append((snippet, fate))
    return snippet


def snippet_texts(snippet):
    """The distinctive texts a symptom or reference shows."""
    if isinstance(snippet, Symptom):
        return [snippet.name, snippet.slug, snippet.description]
    return [snippet.title, snippet.authors.split()[0].lower(), snippet.doi.split("/")[1]]


def apply_snippet_fate(world, snippet, fate, tokens):
    kind = type(snippet).__name__.lower()
    if fate == "public_with_draft":  # a draft edit, not yet approved: not public
        draft = tokens()
        if isinstance(snippet, Symptom):
            snippet.name = draft
        else:
            snippet.title = draft
        snippet.save_revision()
        world.secrets[draft] = f"draft text of public {kind} {snippet.pk}"
        snippet.refresh_from_db()
    elif fate == "unpublished":
        with on_commit():
            snippet.unpublish()
        snippet.refresh_from_db()
    if fate in SNIPPET_HIDDEN_FATES:
        label = "draft" if fate == "draft" else "hidden"  # a draft was never public
        for text in snippet_texts(snippet):
            world.secrets[text.lower()] = f"text of {label} {kind} {snippet.pk}"


CAMPAIGN = "every-page"


def publish_campaign(world, slug, name="Every page", subject="All of it", expire_at=None):
    """A campaign (pages/models/campaigns.py) naming every page that is public before the
    fates, each with a teaser: published now, so the fates hide some of its items later (the
    oracle's deletions take those items with their pages). With `expire_at`: one that expires
    (at EXPIRE_AT, before the doors are asked) while still live, hidden as an expired page is."""
    campaign = Campaign(name=name, slug=slug, subject=subject, live=False, expire_at=expire_at)
    public = set(Visibility.compute().pages().values_list("pk", flat=True))
    published = [page for page in world.pages.values() if page.pk in public]
    campaign.items = [
        CampaignItem(page=page, teaser_summary=f"Teaser {n}", sort_order=n)
        for n, page in enumerate(published)
    ]
    campaign.save()
    with on_commit():
        campaign.save_revision().publish()
    return campaign


def restrict(world, page, restriction_type, tokens):
    restriction = PageViewRestriction.objects.create(
        page=page,
        restriction_type=restriction_type,
        password=f"pw-{tokens()}" if restriction_type == "password" else "",
    )
    if restriction_type == "groups":
        restriction.groups.add(Group.objects.create(name=f"group-{tokens()}"))
    world.restrictions.append((restriction.pk, page.pk, restriction_type))


def apply_fate(world, page, fate, tokens):
    model = type(page)
    if fate == "public_with_draft":  # the draft's title and summary are not public
        page.title = f"{tokens().title()} {tokens().title()}"
        page.summary = tokens()
        page.save_revision()
        words = [word.lower() for word in page.title.split()]
        world.secrets.update(dict.fromkeys(words, f"draft title of public page {page.pk}"))
        world.secret_titles[page.pk] = words
        world.secrets[page.summary] = f"draft summary of public page {page.pk}"
        page.refresh_from_db()
    elif fate == "unpublished":
        with on_commit():
            page.unpublish()
        page.refresh_from_db()
    elif fate == "expired_flag":
        model.objects.filter(pk=page.pk).update(expired=True)
    elif fate in ("login", "password", "groups"):
        restrict(world, page, fate, tokens)


def title_tokens(title):
    """The random tokens of a page's title (not the hostile text a stored-text fate adds)."""
    return [word.lower() for word in title.split() if TOKEN.fullmatch(word.lower())]


def find_hidden(world):
    """The pages the public may not know about, by the world's own bookkeeping (not by asking
    the code under test), and the texts that would betray them."""
    for key, page in world.pages.items():
        kind, i = key
        section_hidden = world.spec.index_fates[KINDS.index(kind)] != "public"
        if world.spec.specs(kind)[i].fate in HIDDEN_FATES or section_hidden:
            world.hidden_ids.add(page.pk)
            what = f"hidden {kind} {page.pk}"
            world.secret_titles[page.pk] = title_tokens(page.title)
            for word in world.secret_titles[page.pk]:
                world.secrets[word] = f"title of {what}"
            world.secrets[page.slug] = f"slug of {what}"
            world.secrets[page.summary.split()[0]] = f"summary of {what}"
            if key in world.old_slugs:
                world.secrets[world.old_slugs[key]] = f"old slug of {what}"
    # A translation is public while reviewed (published through the review) and its source is
    # public too; the Spanish home and sections (aliases) while what they mirror is.
    fates = dict(world.spec.translations)
    for key, page in world.translations.items():
        source = world.pages[key]
        if fates[key] == "draft" or source.pk in world.hidden_ids:
            world.hidden_ids.add(page.pk)
            # never public: a draft, or made when its source was not public (its own draft,
            # or past its expiry date by then)
            if fates[key] == "draft" or world.spec.specs(key[0])[key[1]].fate in (
                "draft",
                "expired_date",
            ):
                world.never_public.add(page.pk)
            what = f"hidden translation {page.pk} ({fates[key]})"
            for word in title_tokens(page.title):
                world.secrets[word] = f"title of {what}"
            world.secrets[page.slug] = f"slug of {what}"
            world.secrets[page.summary] = f"summary of {what}"
    hidden_indexes = {
        index.pk
        for kind, index in world.indexes.items()
        if world.spec.index_fates[KINDS.index(kind)] != "public"
    }
    world.other_locale_ids = set(
        Page.objects.exclude(locale=world.home.locale_id).values_list("pk", flat=True)
    )
    aliases = Page.objects.filter(pk__in=world.other_locale_ids, alias_of__in=hidden_indexes)
    world.hidden_ids |= set(aliases.values_list("pk", flat=True))
    for kind, index in world.indexes.items():
        if world.spec.index_fates[KINDS.index(kind)] != "public":
            world.hidden_ids.add(index.pk)
            for word in index.title.split()[1:]:
                world.secrets[word.lower()] = f"title of hidden section {index.pk}"


def delete_hidden(world, freezer):
    """Delete the hidden pages (and, first, the link rows that protect them), at T3; the clock
    goes back to T2 and the cache is emptied, ready to answer the same doors again."""
    freezer.move_to(T3)
    hidden = set(world.hidden_ids)
    for page in Page.objects.filter(pk__in=list(hidden)):
        hidden |= set(page.get_descendants().values_list("pk", flat=True))
    hidden_snippets = [s for s, fate in world.snippets if fate in SNIPPET_HIDDEN_FATES]
    with on_commit():
        for snippet in hidden_snippets:
            if isinstance(snippet, Symptom):
                ConditionSymptomLink.objects.filter(symptom=snippet).delete()
            else:
                PageReferenceLink.objects.filter(reference=snippet).delete()
            snippet.delete()
    with on_commit():
        world.expired_campaign.delete()
        for snippet in world.translated_snippets:
            snippet.delete()
    ConditionCauseLink.objects.filter(cause_id__in=hidden).delete()
    ConditionTreatmentLink.objects.filter(treatment_id__in=hidden).delete()
    TherapyReliefLink.objects.filter(target_id__in=hidden).delete()
    # The cascade deletes a page's view restriction before the page: tracked one by one, the
    # change record would briefly see a private page as public (and stamp the pages linking to
    # it as changed). Track the deletions once, when they are all done.
    with on_commit(), bulk_loading(), disable_reference_index_auto_update():
        for page in Page.objects.filter(pk__in=hidden).order_by("path"):
            if not Page.objects.filter(pk=page.pk).exists():
                continue  # went with a deleted ancestor
            page.specific.delete()
    with on_commit():
        changes.queue_refresh(page_ids=hidden)
    freezer.move_to(T2)
    cache.clear()


def webhook_problems(world, after=None):
    """What the webhook events (the outbox) give away: a never-public draft's text in any
    event; an event about a page never public; a hidden page whose last event does not say it
    left the public, a public page whose last event says it did. With `after` (a moment): any
    event since then about a hidden page (deleting what is hidden sends nothing)."""
    events = [(event, json.loads(event.body)) for event in Event.objects.order_by("pk")]
    problems = []
    drafts = {secret: what for secret, what in world.secrets.items() if "draft" in what}
    never_public = {
        page.pk
        for key, page in world.pages.items()
        if world.spec.specs(key[0])[key[1]].fate == "draft"
    } | world.never_public
    last = {}
    for event, body in events:
        text = event.body.lower()
        problems += [
            f"webhook {body['type']} shows the {what}" for s, what in drafts.items() if s in text
        ]
        data = body["data"]
        if body["data"].get("type") == "campaign":
            continue
        if data["id"] in never_public:
            problems.append(f"webhook {body['type']} about page {data['id']}, never public")
        if after is not None and event.created_at > after and data["id"] in world.hidden_ids:
            problems.append(f"webhook {body['type']} about hidden page {data['id']} after {after}")
        if after is None or event.created_at <= after:
            last[data["id"]] = body["type"]
    if after is None:
        gone = {"page.unpublished", "page.deleted"}
        for page in [*world.pages.values(), *world.translations.values()]:
            kind = last.get(page.pk)
            if page.pk in world.hidden_ids and page.pk not in never_public and kind not in gone:
                problems.append(f"hidden page {page.pk}: its last webhook is {kind}, not a goodbye")
            if page.pk not in world.hidden_ids and kind in gone:
                problems.append(f"public page {page.pk}: its last webhook is {kind}")
    return problems


# Doors ------------------------------------------------------------------------------------

SLUG_FILTER_KINDS = {
    "cause": ("cause",),
    "treatment": ("treatment",),
    "therapy": ("therapy",),
    "condition": ("condition", "cause"),  # a therapy's `relieves` holds causes too
}


def iso(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def filter_values(world, name):
    if name in SLUG_FILTER_KINDS:
        return [slug for kind in SLUG_FILTER_KINDS[name] for slug in world.kind_slugs(kind)]
    if name == "symptom":
        return list(world.symptom_slugs)
    if name == "category":
        return list(CATEGORIES)
    if name == "review_status":
        return list(REVIEWS)
    if name == "updated_since":
        return [iso(moment) for moment in UPDATED_SINCE]
    raise AssertionError(f"The leak property does not know the filter {name!r}: add its values.")


def query(endpoint, **params):
    return f"{endpoint}?{urlencode(params)}" if params else endpoint


def doors(world):
    """Every GET a consumer can send about this world: every collection list with every filter
    (hidden and public slugs), searches, details of every slug a page has or had (and their
    email renditions), expansions, sparse fieldsets, feeds, path lookups, and the website
    routes."""
    requests = []
    words = [*VOCABULARY, *(w for w in world.spec.search_text.split() if w)]
    title_words = {kind: set() for kind in KINDS}  # a word of each title, hidden or draft
    for (kind, _), page in world.pages.items():
        title_words[kind].add(page.title.split()[0].lower())
        title_words[kind].update(world.secret_titles.get(page.pk, ()))
    all_title_words = sorted(set().union(*title_words.values()))
    for kind in KINDS:
        model = MODELS[kind]
        base = f"/api/v1/{registry.of(model).collection}/"
        relations = sorted(expandable(model))
        requests += [
            query(base, limit=100),
            query(base, limit=2),
            query(base, limit=100, ordering="-last_published_at"),
        ]
        if relations:
            requests.append(query(base, limit=100, expand=",".join(relations)))
            requests.append(query(base, limit=100, fields=",".join(["title", *relations])))
            requests += [query(base, limit=100, expand=name) for name in relations[1:]]
        for name in sorted(filterset_for(model).base_filters):
            for value in filter_values(world, name):
                requests.append(query(base, limit=100, **{name: value}))
        for word in [*words, *sorted(title_words[kind])]:
            requests.append(query(base, limit=100, search=word))
        requests.append(query(base, limit=100, channel="app"))
        feeds = f"/api/v1/feeds/{registry.of(model).collection}"
        requests += [f"{feeds}.rss", f"{feeds}.atom"]  # api/channels/feeds.py
        slugs = world.kind_slugs(kind) + ["never-existed-" + kind]
        for slug in slugs:
            detail = f"{base}{slug}/"
            requests.append(detail)
            requests.append(query(detail, channel="app"))
            requests.append(f"{detail}email/")  # api/channels/email.py
            if relations:
                requests.append(query(detail, expand=",".join(relations)))
                requests.append(query(detail, fields=",".join(["title", *relations])))
    for word in [*words, *all_title_words]:
        requests.append(query("/api/v1/search/", q=word, limit=100))
        requests.append(query("/api/v1/search/", q=word, limit=100, channel="app"))
        requests.append(query("/api/v1/search/", q=word, type="condition", fields="title"))
    if world.spec.search_text.strip():
        requests.append(query("/api/v1/search/", q=world.spec.search_text))
    for path in world.paths():
        requests.append(query("/api/v1/pages/", path=path))
        requests.append(query("/api/v1/pages/", path=path, channel="app"))
        requests.append(path)  # the website route
    # in Spanish: reviewed translations, the default language standing in for the others: the
    # doors of the translated pages (the English doors above already ask about every page)
    translated_words = sorted(
        {word for page in world.translations.values() for word in title_tokens(page.title)}
    )
    for kind in KINDS:
        model = MODELS[kind]
        base = f"/api/v1/{registry.of(model).collection}/"
        relations = sorted(expandable(model))
        requests += [
            query(base, limit=100, locale="es"),
            query(base, limit=100, locale="es", channel="app"),
        ]
        if relations:
            requests.append(query(base, limit=100, locale="es", expand=",".join(relations)))
        translated = [key for key in world.translations if key[0] == kind]
        # the translations' slugs and their sources' (in the heavy pass, one more: an
        # untranslated page's, answered by the stand-in or as unknown)
        slugs = [
            *(world.translations[key].slug for key in translated),
            *(world.pages[key].slug for key in translated),
            *sized([], [page.slug for key, page in world.pages.items() if key[0] == kind][:1]),
        ]
        for slug in [*slugs, "never-existed-" + kind]:
            requests.append(query(f"{base}{slug}/", locale="es"))
            requests.append(query(f"{base}{slug}/email/", locale="es"))
        requests += [query(base, search=word, locale="es") for word in translated_words]
    for path in world.spanish_paths():
        requests.append(query("/api/v1/pages/", path=path))
    for word in [*words[:1], *translated_words]:
        requests.append(query("/api/v1/search/", q=word, limit=100, locale="es"))
    requests.append(query(SYNC, limit=100, locale="es"))
    requests += [query("/api/v1/sitemap/", locale="es"), query("/api/v1/navigation/", locale="es")]
    requests += [query(f"/api/v1/feeds/{INDEX_SLUGS[kind]}.rss", locale="es") for kind in KINDS]
    # the website's structure: sections page their items (api/channels/site.py)
    for index in world.indexes.values():
        section = world.site_path(index.url_path)
        requests.append(query("/api/v1/pages/", path=section, limit=1, offset=1))
    requests += ["/api/v1/navigation/", "/api/v1/sitemap/", query("/api/v1/sitemap/", limit=3)]
    requests += ["/api/v1/symptoms/", query("/api/v1/symptoms/", limit=1, offset=1)]
    requests.append(query("/api/v1/symptoms/", locale="es"))
    for restriction_id, page_id, kind in world.restrictions:
        if kind == "password":
            requests.append(f"/_util/authenticate_with_password/{restriction_id}/{page_id}/")
    # previews of the public pages (a token shows its own page's draft, api/views/preview.py;
    # what that links to must follow the rule like everything else)
    for page in world.pages.values():
        if page.pk not in world.hidden_ids:
            token = preview_tokens.mint(page.pk)[0]
            paths = [query("/api/v1/preview/", token=token, channel=c) for c in ("web", "app")]
            paths.append(query("/api/v1/preview/email/", token=token))
            world.previews.update(dict.fromkeys(paths, page.pk))
            requests += paths
    # campaigns: the list, each campaign's email and feed (api/views/campaigns.py)
    requests.append("/api/v1/campaigns/")
    for slug in (CAMPAIGN, world.expired_campaign.slug):
        requests += [f"/api/v1/campaigns/{slug}/", f"/api/v1/feeds/campaigns/{slug}.rss"]
    # in Spanish: the campaign's translation was never reviewed, so served nowhere
    requests.append(query("/api/v1/campaigns/", locale="es"))
    requests += [
        query(f"/api/v1/campaigns/{CAMPAIGN}/", locale="es"),
        query(f"/api/v1/feeds/campaigns/{CAMPAIGN}.rss", locale="es"),
    ]
    # a first sync: every public item, by pages and by type (api/channels/sync.py)
    requests += [query(SYNC, limit=100), query(SYNC, limit=100, channel="web")]
    requests += [query(SYNC, types=INDEX_SLUGS[kind], limit=100) for kind in KINDS]
    return list(dict.fromkeys(requests))


SYNC = "/api/v1/sync/"
# A sync cursor (and so the ETag) numbers the changes made, and items come in the order they
# changed: the oracle's deletions of hidden pages add changes (tombstones of those that were
# public, new copies of the pages that showed them), so it numbers and orders them otherwise.
# What a response shows must match, in any order (the worlds fit in one page of 100).


# Answers ----------------------------------------------------------------------------------

HEADERS = (
    "Content-Type",
    "Content-Language",
    "ETag",
    "Surrogate-Key",
    "Cache-Tag",
    "Location",
    "Cache-Control",
)
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


@dataclass(frozen=True)
class Answer:
    status: int
    body: str
    headers: tuple  # ((name, value or None), ...) for HEADERS
    # a JSON answer's bytes as sent hold "</script" (JSON-LD inlined as sent would end early)
    ends_a_script: bool = False

    def header(self, name):
        return dict(self.headers)[name]

    def text(self):
        return " ".join([self.body, *(value or "" for _, value in self.headers)])


def fetch(client, requests):
    answers = {}
    for path in requests:
        response = client.get(path)
        body = response.content.decode("utf-8", "replace")
        body = CSRF.sub('name="csrfmiddlewaretoken" value="(token)"', body)
        headers = tuple((name, response.get(name)) for name in HEADERS)
        json_answer = "json" in (response.get("Content-Type") or "")
        ends_a_script = json_answer and b"</script" in response.content.lower()
        if path.startswith(SYNC) and response.status_code == 200:
            data = response.json()
            for name in ("items", "deleted"):
                data[name] = sorted(data[name], key=lambda item: (item["type"], item["id"]))
            data["next_cursor"] = "(cursor)"
            body = json.dumps(data, sort_keys=True)
            headers = tuple((name, "(sync)" if name == "ETag" else v) for name, v in headers)
        answers[path] = Answer(response.status_code, body, headers, ends_a_script)
    return answers


def leaked_secrets(world, path, answer):
    """What the answer to `path` gives away about hidden pages (texts the request itself did
    not carry)."""
    asked = unquote(path).lower()
    text = answer.text().lower()
    # a preview token's holder may see its own page's draft, and nothing else that is secret
    own_draft = f"of public page {world.previews[path]}" if path in world.previews else None
    found = [
        f"{what} ({secret!r})"
        for secret, what in world.secrets.items()
        if secret in text and secret not in asked and not (own_draft and what.endswith(own_draft))
    ]
    for pk in sorted(world.hidden_ids):
        if f"/{pk}/" in asked:
            continue
        patterns = {
            f"surrogate key page-{pk}": rf"\bpage-{pk}\b",
            f"reference to page id {pk}": rf'"id":\s*{pk}\s*,\s*"type"',
            f"page id {pk} in a URL": rf"/{pk}/",
        }
        found += [what for what, pattern in patterns.items() if re.search(pattern, text)]
    return found


def describe(spec):
    return repr(spec)
