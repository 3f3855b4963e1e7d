"""What representing costs, measured on one database: the initial refresh of every item
(what a new shape version or `after_restore --full-refresh` runs) and the live-fallback
detail (a request for an item with no usable stored copy, represented while it waits).

    python -m bench.represent --conditions 10000        # the database is kept for later runs

Only management commands and HTTP requests are used, so the same script measures an older
checkout of the code beside this one. Prints one JSON line: refresh seconds and items per
second, and the live detail's median and p95 in milliseconds over `--details` requests.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def manage(env, *args):
    subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, check=True)


def live_details(count):
    """Milliseconds per detail request with every stored copy gone (each one represented)."""
    import django

    django.setup()
    from django.test import Client

    from wagtail.models import Page

    from api.models import RepresentationState

    stored = RepresentationState.objects.count()  # what the refresh before stored
    RepresentationState.objects.all().delete()
    paths = [
        page.url_path for page in Page.objects.live().filter(depth__gte=4).order_by("pk")[:count]
    ]
    client, times = Client(), []
    for path in paths:  # the path lookup: every type's detail through one URL
        started = time.perf_counter()
        response = client.get("/api/v1/pages/", {"path": "/" + path.split("/", 2)[2]})
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{path}: {response.status_code} {response.content[:200]!r}")
    times.sort()
    return {
        "items": stored,
        "details": len(times),
        "median_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[int(len(times) * 0.95) - 1], 1),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--conditions", type=int, default=10_000)
    parser.add_argument("--details", type=int, default=300)
    parser.add_argument("--data", default=str(BASE_DIR / "var" / "bench"))
    parser.add_argument("--live-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.live_only:
        print(json.dumps(live_details(args.details)))
        return
    data = Path(args.data)
    data.mkdir(parents=True, exist_ok=True)
    kept, copy = data / f"represent-{args.conditions}.sqlite3", data / "represent-run.sqlite3"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings", "BENCH_TASKS": "dummy"}
    if not kept.exists():
        print(f"Generating {args.conditions:,} conditions (kept in {kept})...", file=sys.stderr)
        partial = kept.with_suffix(".partial")
        env_partial = {**env, "DATABASE_URL": f"sqlite:///{partial}"}
        manage(env_partial, "migrate", "--verbosity", "0")
        manage(env_partial, "seed_content", "--verbosity", "0")
        manage(env_partial, "generate_content", "--conditions", str(args.conditions))
        partial.rename(kept)
    shutil.copyfile(kept, copy)
    env = {**env, "DATABASE_URL": f"sqlite:///{copy}"}
    manage(env, "migrate", "--verbosity", "0")  # a checkout with newer migrations
    print("Initial refresh...", file=sys.stderr)
    started = time.monotonic()
    manage(env, "refresh_representations", "--verbosity", "0")
    seconds = time.monotonic() - started
    live = subprocess.run(
        [sys.executable, "-m", "bench.represent", "--live-only", "--details", str(args.details)],
        cwd=BASE_DIR,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    live = json.loads(live.stdout.strip().splitlines()[-1])
    print(
        json.dumps(
            {
                "conditions": args.conditions,
                "refresh_seconds": round(seconds, 1),
                "items_per_second": round(live["items"] / seconds),
                "live_detail": live,
                "code": subprocess.run(
                    ["git", "rev-parse", "--short", "HEAD"],
                    cwd=BASE_DIR,
                    capture_output=True,
                    text=True,
                ).stdout.strip(),
            }
        )
    )


if __name__ == "__main__":
    main()
