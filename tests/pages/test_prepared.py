"""pages/prepared.py runs SQL that Django's compiler wrote, with Django's converters: on every
upgrade of Django, a prepared query must answer exactly what the ORM answers (these fail
loudly if the compiler internals it uses move)."""

import datetime

from django.utils import timezone

from wagtail.models import Page

import pytest

from pages.models import ConditionPage
from pages.prepared import INTS, MOMENT, TEXT, Prepared

BY_SLUG = Prepared(
    lambda model, slug, now: model.objects.filter(slug=slug, first_published_at__lt=now).values(
        "pk", "title", "first_published_at", "live"
    ),
    slug=TEXT,
    now=MOMENT,
)
AMONG = Prepared(
    lambda ids: Page.objects.filter(pk__in=ids).order_by("pk").values("pk", "url_path"), ids=INTS
)
COUNT = Prepared(lambda ids: Page.objects.filter(pk__in=ids).values("pk"), count=True, ids=INTS)


@pytest.mark.parametrize("slug", ["neuropathic-pain", "no-such-slug", "o'brien; --"])
def test_a_prepared_query_answers_what_the_orm_answers(seeded, slug):
    now = timezone.now() + datetime.timedelta(days=1)
    orm = list(BY_SLUG.build(ConditionPage, slug, now))
    assert BY_SLUG.rows((ConditionPage,), slug=slug, now=now) == orm
    assert BY_SLUG.rows((ConditionPage,), slug=slug, now=now) == orm  # compiled once, run again
    if slug == "neuropathic-pain":
        (row,) = orm
        assert isinstance(row["first_published_at"], datetime.datetime)  # converted
        assert row["live"] is True


def test_lists_of_each_length_and_counts_answer_as_the_orm(seeded):
    ids = list(Page.objects.values_list("pk", flat=True))
    for chosen in (ids[:1], ids[:3], ids, [], [10**9]):
        assert AMONG.rows((), ids=chosen) == list(AMONG.build(chosen))
        assert COUNT.rows((), ids=chosen) == Page.objects.filter(pk__in=chosen).count()
