"""Text search over public content: the search backend's relevance, with items whose name or
other name contains the query moved first (the backend's bm25 can rank a short summary that
mentions the words above the page that is *called* that)."""

from wagtail.models import Page

from pages.models import CONTENT_PAGE_MODELS, ConditionOtherName
from pages.selectors import Visibility

MAX_RESULTS = 1000


def search_public(query, models=CONTENT_PAGE_MODELS, limit=MAX_RESULTS, visibility=None):
    """Public pages of `models` matching `query`, most relevant first (plain Page objects)."""
    visibility = visibility or Visibility.load()
    public_ids = set(visibility.pages().type(*models).values_list("pk", flat=True))
    hits = [
        page for page in Page.objects.type(*models).search(query)[:limit] if page.pk in public_ids
    ]
    phrase = " ".join(query.lower().split())
    other_names = {}
    for page_id, name in ConditionOtherName.objects.filter(
        page_id__in=[hit.pk for hit in hits]
    ).values_list("page_id", "name"):
        other_names.setdefault(page_id, []).append(name.lower())

    def named_like_the_query(page):
        names = [page.title.lower(), *other_names.get(page.pk, [])]
        return any(phrase in name for name in names)

    return sorted(hits, key=lambda page: not named_like_the_query(page))  # stable: keeps relevance
