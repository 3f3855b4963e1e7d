"""No non-public page (or medical snippet) can be seen, or inferred, through any door of the
API or the website.

A property over random worlds (tests/api/leak_world.py): live, draft-only, unpublished, expired
(by flag and by date), private (login, password and group restrictions, on the page or on its
section), renamed (an old path redirects) and renamed-then-hidden pages, linked to each other
through every relation, treatment-approach choosers and rich-text links, and their Spanish
translations (a draft, reviewed, outdated), asked for in Spanish (`locale=es`, /es/ paths)
where a reviewed translation is public while its source is. The oracle: every
answer (status, body, ETag, surrogate keys, Location) must equal the answer the same database
gives once the hidden pages are deleted; and no hidden page's title, slug, summary or id may
appear in any answer. Medical snippets (symptoms, references) have fates too: a draft never
published, unpublished, expired by date, or public with an unapproved draft edit; and every
world has a campaign expired by date beside the public one.

Doors join this test as they are built: add them to `leak_world.doors`. Webhooks are a door
too: every event the world's changes write into the outbox (`leak_world.webhook_problems`).

Size: EXAMPLES below; CI's PostgreSQL pass sets HEAVY_TESTS for the larger run.
"""

import logging

from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.utils import timezone

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.api.leak_world import (
    CATEGORIES,
    FATES,
    INDEX_FATES,
    KINDS,
    PUBLIC_FATES,
    REVIEWS,
    SNIPPET_FATES,
    SYMPTOM_COUNT,
    TRANSLATION_FATES,
    VOCABULARY,
    PageSpec,
    WorldSpec,
    build_world,
    delete_hidden,
    doors,
    fetch,
    leaked_secrets,
    webhook_problems,
)
from tests.sizes import FULL, sized

EXAMPLES = sized(1, 25)  # random worlds, on top of the two fixed ones below
# Shrinking re-runs a failing world many times (seconds each): only in the full run.
PHASES = tuple(Phase) if FULL else tuple(p for p in Phase if p is not Phase.shrink)
MAX_PAGES_PER_KIND = 4
MAX_REPORTED = 60  # differences listed in a failure message


def page_specs(max_size):
    return st.lists(
        st.builds(
            PageSpec,
            fate=st.sampled_from(FATES),
            renamed=st.booleans(),
            review=st.sampled_from(REVIEWS),
            category=st.sampled_from(CATEGORIES),
            words=st.lists(st.sampled_from(VOCABULARY), unique=True, max_size=2).map(tuple),
        ),
        min_size=1,
        max_size=max_size,
    ).map(tuple)


def pairs(first, second, max_size=8):
    if not first or not second:
        return st.just(frozenset())
    return st.frozensets(
        st.tuples(st.integers(0, first - 1), st.integers(0, second - 1)), max_size=max_size
    )


@st.composite
def worlds(draw):
    counts = {kind: draw(page_specs(MAX_PAGES_PER_KIND)) for kind in KINDS}
    n = {kind: len(specs) for kind, specs in counts.items()}
    targets = [("condition", j) for j in range(n["condition"])] + [
        ("cause", j) for j in range(n["cause"])
    ]
    relief = st.frozensets(
        st.tuples(st.integers(0, n["therapy"] - 1), st.sampled_from(targets)).map(
            lambda link: (link[0], *link[1])
        ),
        max_size=6,
    )
    pages = [(kind, i) for kind in KINDS for i in range(n[kind])]
    body_targets = pages + [("index", kind) for kind in KINDS]
    return WorldSpec(
        conditions=counts["condition"],
        causes=counts["cause"],
        treatments=counts["treatment"],
        therapies=counts["therapy"],
        index_fates=tuple(
            draw(st.lists(st.sampled_from(INDEX_FATES), min_size=4, max_size=4))
            if draw(st.integers(0, 3)) == 0  # most worlds keep every section public
            else ["public"] * 4
        ),
        cause_links=draw(pairs(n["condition"], n["cause"])),
        treatment_links=draw(pairs(n["condition"], n["treatment"])),
        relief_links=draw(relief),
        symptom_links=draw(pairs(n["condition"], SYMPTOM_COUNT, max_size=4)),
        symptom_fates=draw(snippet_fates(SYMPTOM_COUNT, SYMPTOM_COUNT)),
        reference_fates=(references := draw(snippet_fates(0, 3))),
        reference_links=draw(
            st.frozensets(
                st.tuples(st.sampled_from(pages), st.integers(0, len(references) - 1)),
                max_size=6,
            )
            if references
            else st.just(frozenset())
        ),
        approach_causes=draw(pairs(n["condition"], n["cause"], max_size=4)),
        body_links=draw(
            st.frozensets(
                st.tuples(st.sampled_from(pages), st.sampled_from(body_targets)), max_size=5
            )
        ),
        translations=draw(  # at most one translation per page (one per language)
            st.dictionaries(
                st.sampled_from(pages), st.sampled_from(TRANSLATION_FATES), max_size=3
            ).map(lambda fates: frozenset(fates.items()))
        ),
        search_text=draw(
            st.one_of(
                st.lists(st.sampled_from([*VOCABULARY, "pain", "nerve pain"]), max_size=3).map(
                    " ".join
                ),
                st.text(alphabet="abcnqx -", max_size=12),
            )
        ),
        seed=draw(st.integers(0, 2**31)),
        hostile_text=draw(st.booleans()),
    )


