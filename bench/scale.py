"""The scale run (`make scale`): 100,000 generated conditions (about 210,000 items) on the
benchmark's SQLite database, each step timed with its peak memory.

    python -m bench.scale                        # 100,000 conditions (hours the first time)
    python -m bench.scale --conditions 2000 --duration 2   # the same steps, small

Steps, each in a process of its own (its peak resident memory is that process's, from wait4):

1. generate: migrate, the seed content and `generate_content --resume` (chunks of 10,000
   conditions, each committed; background tasks recorded, not run: BENCH_TASKS=dummy).
   Resumable: the database (var/bench/bench-<n>.sqlite3, the one `bench.run --sizes ...,<n>`
   uses) keeps every finished chunk, and a second run adds only what is missing.
2. initial refresh: `refresh_representations`, every item represented and stored (also what a
   new shape version or `after_restore --full-refresh` costs).
3. one snippet: a reference cited by thousands of items is edited; the refresh of every item
   showing it runs as the worker would run it (inline here).
4. sync walk: an app's first sync, every page of `/api/v1/sync/?limit=100` to the end.
5. the benchmark: `bench.run --sizes 1000,<n>` (wrk), whose targets include detail p95 at <n>
   within 1.5x of 1,000; written to bench/results/scale/.

Writes bench/results/scale.json and scale.md (the table the README shows). A step that already
ran on this database keeps its earlier measurement unless --again names it.
"""

import argparse
import json
import os
import subprocess
import sys
import time

from bench.prepare import log
from bench.run import BASE_DIR, DATA_DIR, OUT_DIR

STEPS = ["generate", "initial refresh", "one snippet", "sync walk", "benchmark"]
SNIPPET_DOI = "10.5555/generated.0"  # cited by about one item in eight (pages/seed/generated.py)


def measured(command, env, may_fail=False):
    """Run `command`; (seconds, peak resident MiB, the lines it printed, its exit code).
    `may_fail`: an exit code of 1 is a result (the benchmark's missed target), not the end."""
    started = time.monotonic()
    process = subprocess.Popen(
        command, cwd=BASE_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    lines = []
    for line in process.stdout:  # shown as it comes: the long steps print their progress
        lines.append(line)
        if not line.startswith("{"):  # bench.prepare's JSON result
            sys.stderr.write(f"    {line}")
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.monotonic() - started
    if process.returncode and not (may_fail and process.returncode == 1):
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}); see above.")
    return seconds, usage.ru_maxrss / 1024, [line.strip() for line in lines], process.returncode


def step_commands(conditions, duration):
    python = sys.executable
    return {
        "generate": [python, "-m", "bench.scale", "--in-process", "load", str(conditions)],
        "initial refresh": [python, "manage.py", "refresh_representations"],
        "one snippet": [python, "-m", "bench.scale", "--in-process", "snippet"],
        "sync walk": [python, "-m", "bench.scale", "--in-process", "sync"],
        "benchmark": [
            *[python, "-m", "bench.run", "--sizes", f"1000,{conditions}"],
            *["--duration", str(duration), "--out", str(OUT_DIR / "scale")],
        ],
    }


# In-process steps ----------------------------------------------------------------------------


def load(conditions):
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("seed_content", verbosity=0)
    call_command("generate_content", conditions=conditions, resume=True, verbosity=1)
    from pages.models import ConditionPage

    return {"conditions": ConditionPage.objects.filter(slug__startswith="gen-").count()}


def edit_snippet():
    """Edit the most cited generated reference; the refresh runs inline (the dev settings'
    immediate task backend), as one worker task would."""
    from api.models import RepresentationDependency
    from pages.models import Reference
    from pages.translations import originals
    from shapes.representation import dependency_key

    reference = originals(Reference).get(doi=SNIPPET_DOI)
    shown_by = RepresentationDependency.objects.filter(key=dependency_key(reference)).count()
    marker = " (revised)"
    revised = reference.title.endswith(marker)
    reference.title = reference.title.removesuffix(marker) if revised else reference.title + marker
    started = time.monotonic()
    reference.save()
    return {"items showing it": shown_by, "refresh seconds": round(time.monotonic() - started, 1)}


