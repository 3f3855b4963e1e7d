"""Text search over public content, behind Wagtail's search interface (the database backend
here; Elasticsearch or OpenSearch is a WAGTAILSEARCH_BACKENDS setting away): any word of the
query, in any of its forms (pages/stemming.py), through the content's own synonyms, ranked so
the page that is about the query comes first (`search_public`)."""

import re
from contextlib import contextmanager
from dataclasses import dataclass

from django.db.models.signals import post_save

from wagtail.models import Page
from wagtail.search.backends import get_search_backend, get_search_backends
from wagtail.signal_handlers import disable_reference_index_auto_update

from modelsearch.signal_handlers import post_save_signal_handler

from pages.models import ConditionOtherName
from pages.selectors import Visibility, public_snippets
from pages.stemming import stems, stop_words, words

MAX_RESULTS = 1000
ENOUGH_HITS = 10  # pages holding every stem of a query, below which any word will do
WORD = re.compile(r"\w+")


@contextmanager
def bulk_indexing(models):
    """Skip per-save search and reference indexing for `models` (a page is saved several times
    while it is built); the caller indexes them once afterwards (`index_in_bulk`)."""
    for model in models:
        post_save.disconnect(post_save_signal_handler, sender=model)
    try:
        with disable_reference_index_auto_update():
            yield
    finally:
        for model in models:
            post_save.connect(post_save_signal_handler, sender=model)


def index_in_bulk(pages_by_model):
    """Add {model: [pages]} to every auto-updated search backend, one batch per model."""
    for backend in get_search_backends(with_auto_update=True):
        for model, pages in pages_by_model.items():
            if pages:
                backend.add_bulk(model, pages)


@dataclass(frozen=True)
class Link:
    """Link rows through which a search also finds a page: the page each row belongs to
    (`owner`, a foreign key to a page) is found when what it links to (`target`) matches the
    query: a page found, or a snippet of `snippet_model` that matches (a symptom)."""

    model: type
    owner: str
    target: str
    snippet_model: type | None = None


def search_words(text):
    """The words of user text, for the search backend: quotes, brackets and the backends' query
    operators (`"`, `*`, `:`, `&`, `|`, `!`, `^`, `-`, `NEAR(...)`) are not passed on, so any text
    is searched as plain words on SQLite's FTS5 and PostgreSQL alike."""
    return " ".join(WORD.findall(text))


def query_terms(text, language=None, also=()):
    """(the terms to ask the backend for, the stems that say what the query is about): each
    word and its stem in `language` (the index holds both: pages/stemming.py), stop words left
    out unless nothing else is left; `also`: more languages whose stems the terms include (the
    default language's, where its pages stand in for missing translations)."""
    found = words(text)
    meaningful = [word for word in found if word not in stop_words(language)] or found
    about = list(dict.fromkeys(stems(" ".join(meaningful), language)))
    more = [stem for other in also for stem in stems(" ".join(meaningful), other)]
    return " ".join(dict.fromkeys([*meaningful, *about, *more])), about


def coverage(about, text, language=None):
    """The share of the query's stems `about` found among the stems of `text`."""
    found = set(stems(text, language))
    return sum(stem in found for stem in about) / len(about) if about else 0.0


def search_public(query, models, limit=MAX_RESULTS, visibility=None, links=(), sources=()):
    """Public pages of `models` matching `query` (any user text), most relevant first (plain
    Page objects). In any of its forms ("diabetes" finds "Diabetic ..."), every word of the
    query, or any of them where too few pages hold all (`matching_pages`: a patient's words
    rarely all appear); pages are also found through `links` (Link: a condition
    through a symptom that matches, a therapy through the condition it relieves), from the
    matches among `sources` (page models; `models` by default). Ranked:

    1. pages named like the query (their title or other names hold every stem of it);
    2. pages whose names hold a stem of it that no other page's names hold ("diabetic nerve
       pain": Diabetic peripheral neuropathy, and Neuropathic pain, also called nerve pain);
    3. pages linked to a page of 1., or to a snippet named like the query;
    4. the other pages that match;
    5. the other pages linked to what matched;

    each in the backend's order (bm25 on SQLite, ts_rank on PostgreSQL: rare words weigh
    more), then in the links' order.

    Only public pages and public snippets take part, so nothing hidden takes or gives a place.
    In another language than the default (`visibility.language`), the query is stemmed in that
    language (its pages' stems are: pages/stemming.py); snippets are the default language's.
    """
    visibility = visibility or Visibility.load()
    language = visibility.language
    also = [visibility.fallback.language] if visibility.fallback else []
    terms, about = query_terms(query, language, also)
    if not about:
        return []
    public = visibility.pages().type(*models)
    searched = Page.objects.filter(pk__in=visibility.pages().type(*(sources or models)))
    hits = matching_pages(searched, terms, about, limit)
    named, distinctive = name_matches(hits, about, language)
    linked = linked_pages(links, named, terms, about, public)
    wanted = set(public.filter(pk__in=[hit.pk for hit in hits]).values_list("pk", flat=True))
    found = {hit.pk: hit for hit in hits if hit.pk in wanted}
    found.update((page.pk, page) for page in Page.objects.filter(pk__in=linked.keys() - found))
    order = {hit.pk: n for n, hit in enumerate(hits)}

    def rank(pk):
        position = order.get(pk, len(order))  # the backend's order; found only by a link: after
        if named.get(pk) == 1:
            return (0, 0, position, 0)
        if distinctive.get(pk):
            return (1, -distinctive[pk], position, 0)
        if pk in linked and linked[pk][0] == 1:
            return (2, 0, position, linked[pk][1])
        if pk in order:
            return (3, 0, position, 0)
        return (4, 0, linked[pk][1], pk)

    return [found[pk] for pk in sorted(found, key=rank)[:limit]]


