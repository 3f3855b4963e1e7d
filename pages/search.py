"""Text search over public content: the search backend's relevance, with items whose name or
other name contains the query moved first (the backend's bm25 can rank a short summary that
mentions the words above the page that is *called* that)."""

import re
from contextlib import contextmanager

from django.db.models.signals import post_save

from wagtail.models import Page
from wagtail.search.backends import get_search_backends
from wagtail.signal_handlers import disable_reference_index_auto_update

from modelsearch.signal_handlers import post_save_signal_handler

from pages.models import ConditionOtherName
from pages.selectors import Visibility

MAX_RESULTS = 1000
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


def search_words(text):
    """The words of user text, for the search backend: quotes, brackets and the backends' query
    operators (`"`, `*`, `:`, `&`, `|`, `!`, `^`, `-`, `NEAR(...)`) are not passed on, so any text
    is searched as plain words on SQLite's FTS5 and PostgreSQL alike."""
    return " ".join(WORD.findall(text))


def search_public(query, models, limit=MAX_RESULTS, visibility=None):
    """Public pages of `models` matching `query` (any user text), most relevant first (plain
    Page objects). Only public pages are ranked, so hidden ones never take a place."""
    visibility = visibility or Visibility.load()
    words = search_words(query)
    if not words:
        return []
    public = visibility.pages().type(*models).values("pk")
    hits = list(Page.objects.filter(pk__in=public).search(words)[:limit])
    phrase = words.lower()
    other_names = {}
    for page_id, name in ConditionOtherName.objects.filter(
        page_id__in=[hit.pk for hit in hits]
    ).values_list("page_id", "name"):
        other_names.setdefault(page_id, []).append(name.lower())

    def named_like_the_query(page):
        names = [page.title.lower(), *other_names.get(page.pk, [])]
        return any(phrase in name for name in names)

    return sorted(hits, key=lambda page: not named_like_the_query(page))  # stable: keeps relevance
