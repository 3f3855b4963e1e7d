"""The benchmark's in-process steps (bench/run.py runs them in subprocesses, one per database
and cache configuration; DJANGO_SETTINGS_MODULE=bench.settings):

    python -m bench.prepare --conditions 1000      # build the database; prints its slugs (JSON)
    python -m bench.prepare --conditions 1000 --languages en,es   # each translated too
    python -m bench.prepare --count-queries '{"label": "/api/v1/conditions/"}'

The last line printed is the JSON result; progress goes before it.
"""

import argparse
import json
import sys


def log(message):
    print(message, file=sys.stderr, flush=True)


def build(conditions, languages=()):
    """The database of `conditions` generated conditions (with their causes, treatments and
    therapies), translated into each of `languages` but the default, every item stored."""
    from django.core.management import call_command

    from api.record.changes import stale_page_ids
    from pages.models import ConditionPage
    from pages.seed.generated import translate_generated
    from pages.selectors import default_language

    call_command("migrate", verbosity=0)
    call_command("seed_content", verbosity=0)
    generated = ConditionPage.objects.filter(slug__startswith="gen-")
    have = generated.filter(locale__language_code=default_language()).count()
    if have < conditions:
        log(f"Generating {conditions - have:,} conditions (kept for later runs)...")
        call_command("generate_content", conditions=conditions - have, verbosity=1)
    else:
        log(f"Using the {have:,} generated conditions already there.")
    for language in languages:
        if language == default_language():
            continue
        log(f"Translating the generated pages into {language} (kept for later runs)...")
        added = translate_generated(language, progress=Progress())
        log(f"{sum(added.values()):,} translations added.")
    if stale_page_ids():  # e.g. a database kept from before a change of the shapes' VERSION
        log("Storing the representations that are not current...")
        call_command("refresh_representations", verbosity=1)
    generated = generated.filter(live=True)
    rows = generated.filter(locale__language_code=default_language())
    rows = rows.order_by("pk").values_list("pk", "slug")[:50]
    result = {"conditions": [slug for _, slug in rows], "condition_ids": [pk for pk, _ in rows]}
    for language in languages:
        if language != default_language():
            found = generated.filter(locale__language_code=language).order_by("pk")
            result[f"conditions@{language}"] = list(found.values_list("slug", flat=True)[:50])
    return result


class Progress:
    """Progress of a bulk load (pages.seed.bulk), on stderr: a line every batch."""

    def step(self, label, done, total):
        log(f"  {label}: {done:,}/{total:,}")

    def say(self, message):
        log(message)


def count_queries(paths):
    """{label: SQL queries of the second request to its path} (the first warms the caches)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    counts = {}
    for label, path in paths.items():
        client.get(path)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}: {response.content[:300]!r}")
        counts[label] = len(queries.captured_queries)
    return counts


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--conditions", type=int)
    parser.add_argument("--count-queries")
    parser.add_argument("--languages", default="", help="e.g. en,es: translate into each")
    args = parser.parse_args()
    import django

    django.setup()
    if args.count_queries:
        result = count_queries(json.loads(args.count_queries))
    else:
        result = build(args.conditions, [code for code in args.languages.split(",") if code])
    print(json.dumps(result), flush=True)  # noqa: T201 - the result, for bench/run.py


if __name__ == "__main__":
    main()