def matching_pages(searched, terms, about, limit):
    """The pages among `searched` that match, in the backend's order: those holding every
    stem of the query, or, when fewer than ENOUGH_HITS do, those holding any word or stem of
    it (a query of common words matches most pages, and the backend scores every page that
    matches: any-word search is the fallback, not the rule)."""
    every = " ".join(about)
    hits = list(searched.search(every, operator="and")[:limit])
    if len(hits) >= ENOUGH_HITS or len(about) == 1 and terms == every:
        return hits
    return list(searched.search(terms, operator="or")[:limit])


def name_matches(hits, about, language=None):
    """({page id: the share of the query's stems its names hold}, {page id: how many of them
    no other page's names hold}), names stemmed in `language`."""
    names = {pk: set(stems(text, language)) for pk, text in page_names(hits).items()}
    named = {pk: sum(stem in found for stem in about) / len(about) for pk, found in names.items()}
    holders = {stem: sum(stem in found for found in names.values()) for stem in about}
    distinctive = {
        pk: sum(1 for stem in about if stem in found and holders[stem] == 1)
        for pk, found in names.items()
    }
    return named, distinctive


def linked_pages(links, named, terms, about, public):
    """{page id: (tier, order)} of the `public` pages found through `links`: tier 1 through a
    page or snippet named like the query, 3 through a snippet that only matches it. (Through
    pages that only match, nothing: a query of common words matches most pages, and what
    links to them would add nothing but time.)"""
    named_pages = {pk: 1 for pk, share in named.items() if share == 1}
    found = []  # (owner, tier)
    for link in links:
        if link.snippet_model is None:
            targets = named_pages
        else:
            targets = matching_snippets(link.snippet_model, terms, about)
        if targets:
            rows = link.model.objects.filter(**{f"{link.target}_id__in": list(targets)})
            pairs = rows.values_list(f"{link.owner}_id", f"{link.target}_id")
            found += [(owner, targets[target]) for owner, target in sorted(pairs)]
    shown = set(public.filter(pk__in={owner for owner, _ in found}).values_list("pk", flat=True))
    linked = {}
    for order, (owner, tier) in enumerate(found):
        if owner in shown:
            linked[owner] = min(linked.get(owner, (9, 0)), (tier, order))
    return linked


def page_names(pages):
    """{page id: its title and its other names ("also called"), as one text}."""
    names = {page.pk: [page.title] for page in pages}
    for page_id, name in ConditionOtherName.objects.filter(page_id__in=list(names)).values_list(
        "page_id", "name"
    ):
        names[page_id].append(name)
    return {pk: "\n".join(texts) for pk, texts in names.items()}


def matching_snippets(model, terms, about):
    """{snippet id: tier} of the public snippets of `model` matching the query: 1 for those
    named like it, 3 for the others. (Every snippet is searched, the hidden ones dropped after:
    a snippet's index has no filter fields.)"""
    found = list(get_search_backend().search(terms, model, operator="or")[:MAX_RESULTS])
    public = set(
        public_snippets(model.objects.filter(pk__in=[s.pk for s in found])).values_list(
            "pk", flat=True
        )
    )
    return {
        snippet.pk: 1 if coverage(about, str(snippet)) == 1 else 3
        for snippet in found
        if snippet.pk in public
    }