def snippet_fates(min_size, max_size):
    """Medical snippets' fates: most worlds' symptoms all public, some of them hidden."""
    return st.one_of(
        st.just(("public",) * min_size),
        st.lists(st.sampled_from(SNIPPET_FATES), min_size=min_size, max_size=max_size).map(tuple),
    )


def every(first, second):
    return frozenset((i, j) for i in range(first) for j in range(second))


# Every fate at least once, all linked to each other: run every time, whatever hypothesis draws.
EVERY_FATE = WorldSpec(
    conditions=(
        PageSpec("public", renamed=True, words=("nerve",)),
        PageSpec("password", words=("nerve", "burning")),
        PageSpec("draft", words=("nerve",)),
        PageSpec("public_with_draft", review="due_soon"),
    ),
    causes=(
        PageSpec("public", words=("nerve",)),
        PageSpec("unpublished", renamed=True, words=("nerve",)),
        PageSpec("expired_date", words=("nerve", "tingling")),
        PageSpec("login", review="overdue"),
    ),
    treatments=(
        PageSpec("public", category="topical"),
        PageSpec("expired_flag", category="topical", review="due_soon"),
        PageSpec("groups", renamed=True, review="unreviewed", category="procedure"),
    ),
    therapies=(PageSpec("public"), PageSpec("unpublished", words=("tingling",))),
    cause_links=every(4, 4),
    treatment_links=every(4, 3),
    relief_links=frozenset(
        {(t, "condition", j) for t in range(2) for j in range(4)}
        | {(t, "cause", j) for t in range(2) for j in range(4)}
    ),
    symptom_links=frozenset({(0, 0), (1, 0), (1, 1), (2, 1), (3, 1)}),
    symptom_fates=("public_with_draft", "draft"),
    reference_fates=("public", "unpublished", "expired_date", "draft", "public_with_draft"),
    reference_links=frozenset(
        {(("condition", 0), k) for k in range(5)}
        | {(("condition", 3), 3), (("cause", 0), 1), (("therapy", 0), 2), (("cause", 1), 3)}
    ),
    approach_causes=every(2, 4),
    body_links=frozenset(
        {
            (("condition", 0), ("cause", 1)),
            (("condition", 0), ("cause", 3)),
            (("condition", 0), ("condition", 2)),
            (("therapy", 0), ("condition", 1)),
            (("treatment", 0), ("treatment", 2)),
            (("cause", 0), ("therapy", 1)),
        }
    ),
    translations=frozenset(
        {
            (("condition", 0), "reviewed"),
            (("condition", 2), "draft"),  # of a draft
            (("cause", 0), "outdated"),
            (("cause", 1), "reviewed"),  # of a page since unpublished
        }
    ),
    search_text="nerve burning",
    seed=1,
)

# Two private sections (a password on causes, a login on treatments) with public pages in them.
PRIVATE_SECTIONS = WorldSpec(
    conditions=(PageSpec("public", words=("nerve",)), PageSpec("unpublished", renamed=True)),
    causes=(PageSpec("public", words=("nerve",)), PageSpec("public", renamed=True)),
    treatments=(PageSpec("public", category="topical"),),
    therapies=(PageSpec("public"), PageSpec("expired_flag")),
    index_fates=("public", "password", "login", "public"),
    cause_links=every(2, 2),
    treatment_links=every(2, 1),
    relief_links=frozenset({(0, "cause", 0), (0, "cause", 1), (0, "condition", 0)}),
    approach_causes=every(1, 2),
    symptom_links=frozenset({(0, 0), (0, 1)}),
    symptom_fates=("unpublished", "public"),
    reference_fates=("public", "unpublished"),
    reference_links=frozenset({(("condition", 0), 0), (("condition", 0), 1), (("cause", 1), 1)}),
    body_links=frozenset(
        {
            (("condition", 0), ("index", "cause")),
            (("condition", 0), ("index", "treatment")),
            (("therapy", 0), ("cause", 1)),
        }
    ),
    translations=frozenset({(("cause", 0), "reviewed"), (("condition", 0), "outdated")}),
    search_text="nerve",
    seed=2,
    hostile_text=True,
)


