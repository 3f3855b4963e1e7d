"""The visibility rule's spellings agree: `Visibility.pages()` (SQL, through the ORM),
`Visibility.shows()` (a row already loaded) and the prepared queries of the read path (the ORM's
SQL compiled once, run with fresh values), on a world with every fate (tests/api/leak_world.py)."""

import datetime

from django.utils import timezone

from wagtail.models import Page

import pytest

from api.serving.read_path import ItemReader
from pages.models import ConditionPage
from pages.prepared import INTS, MOMENT, TEXT, Prepared
from pages.selectors import Visibility
from shapes.serializers import DETAIL, LIST
from tests.api.leak_world import build_world
from tests.api.test_leak_property import EVERY_FATE, PRIVATE_SECTIONS


@pytest.mark.parametrize("spec", [EVERY_FATE, PRIVATE_SECTIONS], ids=["every-fate", "sections"])
def test_every_spelling_of_the_rule_agrees_on_every_page(home, freezer, spec):
    world = build_world(spec, home, freezer)
    visibility = Visibility.compute()
    every = list(Page.objects.all())
    public = set(visibility.pages().values_list("pk", flat=True))
    assert public.isdisjoint(world.hidden_ids) and public  # the world's own bookkeeping agrees
    assert {page.pk for page in every if visibility.shows(page)} == public
    reader = ItemReader(visibility)
    assert set(reader.public_expiry({page.pk for page in every})) == public
    for shape in (DETAIL, LIST):
        assert {row["pk"] for row in reader.pages_among({p.pk for p in every}, shape)} == public
    for page in every:
        found = reader.page_by_url_path(page.url_path)
        assert bool(found) == (page.pk in public), page.url_path
    conditions = set(visibility.pages(ConditionPage).values_list("pk", flat=True))
    assert reader.collection_count(ConditionPage) == len(conditions)
    listed = reader.collection_page(ConditionPage, ["title", "id"], 0, 100)
    ordered = visibility.pages(ConditionPage).order_by("title", "id").values_list("pk", flat=True)
    assert listed == list(ordered)
    for page in ConditionPage.objects.all():
        assert bool(reader.item_by_slug(ConditionPage, page.slug)) == (page.pk in conditions)

    # in Spanish, by every policy, and in every language at once
    fates = dict(world.spec.translations)
    outdated = {page.pk for key, page in world.translations.items() if fates[key] == "outdated"}
    rules = {
        "es": Visibility.compute("es"),
        "es, outdated hidden": Visibility.compute("es", hide_outdated=True),
        "es, English standing in": Visibility.compute("es", fallback=True),
        "es, both": Visibility.compute("es", hide_outdated=True, fallback=True),
        "every language": Visibility.compute().anywhere(),
    }
    for name, rule in rules.items():
        shown = set(rule.pages().values_list("pk", flat=True))
        assert shown.isdisjoint(world.hidden_ids), name
        if rule.fallback:  # one item per public original: the read path counts those
            conditions = rule.pages(ConditionPage).count()
            assert ItemReader(rule).collection_count(ConditionPage) == conditions, name
        assert {page.pk for page in every if rule.shows(page)} == shown, name
        if rule.hide_outdated:
            assert shown.isdisjoint(outdated), name
    spanish = set(rules["es"].pages().values_list("pk", flat=True))
    assert spanish <= world.other_locale_ids
    # what a Spanish copy may show: by the rule a Spanish item is represented with
    representing = rules["es"].representing(rules["es"].locale_id)
    reader = ItemReader(rules["es"])
    expected = set(representing.pages().values_list("pk", flat=True))
    assert set(reader.public_expiry({page.pk for page in every})) == expected
    assert set(rules["es, English standing in"].pages().values_list("pk", flat=True)) > spanish


def test_a_prepared_query_runs_with_fresh_values_as_the_orm_would(seeded):
    by_title = Prepared(
        lambda model, title, after, ids: model.objects.filter(
            title=title, last_published_at__gte=after, pk__in=ids
        ).values("pk", "title", "last_published_at"),
        title=TEXT,
        after=MOMENT,
        ids=INTS,
    )
    every = list(Page.objects.values_list("pk", flat=True))
    early = timezone.now() - datetime.timedelta(days=1)
    for title in ["Shingles", "Amputation", 'It\'s "quoted" % _', "no such title"]:
        for ids in (every, every[:3], every[::2]):
            expected = list(
                Page.objects.filter(title=title, last_published_at__gte=early, pk__in=ids).values(
                    "pk", "title", "last_published_at"
                )
            )
            assert by_title.rows((Page,), title=title, after=early, ids=ids) == expected
    late = timezone.now() + datetime.timedelta(days=1)
    assert by_title.rows((Page,), title="Shingles", after=late, ids=every) == []
    counted = Prepared(lambda: Page.objects.filter(live=True).values("pk"), count=True)
    assert counted.rows(()) == Page.objects.filter(live=True).count()
    # Page's default ordering (path) is no part of a count: it made SQLite sort every row first
    assert "ORDER BY" not in counted._compiled((), {}).sql
    nothing = Prepared(lambda: Page.objects.none().values("pk"))
    assert nothing.rows(()) == []


def test_a_value_that_is_not_a_placeholder_is_refused(db):
    """A build function that does not put every placeholder into its SQL is a mistake in the
    code, found at once rather than run with a stand-in value."""
    ignored = Prepared(lambda title: Page.objects.values("pk"), title=TEXT)
    with pytest.raises(ValueError, match="Placeholders not found"):
        ignored.rows((), title="x")
