"""The benchmark's in-process steps (bench/run.py runs them in subprocesses, one per database
and cache configuration; DJANGO_SETTINGS_MODULE=bench.settings):

    python -m bench.prepare --conditions 1000      # build the database; prints its slugs (JSON)
    python -m bench.prepare --count-queries '{"label": "/api/v1/conditions/"}'

The last line printed is the JSON result; progress goes before it.
"""

import argparse
import json
import sys


def log(message):
    print(message, file=sys.stderr, flush=True)


def build(conditions):
    from django.core.management import call_command

    from api.record.changes import stale_page_ids
    from pages.models import ConditionPage

    call_command("migrate", verbosity=0)
    call_command("seed_content", verbosity=0)
    have = ConditionPage.objects.filter(slug__startswith="gen-").count()
    if have < conditions:
        log(f"Generating {conditions - have:,} conditions (kept for later runs)...")
        call_command("generate_content", conditions=conditions - have, verbosity=1)
    else:
        log(f"Using the {have:,} generated conditions already there.")
    if stale_page_ids():  # e.g. a database kept from before a change of the shapes' VERSION
        log("Storing the representations that are not current...")
        call_command("refresh_representations", verbosity=1)
    rows = ConditionPage.objects.live().order_by("pk").values_list("pk", "slug")[:50]
    return {"conditions": [slug for _, slug in rows], "condition_ids": [pk for pk, _ in rows]}


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
    args = parser.parse_args()
    import django

    django.setup()
    if args.count_queries:
        result = count_queries(json.loads(args.count_queries))
    else:
        result = build(args.conditions)
    print(json.dumps(result), flush=True)  # noqa: T201 - the result, for bench/run.py


if __name__ == "__main__":
    main()