def first_difference(one, other, context=70):
    at = next((i for i, (a, b) in enumerate(zip(one, other, strict=False)) if a != b), None)
    if at is None:
        at = min(len(one), len(other))
    start = max(0, at - context)
    return one[start : at + context], other[start : at + context]


def compare(world, seen, oracle):
    """Readable lines: what each answer gives away, and how it differs from the oracle's."""
    problems = []
    for path, answer in seen.items():
        expected = oracle[path]
        notes = []
        leaked = leaked_secrets(world, path, answer)
        if leaked:
            notes.append("shows " + "; ".join(leaked))
        if answer.status >= 500 or expected.status >= 500:
            notes.append(f"server error ({answer.status}, oracle {expected.status})")
        if answer.status != expected.status:
            notes.append(f"status {answer.status}, oracle {expected.status}")
        for (name, value), (_, wanted) in zip(answer.headers, expected.headers, strict=True):
            if value != wanted:
                notes.append(f"{name} {value!r}, oracle {wanted!r}")
        if answer.ends_a_script:
            notes.append("a literal </script in JSON: inlined JSON-LD would end its element")
        if answer.body != expected.body:
            here, there = first_difference(answer.body, expected.body)
            notes.append(f"body differs: ...{here!r}... oracle ...{there!r}...")
        if notes:
            problems.append(f"GET {path}\n    " + "\n    ".join(notes))
    return problems


def check(spec, home, freezer):
    cache.clear()
    world = build_world(spec, home, freezer)
    client = Client(raise_request_exception=False)
    requests = doors(world)
    seen = fetch(client, requests)
    problems = webhook_problems(world)
    before_deletions = timezone.now()
    delete_hidden(world, freezer)
    oracle = fetch(client, requests)
    problems += webhook_problems(world, after=before_deletions)
    problems += compare(world, seen, oracle)
    if problems:
        hidden = ", ".join(
            f"{kind} {page.pk} ({spec.specs(kind)[i].fate}"
            + (", renamed" if (kind, i) in world.old_slugs else "")
            + (", in a private section)" if spec.specs(kind)[i].fate in PUBLIC_FATES else ")")
            for (kind, i), page in world.pages.items()
            if page.pk in world.hidden_ids
        )
        shown = "\n".join(problems[:MAX_REPORTED])
        more = len(problems) - MAX_REPORTED
        pytest.fail(
            f"{len(problems)} of {len(requests)} answers give hidden pages away "
            f"(hidden: {hidden}; sections restricted: {spec.index_fates}):\n{shown}"
            + (f"\n... and {more} more" if more > 0 else ""),
            pytrace=False,
        )


@pytest.fixture
def quiet_requests():
    """Hundreds of 404s per world: keep django.request's warnings out of failure reports."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


def run_world(spec, home, freezer):
    with transaction.atomic():
        try:
            check(spec, home, freezer)
        finally:
            transaction.set_rollback(True)


@pytest.mark.parametrize(
    "spec",
    [
        EVERY_FATE,
        pytest.param(
            PRIVATE_SECTIONS,
            marks=pytest.mark.skipif(not FULL, reason="in CI's PostgreSQL pass (HEAVY_TESTS)"),
        ),
    ],
    ids=["every-fate", "private-sections"],
)
def test_fixed_worlds_leave_no_trace(home, freezer, quiet_requests, spec):
    run_world(spec, home, freezer)


@settings(
    max_examples=EXAMPLES,
    phases=PHASES,
    deadline=None,
    database=None,  # no .hypothesis/ folder in the work tree; the fixed worlds pin regressions
    print_blob=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,  # each example rolls its own changes back
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(spec=worlds())
def test_random_worlds_leave_no_trace(home, freezer, quiet_requests, spec):
    run_world(spec, home, freezer)