def walk_sync():
    """Page through /api/v1/sync/ from the start, as an app's first sync does."""
    from urllib.parse import quote

    from django.test import Client

    client, url = Client(), "/api/v1/sync/?limit=100"
    pages = items = 0
    while True:
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}: {response.content[:300]!r}")
        body = response.json()
        pages, items = pages + 1, items + len(body["items"])
        if pages % 200 == 0:
            log(f"  sync: {pages:,} pages, {items:,} items")
        if not body["has_more"]:
            return {"pages": pages, "items": items}
        url = f"/api/v1/sync/?limit=100&cursor={quote(body['next_cursor'])}"


# The run --------------------------------------------------------------------------------------


def table(results):
    lines = [
        "| Step | Time | Peak memory | Result |",
        "| --- | ---: | ---: | --- |",
    ]
    for name in STEPS:
        if name in results:
            r = results[name]
            minutes = r["seconds"] / 60
            shown = f"{minutes:.1f} min" if minutes >= 1 else f"{r['seconds']:.1f} s"
            lines.append(f"| {name} | {shown} | {r['peak_mib']:,.0f} MiB | {r['result']} |")
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--conditions", type=int, default=100_000)
    parser.add_argument("--duration", type=int, default=10, help="wrk seconds per scenario")
    parser.add_argument("--again", nargs="*", default=[], choices=STEPS, metavar="STEP")
    parser.add_argument("--in-process", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.in_process:
        import django

        django.setup()
        step, *rest = args.in_process
        result = {"load": load, "snippet": edit_snippet, "sync": walk_sync}[step](*map(int, rest))
        print(", ".join(f"{value:,} {name}" for name, value in result.items()), flush=True)
        return

    database = DATA_DIR / f"bench-{args.conditions}.sqlite3"
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": os.environ.get("DATABASE_URL") or f"sqlite:///{database}",
    }
    bench_env = {k: v for k, v in env.items() if k != "DATABASE_URL"}
    record = DATA_DIR / f"scale-{args.conditions}.json"  # kept with the database it measured
    fresh = not os.environ.get("DATABASE_URL") and not database.exists()
    results = json.loads(record.read_text()) if record.exists() and not fresh else {}
    for name, command in step_commands(args.conditions, args.duration).items():
        if name in results and name not in args.again and name != "benchmark":
            log(f"{name}: measured before ({results[name]['result']}); --again {name!r} redoes it")
            continue
        log(f"==> {name}: {' '.join(command[1:])}")
        # bench.run makes the database of each size itself (the same file, unless DATABASE_URL)
        step_env = env if name != "benchmark" or os.environ.get("DATABASE_URL") else bench_env
        if name == "generate":
            step_env = {**env, "BENCH_TASKS": "dummy"}
        seconds, peak, lines_seen, code = measured(command, step_env, may_fail=name == "benchmark")
        last = lines_seen[-1] if lines_seen else ""
        if name == "initial refresh":
            last = last.removeprefix("Done: ").split(";")[0]
        elif name == "generate":
            resumed = any(line.startswith("Run ") for line in lines_seen)
            last = last + (" (resumed: this time is the rest's)" if resumed else "")
        elif name == "benchmark":
            met = "every target met" if not code else "a target missed"
            last = f"{met}: bench/results/scale/results.md"
        results[name] = {"seconds": round(seconds, 1), "peak_mib": round(peak), "result": last}
        record.write_text(json.dumps(results, indent=2))
        log(f"    {seconds:.1f} s, peak {peak:,.0f} MiB: {last}")
        write_report(args.conditions, env["DATABASE_URL"], results)  # each step's, as it ends
    print(table(results))


def write_report(conditions, database, results):
    summary = {"conditions": conditions, "database": database, "steps": results}
    (OUT_DIR / "scale.json").write_text(json.dumps(summary, indent=2) + "\n")
    (OUT_DIR / "scale.md").write_text(table(results))


if __name__ == "__main__":
    main()
